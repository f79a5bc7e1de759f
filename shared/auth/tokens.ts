import {
  type CryptoKey,
  createRemoteJWKSet,
  importJWK,
  type JWK,
  type JWSAlgorithm,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
  SignJWT,
} from 'jose';
import { CLAIM, type Principal, SCOPE } from './claims.ts';
import { DEV_ALGORITHM } from './dev-keys.ts';

export class AuthenticationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

export interface TokenSettings {
  issuer: string;
  audience: string;
}

/** Where the verification keys come from: the local development key, or the identity provider's JWKS. */
export type KeySource = { publicJwk: JWK } | { jwksUrl: string };

export interface VerifierSettings extends TokenSettings {
  /** Accepted signature algorithms; asymmetric only (no HS*, so a public key can never be used as an HMAC secret). */
  algorithms: JWSAlgorithm[];
  /** Clock skew allowed on exp and nbf, in seconds (default 30) */
  clockToleranceSeconds?: number;
}

const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/;

export async function signDevToken(
  privateKey: CryptoKey,
  settings: TokenSettings,
  who: { provider: string } | { admin: string[]; name?: string },
  ttlSeconds = 12 * 3600,
): Promise<string> {
  const claims =
    'provider' in who
      ? { [CLAIM.provider]: who.provider, scope: SCOPE.submit }
      : { [CLAIM.adminFor]: who.admin, scope: SCOPE.admin, ...(who.name ? { name: who.name } : {}) };
  const subject = 'provider' in who ? `provider:${who.provider}` : `admin:${who.name ?? who.admin.join(',')}`;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: DEV_ALGORITHM, typ: 'JWT' })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(privateKey);
}

/**
 * Verifies a bearer token and returns who it speaks for; any failure is one AuthenticationError (the reason
 * is not told: a prober learns nothing). Enforced: signature with a pinned asymmetric algorithm (`alg: none`
 * and HS/RS confusion never pass), issuer, audience, an expiry that must be present, not-before.
 */
export function tokenVerifier(source: KeySource, settings: VerifierSettings) {
  const refused = settings.algorithms.filter((a) => !ASYMMETRIC.test(a));
  if (settings.algorithms.length === 0 || refused.length > 0) {
    throw new Error(`Token algorithms must be asymmetric (RS*, PS*, ES*, EdDSA); refused: ${refused.join(', ')}`);
  }
  const key: Promise<CryptoKey | Uint8Array> | JWTVerifyGetKey =
    'jwksUrl' in source
      ? createRemoteJWKSet(jwksUrl(source.jwksUrl))
      : (importJWK(source.publicJwk, source.publicJwk.alg ?? DEV_ALGORITHM) as Promise<CryptoKey>);
  const options = {
    issuer: settings.issuer,
    audience: settings.audience,
    algorithms: settings.algorithms,
    requiredClaims: ['exp'],
    clockTolerance: settings.clockToleranceSeconds ?? 30,
  };
  return async (authorization: string | undefined): Promise<Principal> => {
    const token = /^Bearer\s+([\w-]+\.[\w-]+\.[\w-]*)\s*$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new AuthenticationError('Mangler Bearer-token i Authorization-headeren.');
    let payload: JWTPayload;
    try {
      ({ payload } =
        typeof key === 'function' ? await jwtVerify(token, key, options) : await jwtVerify(token, await key, options));
    } catch {
      throw new AuthenticationError('Tokenet er ugyldig eller utløpt.');
    }
    return principalFrom(payload);
  };
}

/** A JWKS must come over HTTPS (plain HTTP only to this machine, for tests and the local runner). */
function jwksUrl(value: string): URL {
  const url = new URL(value);
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw new Error('SKJEMAFLYT_JWT_JWKS_URL must be an https:// URL');
  }
  return url;
}

const PROVIDER_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const KOMMUNENUMMER = /^\d{4}$/;

function principalFrom(payload: JWTPayload): Principal {
  const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
  const subject = typeof payload.sub === 'string' ? payload.sub : 'unknown';
  const provider = payload[CLAIM.provider];
  if (scopes.includes(SCOPE.submit) && typeof provider === 'string' && PROVIDER_ID.test(provider)) {
    return { kind: 'provider', providerId: provider, subject };
  }
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
