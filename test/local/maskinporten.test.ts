import { randomUUID } from 'node:crypto';
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  jwtVerify,
  SignJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JWT_BEARER, type LocalMaskinporten, startLocalMaskinporten } from '../../infra/local/maskinporten.ts';
import { localClients, requestToken } from '../../infra/local/maskinporten-clients.ts';

/**
 * The local Maskinporten against Maskinporten's documented contract (docs.digdir.no: the JWT grant, the /token
 * endpoint, the access token): a client signs a grant with its registered key and gets an access token with
 * Maskinporten's claims, signed with the keys at jwks_uri.
 */

const HALDEN = '959159092';
const VENDOR = '310123455';
let mp: LocalMaskinporten;
let vendorKey: JWK;
let haldenKey: JWK;

async function rsaKey(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256' },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
  };
}

/** A grant as a client builds it, claims overridden by `claims`, posted as Maskinporten takes it. */
async function post(
  clientId: string,
  key: JWK,
  claims: Record<string, unknown>,
): Promise<{ status: number; body: any }> {
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({
    iss: clientId,
    aud: mp.issuer,
    iat: now,
    exp: now + 60,
    jti: randomUUID(),
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid ?? '' })
    .sign(await importJWK(key, 'RS256'));
  return send(assertion);
}

async function send(assertion: string): Promise<{ status: number; body: any }> {
  const response = await fetch(mp.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: JWT_BEARER, assertion }),
  });
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  const signing = await rsaKey('mp-1');
  const vendor = await rsaKey('vendor-1');
  const halden = await rsaKey('halden-1');
  vendorKey = vendor.privateJwk;
  haldenKey = halden.privateJwk;
  const clients = localClients([
    { providerId: 'eskjema', consumer: HALDEN, supplier: VENDOR, scope: 'halden:skjemaflyt' },
    { providerId: 'halden-intranett', consumer: HALDEN, clientId: 'halden-intranett', scope: 'halden:skjemaflyt' },
  ]);
  mp = await startLocalMaskinporten({
    signingKey: signing.privateJwk,
    clients: clients.map((c) => ({
      ...c,
      jwks: { keys: [c.organisation === VENDOR ? vendor.publicJwk : halden.publicJwk] },
    })),
  });
});

afterAll(() => mp?.close());

describe('the local Maskinporten', () => {
  it('publishes its metadata at /.well-known/oauth-authorization-server and its keys at jwks_uri', async () => {
    const metadata: any = await (await fetch(`${mp.issuer}.well-known/oauth-authorization-server`)).json();
    expect(metadata).toMatchObject({
      issuer: mp.issuer,
      token_endpoint: `${mp.issuer}token`,
      jwks_uri: `${mp.issuer}jwk`,
      grant_types_supported: [JWT_BEARER],
    });
    expect(mp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const openid = await (await fetch(`${mp.issuer}.well-known/openid-configuration`)).json();
    expect(openid).toMatchObject({ issuer: mp.issuer, jwks_uri: `${mp.issuer}jwk` });
    const jwks: any = await (await fetch(metadata.jwks_uri)).json();
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'RSA', kid: 'mp-1', use: 'sig' })]);
    expect(jwks.keys[0].d).toBeUndefined();
  });

  it('gives a vendor acting for Halden a token with Maskinporten’s claims, signed with the keys it publishes', async () => {
    const token = await requestToken({
      issuer: mp.issuer,
      clientId: `eskjema-${VENDOR}`,
      privateJwk: vendorKey,
      scope: 'halden:skjemaflyt',
      consumerOrg: HALDEN,
      resource: 'https://skjemaflyt.halden.example/api',
    });
    expect(token.scope).toBe('halden:skjemaflyt');
    expect(token.expiresIn).toBeGreaterThan(0);
    const jwks = createLocalJWKSet((await (await fetch(`${mp.issuer}jwk`)).json()) as JSONWebKeySet);
    const { payload } = await jwtVerify(token.accessToken, jwks, {
      issuer: mp.issuer,
      audience: 'https://skjemaflyt.halden.example/api',
    });
    expect(payload).toMatchObject({
      scope: 'halden:skjemaflyt',
      client_id: `eskjema-${VENDOR}`,
      client_amr: 'private_key_jwt',
      token_type: 'Bearer',
      consumer: { authority: 'iso6523-actorid-upis', ID: `0192:${HALDEN}` },
      supplier: { authority: 'iso6523-actorid-upis', ID: `0192:${VENDOR}` },
    });
    expect(payload.exp).toBe((payload.iat ?? 0) + token.expiresIn);
    expect(typeof payload.jti).toBe('string');
    expect(decodeProtectedHeader(token.accessToken)).toMatchObject({ alg: 'RS256', kid: 'mp-1' });
  });

  it('an organisation calling by itself is the consumer, with no supplier; no resource means no audience', async () => {
    const { status, body } = await post('halden-intranett', haldenKey, { scope: 'halden:skjemaflyt' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'halden:skjemaflyt' });
    const { payload } = await jwtVerify(
      body.access_token,
      createLocalJWKSet((await (await fetch(`${mp.issuer}jwk`)).json()) as JSONWebKeySet),
    );
    expect(payload.consumer).toEqual({ authority: 'iso6523-actorid-upis', ID: `0192:${HALDEN}` });
    expect(payload.supplier).toBeUndefined();
    expect(payload.aud).toBeUndefined();
  });

  it('refuses grants Maskinporten refuses', async () => {
    const client = `eskjema-${VENDOR}`;
    const ok = { scope: 'halden:skjemaflyt', consumer_org: HALDEN };
    const other = (await rsaKey('vendor-1')).privateJwk;
    const refusals: [string, Promise<{ status: number; body: any }>, string][] = [
      ['signed with a key not registered', post(client, other, ok), 'invalid_grant'],
      ['for another audience', post(client, vendorKey, { ...ok, aud: 'https://maskinporten.no/' }), 'invalid_grant'],
      ['with two audiences', post(client, vendorKey, { ...ok, aud: [mp.issuer, 'x'] }), 'invalid_grant'],
      [
        'living longer than 120 s',
        post(client, vendorKey, { ...ok, exp: Math.floor(Date.now() / 1000) + 300 }),
        'invalid_grant',
      ],
      ['issued 60 s ago', post(client, vendorKey, { ...ok, iat: Math.floor(Date.now() / 1000) - 60 }), 'invalid_grant'],
      [
        'expired',
        post(client, vendorKey, {
          ...ok,
          iat: Math.floor(Date.now() / 1000) - 5,
          exp: Math.floor(Date.now() / 1000) - 2,
        }),
        'invalid_grant',
      ],
      ['with HS256 and the public key as the secret', hs256(client, ok), 'invalid_grant'],
      ['for a scope not granted', post(client, vendorKey, { ...ok, scope: 'halden:annet-api' }), 'invalid_scope'],
      ['without a scope', post(client, vendorKey, { consumer_org: HALDEN }), 'invalid_scope'],
      [
        'for an organisation that delegated nothing',
        post(client, vendorKey, { ...ok, consumer_org: '938587418' }),
        'invalid_scope',
      ],
      [
        'for the vendor itself, without delegation',
        post(client, vendorKey, { scope: 'halden:skjemaflyt' }),
        'invalid_scope',
      ],
      ['from an unknown client', post('ukjent', vendorKey, ok), 'invalid_client'],
    ];
    for (const [name, answer, error] of refusals) {
      const { status, body } = await answer;
      expect([status, body.error], name).toEqual([expect.any(Number), error]);
      expect(status, name).toBeGreaterThanOrEqual(400);
      expect(body.access_token, name).toBeUndefined();
    }
  });

  /** A grant "signed" with HS256, the client's public key as the secret (algorithm confusion). */
  async function hs256(clientId: string, claims: Record<string, unknown>) {
    const { kty, n, e } = vendorKey;
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({ iss: clientId, aud: mp.issuer, iat: now, exp: now + 60, ...claims })
      .setProtectedHeader({ alg: 'HS256', kid: vendorKey.kid ?? '' })
      .sign(new TextEncoder().encode(JSON.stringify({ kty, n, e })));
    return send(assertion);
  }

  it('takes a grant once: the same jti again is refused', async () => {
    const jti = randomUUID();
    const first = await post('halden-intranett', haldenKey, { scope: 'halden:skjemaflyt', jti });
    const again = await post('halden-intranett', haldenKey, { scope: 'halden:skjemaflyt', jti });
    expect(first.status).toBe(200);
    expect([again.status, again.body.error]).toEqual([400, 'invalid_grant']);
  });
});
