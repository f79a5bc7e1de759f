import {
  type CryptoKey,
  createRemoteJWKSet,
  decodeJwt,
  importJWK,
  type JWK,
  type JWSAlgorithm,
  type JWTPayload,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import type { Principal } from './claims.ts';
import { DEV_ALGORITHM } from './dev-keys.ts';
import { AuthenticationError } from './errors.ts';
import {
  identifyProvider,
  type MaskinportenClaims,
  maskinportenClaims,
  type ProviderIdentity,
} from './maskinporten.ts';
import { type StaffAccess, staffPrincipal } from './staff.ts';

export { AuthenticationError, NotRecognisedError } from './errors.ts';

export interface TokenSettings {
  issuer: string;
  audience: string;
}

/** Where the verification keys come from: the issuer's JWKS, or one public key (tests). */
export type KeySource = { publicJwk: JWK } | { jwksUrl: string };

/** One token issuer the hub trusts. */
export interface IssuerSettings extends TokenSettings {
  keys: KeySource;
  /** Accepted signature algorithms; asymmetric only (no HS*, so a public key can never be used as an HMAC secret). */
  algorithms: JWSAlgorithm[];
  /** A token needs one of these in `scp` (Entra ID) or `scope` (staff tokens: no gateway authorizer checks them) */
  requiredScopes?: string[];
  /** Clock skew allowed on exp and nbf, in seconds (default 30) */
  clockToleranceSeconds?: number;
}

/** The issuers of the two kinds of callers: form providers (Maskinporten) and archive staff. */
export interface TrustedIssuers {
  providers?: IssuerSettings;
  admins?: IssuerSettings;
}

/** A token whose signature, issuer, audience and lifetime hold, and whose claims have the issuer's shape. */
export type VerifiedToken =
  | { caller: 'provider'; claims: MaskinportenClaims }
  | { caller: 'admin'; claims: JWTPayload };

const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/;

/**
 * Verifies a bearer token against the issuer it names and reads its claims; any failure is one
 * AuthenticationError (the reason is not told: a prober learns nothing). Enforced: an issuer the hub trusts,
 * signature with a pinned asymmetric algorithm (`alg: none` and HS/RS confusion never pass), audience, an expiry
 * that must be present, not-before.
 */
export function tokenVerifier(issuers: TrustedIssuers) {
  const checks = (['providers', 'admins'] as const).flatMap((kind) => {
    const settings = issuers[kind];
    return settings
      ? [{ caller: kind === 'providers' ? ('provider' as const) : ('admin' as const), ...check(settings) }]
      : [];
  });
  if (checks.length === 0) throw new Error('No token issuer is configured');
  if (issuers.providers && issuers.providers.issuer === issuers.admins?.issuer) {
    throw new Error('Providers and admins need different token issuers');
  }
  return async (authorization: string | undefined): Promise<VerifiedToken> => {
    const token = /^Bearer\s+([\w-]+\.[\w-]+\.[\w-]*)\s*$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new AuthenticationError('Mangler Bearer-token i Authorization-headeren.', 'missing');
    let issuer: unknown;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      issuer = undefined;
    }
    const trusted = checks.find((c) => c.issuer === issuer);
    if (!trusted) throw new AuthenticationError('Tokenet er ugyldig eller utløpt.');
    const payload = await trusted.verify(token);
    return trusted.caller === 'provider'
      ? { caller: 'provider', claims: maskinportenClaims(payload) }
      : { caller: 'admin', claims: payload };
  };
}

function check(settings: IssuerSettings) {
  const refused = settings.algorithms.filter((a) => !ASYMMETRIC.test(a));
  if (settings.algorithms.length === 0 || refused.length > 0) {
    throw new Error(`Token algorithms must be asymmetric (RS*, PS*, ES*, EdDSA); refused: ${refused.join(', ')}`);
  }
  const { keys } = settings;
  const key: Promise<CryptoKey | Uint8Array> | JWTVerifyGetKey =
    'jwksUrl' in keys
      ? createRemoteJWKSet(jwksUrl(keys.jwksUrl))
      : (importJWK(keys.publicJwk, keys.publicJwk.alg ?? DEV_ALGORITHM) as Promise<CryptoKey>);
  const options = {
    issuer: settings.issuer,
    audience: settings.audience,
    algorithms: settings.algorithms,
    requiredClaims: ['exp'],
    clockTolerance: settings.clockToleranceSeconds ?? 30,
  };
  return {
    issuer: settings.issuer,
    async verify(token: string): Promise<JWTPayload> {
      try {
        const { payload } =
          typeof key === 'function' ? await jwtVerify(token, key, options) : await jwtVerify(token, await key, options);
        if (settings.requiredScopes && !hasScope(payload, settings.requiredScopes)) throw new Error('scope');
        return payload;
      } catch (error) {
        // jose checks the signature before the claims: an expired token here was otherwise good.
        if (error instanceof joseErrors.JWTExpired) throw new AuthenticationError('Tokenet er utløpt.', 'expired');
        throw new AuthenticationError('Tokenet er ugyldig eller utløpt.');
      }
    },
  };
}

function hasScope(payload: JWTPayload, required: readonly string[]): boolean {
  const granted = [payload.scp, payload.scope].flatMap((v) =>
    typeof v === 'string' ? v.split(' ') : Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [],
  );
  return required.some((scope) => granted.includes(scope));
}

/** A JWKS must come over HTTPS (plain HTTP only to this machine, for tests and the local runner). */
function jwksUrl(value: string): URL {
  const url = new URL(value);
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw new Error('A JWKS URL must be an https:// URL');
  }
  return url;
}

/**
 * Who a verified token speaks for, as the configuration says: a person by their groups or app roles (staff
 * access), a provider by its organisation, client and supplier (403 if none).
 */
export function principalFor(
  verified: VerifiedToken,
  identities: readonly ProviderIdentity[],
  staff: StaffAccess = { rules: [] },
): Principal {
  if (verified.caller === 'admin') {
    try {
      return staffPrincipal(verified.claims, staff);
    } catch {
      throw new AuthenticationError('Tokenet er ugyldig eller utløpt.');
    }
  }
  const { claims } = verified;
  const identity = identifyProvider(claims, identities);
  return {
    kind: 'provider',
    providerId: identity.providerId,
    subject: claims.clientId,
    organisation: claims.consumer,
    ...(claims.supplier ? { supplier: claims.supplier } : {}),
  };
}

/** Bearer header → principal: verification, then the configured providers (read lazily, e.g. once per cold start). */
export function principalResolver(
  issuers: TrustedIssuers,
  identities: () => readonly ProviderIdentity[] | Promise<readonly ProviderIdentity[]>,
  staff: () => StaffAccess | Promise<StaffAccess> = () => ({ rules: [] }),
) {
  const verify = tokenVerifier(issuers);
  return async (authorization: string | undefined): Promise<Principal> => {
    const verified = await verify(authorization);
    return principalFor(verified, verified.caller === 'provider' ? await identities() : [], await staff());
  };
}
