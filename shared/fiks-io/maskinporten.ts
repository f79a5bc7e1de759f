/**
 * Maskinporten's JWT-bearer grant (RFC 7523 as Digdir profiles it): POST the token endpoint a form with
 * `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` and `assertion`, a JWT signed with the client's key holding
 * exactly aud (Maskinporten's issuer), iss (client id), scope, iat, exp (≤ 120 s), jti, and optionally `resource`
 * (Maskinporten answers 400 to any other claim). The header carries either `kid` (a key registered on the client) or
 * `x5c` (the virksomhetssertifikat chain). Tokens are cached per scope until shortly before they expire.
 *
 * Shared by every transport that needs a Maskinporten token; it talks to any token endpoint with that contract.
 */
import { createPrivateKey, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { pemBlocks } from '../text/trim.ts';

/** What a transport needs: a valid access token for a scope. */
export interface TokenProvider {
  token(scope: string): Promise<string>;
}

export interface MaskinportenConfig {
  /** Maskinporten's issuer identifier, the assertion's `aud` (production: https://maskinporten.no/). */
  audience: string;
  tokenEndpoint: string;
  clientId: string;
  /** PEM private key (PKCS#8 or PKCS#1) that signs the assertion. */
  privateKeyPem: string;
  /** A key registered on the client (`kid`) ... */
  keyId?: string;
  /** ... or the virksomhetssertifikat chain, leaf first (`x5c`). One of the two is required. */
  certificateChainPem?: string;
  /** RS256 (default), RS384 or RS512. */
  algorithm?: 'RS256' | 'RS384' | 'RS512';
  /** Audience-restricted token for this resource. */
  resource?: string;
  /** A cached token is renewed this long before it expires. Default 30 s. */
  renewBeforeSeconds?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

export type MaskinportenErrorCode = 'maskinporten_refused' | 'maskinporten_unavailable' | 'maskinporten_bad_answer';

export class MaskinportenError extends Error {
  readonly code: MaskinportenErrorCode;
  readonly retryable: boolean;
  readonly status?: number;
  constructor(code: MaskinportenErrorCode, message: string, retryable: boolean, status?: number) {
    super(message);
    this.name = 'MaskinportenError';
    this.code = code;
    this.retryable = retryable;
    if (status !== undefined) this.status = status;
  }
}

interface Cached {
  token: string;
  renewAt: number;
}

export function createMaskinportenClient(config: MaskinportenConfig): TokenProvider {
  if (!config.keyId && !config.certificateChainPem)
    throw new Error('Maskinporten client needs keyId or certificateChainPem');
  const key = createPrivateKey(config.privateKeyPem);
  const x5c = config.certificateChainPem ? pemChainToX5c(config.certificateChainPem) : undefined;
  const doFetch = config.fetch ?? fetch;
  const now = config.now ?? Date.now;
  const renewBefore = (config.renewBeforeSeconds ?? 30) * 1000;
  const cache = new Map<string, Cached>();
  const pending = new Map<string, Promise<string>>();

  async function fetchToken(scope: string): Promise<string> {
    const iat = Math.floor(now() / 1000);
    const claims: Record<string, unknown> = { scope };
    if (config.resource) claims.resource = config.resource;
    const assertion = await new SignJWT(claims)
      .setProtectedHeader({
        alg: config.algorithm ?? 'RS256',
        ...(config.keyId ? { kid: config.keyId } : { x5c }),
      })
      .setAudience(config.audience)
      .setIssuer(config.clientId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 110)
      .setJti(randomUUID())
      .sign(key);
    let response: Response;
    try {
      response = await doFetch(config.tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
      });
    } catch (error) {
      throw new MaskinportenError('maskinporten_unavailable', `token endpoint unreachable: ${String(error)}`, true);
    }
    const text = await response.text();
    if (!response.ok) {
      // 4xx: our grant or client registration is wrong, a retry sends the same; 5xx/429: try later.
      const retryable = response.status >= 500 || response.status === 429;
      const reason = oauthError(text);
      throw new MaskinportenError(
        retryable ? 'maskinporten_unavailable' : 'maskinporten_refused',
        `token endpoint answered ${response.status}${reason ? `: ${reason}` : ''}`,
        retryable,
        response.status,
      );
    }
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new MaskinportenError('maskinporten_bad_answer', 'token endpoint answered something not JSON', true);
    }
    if (typeof body.access_token !== 'string' || body.access_token === '')
      throw new MaskinportenError('maskinporten_bad_answer', 'token endpoint answered without access_token', true);
    const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    cache.set(scope, { token: body.access_token, renewAt: now() + Math.max(0, expiresIn * 1000 - renewBefore) });
    return body.access_token;
  }

  return {
    async token(scope: string): Promise<string> {
      const hit = cache.get(scope);
      if (hit && now() < hit.renewAt) return hit.token;
      // One request per scope at a time: concurrent callers share it.
      let request = pending.get(scope);
      if (!request) {
        request = fetchToken(scope).finally(() => pending.delete(scope));
        pending.set(scope, request);
      }
      return request;
    },
  };
}

/** A fixed token (tests, or a token obtained elsewhere). */
export function staticTokenProvider(token: string): TokenProvider {
  return { token: async () => token };
}

function pemChainToX5c(pem: string): string[] {
  const blocks = pemBlocks(pem, 'CERTIFICATE');
  if (blocks.length === 0) throw new Error('certificateChainPem holds no certificate');
  return blocks.map((b) => b.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ''));
}

/** The OAuth `error` and `error_description` of an error answer (never the request's data). */
function oauthError(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    const parts = [body.error, body.error_description].filter((p): p is string => typeof p === 'string');
    return parts.length > 0 ? parts.join(': ').slice(0, 300) : undefined;
  } catch {
    return undefined;
  }
}
