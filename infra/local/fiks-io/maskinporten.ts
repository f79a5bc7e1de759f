/**
 * A local token endpoint with Maskinporten's JWT-bearer contract, for the local Fiks IO (the hub's demo and the
 * tests): checks the grant's signature against the client's registered certificate (x5c), its claims (aud, iss,
 * scope, iat/exp ≤ 120 s, jti, nothing else), and answers a signed JWT access token. On 127.0.0.1 only.
 */

import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader, generateKeyPair, type JWTPayload, jwtVerify, SignJWT } from 'jose';

export interface TokenEndpoint {
  url: string;
  issuer: string;
  /** Requests answered so far (any outcome). */
  requests: number;
  /** Verifies an access token it issued; returns its claims or undefined. */
  verify(token: string): Promise<JWTPayload | undefined>;
  /** Answers the next `n` requests with this status instead. */
  failNext(n: number, status: number): void;
  close(): Promise<void>;
}

const ALLOWED = new Set(['aud', 'iss', 'iat', 'exp', 'jti', 'scope', 'resource']);

export async function startTokenEndpoint(
  clients: Record<string, { certificatePem: string; scopes: string[] }>,
  expiresIn = 120,
): Promise<TokenEndpoint> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  let failures: { n: number; status: number } = { n: 0, status: 500 };
  const state = { requests: 0 };
  const issuer = 'http://127.0.0.1/maskinporten/';
  const server: Server = createServer(async (req, res) => {
    state.requests++;
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (failures.n > 0) {
      failures.n--;
      return answer(failures.status, { error: 'temporarily_unavailable' });
    }
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const form = new URLSearchParams(raw);
    if (req.method !== 'POST' || form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
      return answer(400, { error: 'unsupported_grant_type' });
    const assertion = form.get('assertion') ?? '';
    try {
      const header = decodeProtectedHeader(assertion);
      const unverified = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString()) as JWTPayload;
      const client = clients[String(unverified.iss)];
      if (!client || !header.x5c?.[0])
        return answer(400, { error: 'invalid_grant', error_description: 'unknown client' });
      const presented = new X509Certificate(Buffer.from(header.x5c[0], 'base64'));
      if (presented.fingerprint256 !== new X509Certificate(client.certificatePem).fingerprint256)
        return answer(400, { error: 'invalid_grant', error_description: 'certificate not registered' });
      const { payload } = await jwtVerify(assertion, presented.publicKey, {
        audience: issuer,
        issuer: String(unverified.iss),
      });
      if (Object.keys(payload).some((k) => !ALLOWED.has(k)))
        return answer(400, { error: 'invalid_grant', error_description: 'Invalid assertion' });
      if (!payload.jti || !payload.iat || !payload.exp || payload.exp - payload.iat > 120)
        return answer(400, { error: 'invalid_grant', error_description: 'bad lifetime' });
      const scope = String(payload.scope ?? '');
      if (!scope.split(' ').every((s) => client.scopes.includes(s))) return answer(400, { error: 'invalid_scope' });
      const token = await new SignJWT({ scope, client_id: payload.iss })
        .setProtectedHeader({ alg: 'RS256', kid: 'test' })
        .setIssuer(issuer)
        .setIssuedAt()
        .setExpirationTime(`${expiresIn}s`)
        .sign(privateKey);
      return answer(200, { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope });
    } catch (error) {
      return answer(400, { error: 'invalid_grant', error_description: String(error).slice(0, 100) });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/token`,
    issuer,
    get requests() {
      return state.requests;
    },
    async verify(token) {
      try {
        return (await jwtVerify(token, publicKey, { issuer })).payload;
      } catch {
        return undefined;
      }
    },
    failNext(n, status) {
      failures = { n, status };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
