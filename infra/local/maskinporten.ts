import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, decodeJwt, importJWK, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { ORGNR_AUTHORITY } from '../../shared/auth/maskinporten.ts';
import { quietly } from './oidc-provider.ts';

/**
 * A local Maskinporten: oidc-provider with Maskinporten's JWT-bearer grant (RFC 7523 as docs.digdir.no describes
 * it), so providers get their tokens here the way they get them from Maskinporten:
 * - POST /token, `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`, no other client
 *   authentication: the assertion, signed with a key registered for the client (`kid`), is it. Checked: alg RS256/
 *   384/512, iss = client_id, aud = the issuer (one value), iat within 10 s, exp − iat ≤ 120 s, jti not reused,
 *   scope registered for the client (or delegated to its organisation by `consumer_org`), `resource` → `aud`.
 * - The access token: a JWT from this server's own key, with Maskinporten's claims (`consumer`/`supplier`
 *   `{ authority: "iso6523-actorid-upis", ID: "0192:<orgnr>" }`, `client_id`, `scope`, `client_amr`,
 *   `token_type`, `iss`, `aud` when a resource was asked for, `iat`, `exp`, `jti`).
 * - Keys at /jwk; metadata at /.well-known/oauth-authorization-server (and oidc-provider's
 *   /.well-known/openid-configuration, which API Gateway's JWT authorizer reads).
 * Not here: virksomhetssertifikat (x5c) grants, Altinn's delegation service (delegations are configured), RAR.
 */

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Maskinporten signs grants' and tokens' JWTs with RSA only. */
const GRANT_ALGORITHMS = ['RS256', 'RS384', 'RS512'];
/** Maskinporten: a grant's iat within 10 s of its clock, and at most 120 s between iat and exp. */
const IAT_SKEW_SECONDS = 10;
const MAX_GRANT_LIFETIME_SECONDS = 120;

export interface LocalMaskinportenClient {
  clientId: string;
  /** organisasjonsnummer of the organisation that owns the client */
  organisation: string;
  /** Scopes the organisation may ask for itself */
  scopes: string[];
  /** Scopes other organisations delegated to this one (Altinn): a grant names the consumer in `consumer_org` */
  delegations: { consumer: string; scopes: string[] }[];
  /** The client's registered public keys (private_key_jwt) */
  jwks: { keys: JWK[] };
}

export interface LocalMaskinportenOptions {
  /** Default 0: a free port */
  port?: number;
  host?: string;
  /** The server's own RSA signing key (private JWK with kid and alg) */
  signingKey: JWK;
  clients: LocalMaskinportenClient[];
  /** Access token lifetime (default 600 s) */
  accessTokenTtlSeconds?: number;
  now?: () => number;
}

export interface LocalMaskinporten {
  /** `http://127.0.0.1:<port>/`, with the trailing slash like Maskinporten's */
  issuer: string;
  tokenEndpoint: string;
  jwksUri: string;
  port: number;
  close(): Promise<void>;
}

export async function startLocalMaskinporten(options: LocalMaskinportenOptions): Promise<LocalMaskinporten> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const ttl = options.accessTokenTtlSeconds ?? 600;
  const clients = new Map(options.clients.map((c) => [c.clientId, c]));
  const scopes = new Set(options.clients.flatMap((c) => [...c.scopes, ...c.delegations.flatMap((d) => d.scopes)]));
  const { privateJwk, alg, kid } = signingKey(options.signingKey);
  const key = await importJWK(privateJwk, alg);
  const usedJti = new Map<string, number>();

  // Listen first: the issuer holds the port.
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${host}:${port}/`;

  const { default: Provider, errors } = await quietly(() => import('oidc-provider'));
  const provider = await quietly(
    () =>
      new Provider(issuer, {
        clients: options.clients.map((c) => ({
          client_id: c.clientId,
          grant_types: [JWT_BEARER],
          response_types: [],
          redirect_uris: [],
          // Maskinporten's grant needs no client authentication of its own: the signed assertion is it.
          token_endpoint_auth_method: 'none',
          jwks: c.jwks,
        })),
        jwks: { keys: [privateJwk] },
        scopes: [...scopes],
        routes: { jwks: '/jwk', token: '/token' },
        features: { devInteractions: { enabled: false } },
        renderError: async (ctx, out) => {
          ctx.type = 'json';
          ctx.body = out;
        },
      }),
  );
  provider.registerGrantType(JWT_BEARER, grantHandler, ['assertion']);

  async function grantHandler(ctx: KoaContextWithOIDC) {
    const client = ctx.oidc.client && clients.get(ctx.oidc.client.clientId);
    const assertion = String(ctx.oidc.params?.assertion ?? '');
    if (!client || !assertion) throw new errors.InvalidGrant();
    const refuse = (description: string) => {
      const error = new errors.InvalidGrant();
      error.error_description = `Invalid assertion. Client authentication failed. ${description}`;
      return error;
    };
    let grant: JWTPayload;
    try {
      ({ payload: grant } = await jwtVerify(assertion, createLocalJWKSet(client.jwks), {
        algorithms: GRANT_ALGORITHMS,
        issuer: client.clientId,
        requiredClaims: ['iat', 'exp'],
        currentDate: new Date(now() * 1000),
      }));
    } catch {
      throw refuse('The JWT is not signed with a key registered for the client, or has expired.');
    }
    const aud = Array.isArray(grant.aud) && grant.aud.length === 1 ? grant.aud[0] : grant.aud;
    if (aud !== issuer) throw refuse(`Invalid JWT claim aud: it must be ${issuer}`);
    const iat = grant.iat ?? 0;
    const exp = grant.exp ?? 0;
    if (Math.abs(iat - now()) > IAT_SKEW_SECONDS) throw refuse('Invalid JWT claim iat: more than 10 s from now.');
    if (exp - iat > MAX_GRANT_LIFETIME_SECONDS) throw refuse('exp − iat is more than 120 seconds.');
    if (typeof grant.jti === 'string') {
      for (const [jti, until] of usedJti) if (until < now()) usedJti.delete(jti);
      if (usedJti.has(grant.jti)) throw refuse('The JWT has been used before (jti).');
      usedJti.set(grant.jti, exp);
    }
    const requested = typeof grant.scope === 'string' ? grant.scope.split(' ').filter(Boolean) : [];
    if (requested.length === 0) throw new errors.InvalidScope('scope is missing from the JWT grant', '');
    const consumerOrg = grant.consumer_org;
    let consumer = client.organisation;
    let allowed = new Set(client.scopes);
    if (consumerOrg !== undefined) {
      const delegation = client.delegations.find((d) => d.consumer === consumerOrg);
      if (!delegation) {
        throw new errors.InvalidScope(`No delegation from ${String(consumerOrg)} to ${client.organisation}`, '');
      }
      consumer = delegation.consumer;
      allowed = new Set(delegation.scopes);
    }
    const missing = requested.filter((s) => !allowed.has(s));
    if (missing.length > 0) {
      throw new errors.InvalidScope(`Invalid scopes: ${missing.join(' ')}`, missing.join(' '));
    }
    const resource = grant.resource;
    if (resource !== undefined && !(typeof resource === 'string' && isAbsoluteUri(resource))) {
      throw new errors.InvalidTarget('resource must be one absolute URI');
    }
    const issuedAt = now();
    const scope = requested.join(' ');
    const accessToken = await new SignJWT({
      ...(resource ? { aud: resource } : {}),
      scope,
      iss: issuer,
      client_amr: 'private_key_jwt',
      token_type: 'Bearer',
      client_id: client.clientId,
      ...(consumer !== client.organisation
        ? { supplier: { authority: ORGNR_AUTHORITY, ID: `0192:${client.organisation}` } }
        : {}),
      consumer: { authority: ORGNR_AUTHORITY, ID: `0192:${consumer}` },
      iat: issuedAt,
      exp: issuedAt + ttl,
      jti: randomUUID(),
    })
      .setProtectedHeader({ alg, kid })
      .sign(key);
    ctx.body = { access_token: accessToken, token_type: 'Bearer', expires_in: ttl, scope };
  }

  const metadata = {
    issuer,
    token_endpoint: `${issuer}token`,
    jwks_uri: `${issuer}jwk`,
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    grant_types_supported: [JWT_BEARER],
    token_endpoint_auth_signing_alg_values_supported: GRANT_ALGORITHMS,
  };
  const koa = provider.callback();
  server.on('request', async (req, res) => {
    try {
      if (req.method === 'GET' && req.url === '/.well-known/oauth-authorization-server') {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(metadata));
        return;
      }
      if (req.method === 'POST' && req.url === '/token') {
        koa(await withClientId(req), res);
        return;
      }
      koa(req, res);
    } catch {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid_request', error_description: 'unreadable request' }));
    }
  });

  return {
    issuer,
    tokenEndpoint: metadata.token_endpoint,
    jwksUri: metadata.jwks_uri,
    port,
    close: () => closeServer(server),
  };
}

/**
 * oidc-provider finds the client before the grant handler runs, and wants a client_id for that; Maskinporten's
 * callers send none (the assertion's iss is the client). The request is handed on with the client_id added.
 */
async function withClientId(req: IncomingMessage): Promise<IncomingMessage> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error('too large');
    chunks.push(chunk as Buffer);
  }
  const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  const assertion = form.get('assertion');
  if (form.get('grant_type') === JWT_BEARER && assertion && !form.has('client_id')) {
    try {
      const iss = decodeJwt(assertion).iss;
      if (typeof iss === 'string') form.set('client_id', iss);
    } catch {
      // An unreadable assertion: oidc-provider answers it (no client).
    }
  }
  const body = Buffer.from(form.toString());
  const replay = new IncomingMessage(req.socket);
  replay.method = req.method;
  replay.url = req.url;
  replay.httpVersion = req.httpVersion;
  replay.httpVersionMajor = req.httpVersionMajor;
  replay.httpVersionMinor = req.httpVersionMinor;
  replay.headers = { ...req.headers, 'content-length': String(body.length) };
  // Whole already: when it is read to the end, node must not take it for an aborted request and close the socket.
  replay.complete = true;
  replay.push(body);
  replay.push(null);
  return replay;
}

function signingKey(jwk: JWK) {
  if (jwk.kty !== 'RSA' || !jwk.d || !jwk.kid)
    throw new Error('The local Maskinporten signs with an RSA key with a kid');
  const alg = jwk.alg ?? 'RS256';
  return { privateJwk: { ...jwk, alg, use: 'sig' }, alg, kid: jwk.kid };
}

function isAbsoluteUri(value: string): boolean {
  try {
    const url = new URL(value);
    return !url.hash && url.protocol.length > 1;
  } catch {
    return false;
  }
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
