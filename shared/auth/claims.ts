/** Who is calling, from a verified token. */
export type Principal =
  | {
      kind: 'provider';
      providerId: string;
      /** The Maskinporten client the token was issued to */
      subject: string;
      /** The organisation the token was issued for (consumer) and, for a vendor acting for it, the vendor (supplier) */
      organisation: string;
      supplier?: string;
    }
  | { kind: 'admin'; municipalities: string[]; subject: string; name?: string };

/** Claim names in the hub's own admin tokens (until staff sign in with their identity provider). */
export const CLAIM = {
  adminFor: 'skjemaflyt:admin',
} as const;

export const SCOPE = {
  admin: 'skjemaflyt:admin',
} as const;
