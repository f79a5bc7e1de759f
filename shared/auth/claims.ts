/** Who is calling, from a verified token. */
export type Principal =
  | { kind: 'provider'; providerId: string; subject: string }
  | { kind: 'admin'; municipalities: string[]; subject: string; name?: string };

/** Claim names in Skjemaflyt tokens. */
export const CLAIM = {
  provider: 'skjemaflyt:provider',
  adminFor: 'skjemaflyt:admin',
} as const;

export const SCOPE = {
  submit: 'skjemaflyt:submit',
  admin: 'skjemaflyt:admin',
} as const;
