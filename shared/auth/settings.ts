import type { JWSAlgorithm } from 'jose';
import { DEV_ALGORITHM } from './dev-keys.ts';
import type { KeySource, VerifierSettings } from './tokens.ts';

/**
 * How tokens are verified, from the environment:
 * - `SKJEMAFLYT_JWT_JWKS_URL`: the identity provider's JWKS (on AWS; API Gateway's JWT authorizer checks the
 *   same issuer and audience first, and the handler checks again), or else
 * - `SKJEMAFLYT_JWT_PUBLIC_JWK`: one public key as JWK JSON (the local runner's development key);
 * - `SKJEMAFLYT_JWT_ISSUER`, `SKJEMAFLYT_JWT_AUDIENCE`: required with a JWKS URL; locally they default to
 *   `skjemaflyt-local` and `skjemaflyt`;
 * - `SKJEMAFLYT_JWT_ALGORITHMS`: comma-separated, default `RS256,PS256,ES256` with a JWKS and the key's own
 *   algorithm (ES256) with a local key. Only asymmetric algorithms are accepted.
 */
export function authSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): {
  source: KeySource;
  settings: VerifierSettings;
} {
  const algorithms = env.SKJEMAFLYT_JWT_ALGORITHMS?.split(',')
    .map((a) => a.trim())
    .filter(Boolean) as JWSAlgorithm[] | undefined;
  if (env.SKJEMAFLYT_JWT_JWKS_URL) {
    if (!env.SKJEMAFLYT_JWT_ISSUER || !env.SKJEMAFLYT_JWT_AUDIENCE) {
      throw new Error('SKJEMAFLYT_JWT_ISSUER and SKJEMAFLYT_JWT_AUDIENCE must be set with SKJEMAFLYT_JWT_JWKS_URL');
    }
    return {
      source: { jwksUrl: env.SKJEMAFLYT_JWT_JWKS_URL },
      settings: {
        issuer: env.SKJEMAFLYT_JWT_ISSUER,
        audience: env.SKJEMAFLYT_JWT_AUDIENCE,
        algorithms: algorithms?.length ? algorithms : ['RS256', 'PS256', 'ES256'],
      },
    };
  }
  if (!env.SKJEMAFLYT_JWT_PUBLIC_JWK) {
    throw new Error('Neither SKJEMAFLYT_JWT_JWKS_URL nor SKJEMAFLYT_JWT_PUBLIC_JWK is set');
  }
  const publicJwk = JSON.parse(env.SKJEMAFLYT_JWT_PUBLIC_JWK);
  return {
    source: { publicJwk },
    settings: {
      issuer: env.SKJEMAFLYT_JWT_ISSUER ?? 'skjemaflyt-local',
      audience: env.SKJEMAFLYT_JWT_AUDIENCE ?? 'skjemaflyt',
      algorithms: algorithms?.length ? algorithms : [(publicJwk.alg as JWSAlgorithm | undefined) ?? DEV_ALGORITHM],
    },
  };
}
