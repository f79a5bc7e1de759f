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
  | {
      kind: 'admin';
      /** The person's stable id at the staff's identity provider */
      subject: string;
      name?: string;
      /** Where they may see deliveries (from their groups, by the configuration) */
      municipalities: string[];
      /** Where they may also retry and close failed deliveries */
      canRetryResolve: string[];
    };
