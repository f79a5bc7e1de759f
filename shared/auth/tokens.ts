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
  SignJWT,
} from 'jose';
import { CLAIM, type Principal, SCOPE } from './claims.ts';
import { DEV_ALGORITHM } from './dev-keys.ts';
import { AuthenticationError } from './errors.ts';
import {
  identifyProvider,
  type MaskinportenClaims,
  maskinportenClaims,
  type ProviderIdentity,
} from './maskinporten.ts';

export { AuthenticationError, NotRecognisedError } from './errors.ts';

export interface TokenSettings {
  issuer: string;
  audience: string;
}

/** Where the verification keys come from: the issuer's JWKS, or one public key (the local admin development key). */
export type KeySource = { publicJwk: JWK } | { jwksUrl: string };

/** One token issuer the hub trusts. */
export interface IssuerSettings extends TokenSettings {
  keys: KeySource;
  /** Accepted signature algorithms; asymmetric only (no HS*, so a public key can never be used as an HMAC secret). */
  algorithms: JWSAlgorithm[];
  /** Clock skew allowed on exp and nbf, in seconds (default 30) */
  clockToleranceSeconds?: number;
}

/** The issuers of the two kinds of callers: form providers (Maskinporten) and archive staff. */
export interface TrustedIssuers {
  providers?: IssuerSettings;
  admins?: IssuerSettings;
}

export type AdminPrincipal = Extract<Principal, { kind: 'admin' }>;

/** A token whose signature, issuer, audience and lifetime hold, and whose claims have the issuer's shape. */
export type VerifiedToken =
  | { caller: 'provider'; claims: MaskinportenClaims }
  | { caller: 'admin'; admin: AdminPrincipal };

const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/;

/** The hub's own admin token (local development, until staff sign in with their identity provider). */
export async function signDevToken(
  privateKey: CryptoKey,
  settings: TokenSettings,
  who: { admin: string[]; name?: string },
  ttlSeconds = 12 * 3600,
): Promise<string> {
  return new SignJWT({ [CLAIM.adminFor]: who.admin, scope: SCOPE.admin, ...(who.name ? { name: who.name } : {}) })
    .setProtectedHeader({ alg: DEV_ALGORITHM, typ: 'JWT' })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setSubject(`admin:${who.name ?? who.admin.join(',')}`)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(privateKey);
}

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
      : { caller: 'admin', admin: adminFrom(payload) };
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
        return payload;
      } catch (error) {
        // jose checks the signature before the claims: an expired token here was otherwise good.
        if (error instanceof joseErrors.JWTExpired) throw new AuthenticationError('Tokenet er utløpt.', 'expired');
        throw new AuthenticationError('Tokenet er ugyldig eller utløpt.');
      }
    },
  };
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

const KOMMUNENUMMER = /^\d{4}$/;

function adminFrom(payload: JWTPayload): AdminPrincipal {
  const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
  const subject = typeof payload.sub === 'string' ? payload.sub : 'unknown';
  const adminFor = payload[CLAIM.adminFor];
  if (
    scopes.includes(SCOPE.admin) &&
    Array.isArray(adminFor) &&
    adminFor.length > 0 &&
    adminFor.every((m) => typeof m === 'string' && KOMMUNENUMMER.test(m))
  ) {
    const name = typeof payload.name === 'string' ? payload.name : undefined;
    return { kind: 'admin', municipalities: adminFor as string[], subject, ...(name ? { name } : {}) };
  }
  throw new AuthenticationError('Tokenet gir ingen rettigheter i Skjemaflyt.');
}

/** Who a verified token speaks for: an admin as the token says; a provider as the configuration says (403 if none). */
export function principalFor(verified: VerifiedToken, identities: readonly ProviderIdentity[]): Principal {
  if (verified.caller === 'admin') return verified.admin;
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
) {
  const verify = tokenVerifier(issuers);
  return async (authorization: string | undefined): Promise<Principal> =>
    principalFor(await verify(authorization), await identities());
}
