import { type CryptoKey, importJWK, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
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

/** Verifies a bearer token and returns who it speaks for; any failure is one AuthenticationError. */
export function tokenVerifier(publicJwk: JWK, settings: TokenSettings) {
  const key = importJWK(publicJwk, DEV_ALGORITHM);
  return async (authorization: string | undefined): Promise<Principal> => {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new AuthenticationError('Mangler Bearer-token i Authorization-headeren.');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await key, {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: [DEV_ALGORITHM],
      }));
    } catch {
      throw new AuthenticationError('Tokenet er ugyldig eller utløpt.');
    }
    return principalFrom(payload);
  };
}

function principalFrom(payload: JWTPayload): Principal {
  const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
  const subject = payload.sub ?? 'unknown';
  const provider = payload[CLAIM.provider];
  if (scopes.includes(SCOPE.submit) && typeof provider === 'string' && provider) {
    return { kind: 'provider', providerId: provider, subject };
  }
  const adminFor = payload[CLAIM.adminFor];
  if (scopes.includes(SCOPE.admin) && Array.isArray(adminFor) && adminFor.every((m) => typeof m === 'string')) {
    return { kind: 'admin', municipalities: adminFor as string[], subject, name: payload.name as string | undefined };
  }
  throw new AuthenticationError('Tokenet gir ingen rettigheter i Skjemaflyt.');
}
