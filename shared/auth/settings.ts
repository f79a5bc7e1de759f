import type { JWSAlgorithm } from 'jose';
import { DEV_ALGORITHM } from './dev-keys.ts';
import type { IssuerSettings, TrustedIssuers } from './tokens.ts';

/**
 * Which token issuers an HTTP function trusts, from the variables its environment was written with
 * (readFunctionEnv in shared/runtime/env.ts); each caller kind has its own variables,
 * `SKJEMAFLYT_PROVIDER_*` (Maskinporten) and `SKJEMAFLYT_ADMIN_*` (the municipality's identity provider):
 * - `…_ISSUER`: exactly the tokens' `iss`; `…_AUDIENCE`: the `aud` they must carry;
 * - `…_JWKS_URL`: the issuer's keys (HTTPS; plain HTTP only to this machine), or for admins
 *   `SKJEMAFLYT_ADMIN_PUBLIC_JWK`: one public key as JWK JSON (tests);
 * - `SKJEMAFLYT_ADMIN_SCOPES`: space-separated; a staff token needs one of them in `scp` (Entra ID) or `scope`;
 * - `…_ALGORITHMS`: comma-separated, default `RS256,PS256,ES256` with a JWKS and the key's own algorithm with a
 *   single key. Only asymmetric algorithms are accepted.
 * On AWS API Gateway's JWT authorizer checks the same issuer, audience and scopes first; the handler checks again.
 */
export function authSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): TrustedIssuers {
  const providers = issuerFromEnv(env, 'PROVIDER');
  const admins = issuerFromEnv(env, 'ADMIN');
  if (!providers && !admins) {
    throw new Error('No token issuer is set: SKJEMAFLYT_PROVIDER_JWKS_URL and/or SKJEMAFLYT_ADMIN_JWKS_URL');
  }
  return { ...(providers ? { providers } : {}), ...(admins ? { admins } : {}) };
}

function issuerFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  kind: 'PROVIDER' | 'ADMIN',
): IssuerSettings | undefined {
  const name = (suffix: string) => `SKJEMAFLYT_${kind}_${suffix}`;
  const algorithms = env[name('ALGORITHMS')]
    ?.split(',')
    .map((a) => a.trim())
    .filter(Boolean) as JWSAlgorithm[] | undefined;
  const scopes = kind === 'ADMIN' ? env[name('SCOPES')]?.split(' ').filter(Boolean) : undefined;
  const required = scopes?.length ? { requiredScopes: scopes } : {};
  const jwksUrl = env[name('JWKS_URL')];
  if (jwksUrl) {
    const issuer = env[name('ISSUER')];
    const audience = env[name('AUDIENCE')];
    if (!issuer || !audience) {
      throw new Error(`${name('ISSUER')} and ${name('AUDIENCE')} must be set with ${name('JWKS_URL')}`);
    }
    return {
      issuer,
      audience,
      keys: { jwksUrl },
      algorithms: algorithms?.length ? algorithms : ['RS256', 'PS256', 'ES256'],
      ...required,
    };
  }
  const publicJwkText = kind === 'ADMIN' ? env.SKJEMAFLYT_ADMIN_PUBLIC_JWK : undefined;
  if (!publicJwkText) return undefined;
  const publicJwk = JSON.parse(publicJwkText);
  const issuer = env[name('ISSUER')];
  const audience = env[name('AUDIENCE')];
  if (!issuer || !audience) {
    throw new Error(`${name('ISSUER')} and ${name('AUDIENCE')} must be set with ${name('PUBLIC_JWK')}`);
  }
  return {
    issuer,
    audience,
    keys: { publicJwk },
    ...required,
    algorithms: algorithms?.length ? algorithms : [(publicJwk.alg as JWSAlgorithm | undefined) ?? DEV_ALGORITHM],
  };
}
