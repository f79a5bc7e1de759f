import type { JWTPayload } from 'jose';
import { AuthenticationError, NotRecognisedError } from './errors.ts';

/**
 * Maskinporten's access tokens as they are (docs.digdir.no, Maskinporten: "the access token"): who asked
 * (`consumer`, an ISO 6523 id "0192:<organisasjonsnummer>"), the vendor acting for it by delegation
 * (`supplier`, same shape), the client (`client_id`) and the granted `scope`. Which provider that is, and what it
 * may submit, is the hub's configuration, never the token's.
 */

/** ISO 6523 ICD 0192: Norwegian organisasjonsnummer (Enhetsregisteret). */
export const ORGNR_AUTHORITY = 'iso6523-actorid-upis';
const ORGNR_ID = /^0192:(\d{9})$/;

export interface MaskinportenClaims {
  /** organisasjonsnummer of the organisation the token was issued for */
  consumer: string;
  /** organisasjonsnummer of the vendor acting for it, when the scope was delegated */
  supplier?: string;
  clientId: string;
  scopes: string[];
}

/** One organisation (or vendor acting for one) that a provider is, as configured. */
export interface ProviderIdentity {
  providerId: string;
  consumer: string;
  supplier?: string;
  /** When set, only tokens issued to this client */
  clientId?: string;
  /** The scope the token must hold */
  scope: string;
}

/** The Maskinporten claims of a verified token; one that does not have their shape is not a provider's token (401). */
export function maskinportenClaims(payload: JWTPayload): MaskinportenClaims {
  const consumer = organisation(payload.consumer);
  const supplier = payload.supplier === undefined ? undefined : organisation(payload.supplier);
  const clientId = payload.client_id;
  if (!consumer || supplier === null || typeof clientId !== 'string' || !clientId) {
    throw new AuthenticationError('Tokenet er ikke et Maskinporten-token (mangler consumer eller client_id).');
  }
  const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
  return { consumer, ...(supplier ? { supplier } : {}), clientId, scopes };
}

/** `{ authority, ID: "0192:<orgnr>" }` → orgnr; anything else → null. */
function organisation(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const { authority, ID } = value as { authority?: unknown; ID?: unknown };
  if (authority !== ORGNR_AUTHORITY || typeof ID !== 'string') return null;
  return ORGNR_ID.exec(ID)?.[1] ?? null;
}

/**
 * The provider a token is: consumer, supplier (or its absence) and client must match one configured identity, and
 * the token must hold that identity's scope. A client-specific identity wins over one for any client of the
 * organisation (the configuration check refuses anything more ambiguous). Refusals say what was not recognised.
 */
export function identifyProvider(
  claims: MaskinportenClaims,
  identities: readonly ProviderIdentity[],
): ProviderIdentity {
  const { consumer, supplier, clientId, scopes } = claims;
  const forConsumer = identities.filter((i) => i.consumer === consumer);
  if (forConsumer.length === 0) {
    throw new NotRecognisedError(
      `Organisasjonen ${consumer} (consumer i tokenet) er ikke registrert som avsender i Skjemaflyt.`,
    );
  }
  const bySupplier = forConsumer.filter((i) => i.supplier === supplier);
  if (bySupplier.length === 0) {
    throw new NotRecognisedError(
      supplier
        ? `Leverandøren ${supplier} (supplier i tokenet) er ikke godkjent for å sende på vegne av organisasjonen ${consumer}.`
        : `Organisasjonen ${consumer} er bare registrert som avsender gjennom en leverandør (supplier), ikke direkte.`,
    );
  }
  const byClient = bySupplier.filter((i) => i.clientId === undefined || i.clientId === clientId);
  if (byClient.length === 0) {
    throw new NotRecognisedError(
      `Maskinporten-klienten ${clientId} er ikke registrert for organisasjonen ${supplier ?? consumer}.`,
    );
  }
  const held = byClient.filter((i) => scopes.includes(i.scope));
  const match = held.find((i) => i.clientId !== undefined) ?? held[0];
  if (!match) {
    const needed = [...new Set(byClient.map((i) => i.scope))].join(' eller ');
    throw new NotRecognisedError(`Tokenet mangler scopet ${needed}.`);
  }
  return match;
}
