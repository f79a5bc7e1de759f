import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authSettingsFromEnv } from '../../shared/auth/settings.ts';
import { AuthenticationError, tokenVerifier } from '../../shared/auth/tokens.ts';

const settings = { issuer: 'skjemaflyt-local', audience: 'skjemaflyt', algorithms: ['ES256' as const] };
const provider = { 'skjemaflyt:provider': 'eskjema', scope: 'skjemaflyt:submit' };
let privateKey: CryptoKey;
let publicJwk: JWK;
let verify: ReturnType<typeof tokenVerifier>;

const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function token(
  claims: Record<string, unknown> = provider,
  edit: (jwt: SignJWT) => SignJWT = (j) => j,
  key = privateKey,
) {
  return edit(
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
      .setIssuer(settings.issuer)
      .setAudience(settings.audience)
      .setSubject('provider:eskjema')
      .setIssuedAt()
      .setExpirationTime('1h'),
  ).sign(key);
}

const refused = async (authorization: string | undefined) => {
  await expect(verify(authorization)).rejects.toBeInstanceOf(AuthenticationError);
};

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), alg: 'ES256' };
  verify = tokenVerifier({ publicJwk }, settings);
});

describe('token verification', () => {
  it('accepts a valid token and tells who it speaks for', async () => {
    expect(await verify(`Bearer ${await token()}`)).toEqual({
      kind: 'provider',
      providerId: 'eskjema',
      subject: 'provider:eskjema',
    });
  });

  it('refuses a missing token and other schemes', async () => {
    await refused(undefined);
    await refused('Basic ZXNramVtYTpoZW1tZWxpZw==');
    await refused('Bearer');
    await refused('Bearer not-a-jwt');
  });

  it('refuses an expired token, one not valid yet, and one without expiry', async () => {
    await refused(`Bearer ${await token(provider, (j) => j.setExpirationTime(now() - 120))}`);
    await refused(`Bearer ${await token(provider, (j) => j.setNotBefore(now() + 600))}`);
    const noExp = await new SignJWT(provider)
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(settings.issuer)
      .setAudience(settings.audience)
      .sign(privateKey);
    await refused(`Bearer ${noExp}`);
  });

  it('refuses another issuer or audience', async () => {
    await refused(`Bearer ${await token(provider, (j) => j.setIssuer('https://evil.example'))}`);
    await refused(`Bearer ${await token(provider, (j) => j.setAudience('another-api'))}`);
  });

  it('refuses a token signed with another key, and a tampered one', async () => {
    const other = await generateKeyPair('ES256');
    await refused(`Bearer ${await token(provider, (j) => j, other.privateKey)}`);
    const [header, , signature] = (await token()).split('.');
    const forged = b64({ ...provider, 'skjemaflyt:provider': 'halden-intranett', exp: now() + 600 });
    await refused(`Bearer ${header}.${forged}.${signature}`);
  });

  it('refuses alg: none', async () => {
    const claims = { ...provider, iss: settings.issuer, aud: settings.audience, exp: now() + 600 };
    await refused(`Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`);
    await refused(`Bearer ${b64({ alg: 'None' })}.${b64(claims)}.`);
  });

  it('refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const claims = { ...provider };
    for (const secret of [JSON.stringify(publicJwk), String(publicJwk.x)]) {
      const hs = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(secret));
      await refused(`Bearer ${hs}`);
    }
  });

  it('refuses tokens whose claims give no rights or look wrong', async () => {
    await refused(`Bearer ${await token({ scope: 'skjemaflyt:submit' })}`);
    await refused(`Bearer ${await token({ 'skjemaflyt:provider': 'eskjema' })}`);
    await refused(`Bearer ${await token({ 'skjemaflyt:provider': '../Admin', scope: 'skjemaflyt:submit' })}`);
    await refused(`Bearer ${await token({ 'skjemaflyt:admin': ['*'], scope: 'skjemaflyt:admin' })}`);
    await refused(`Bearer ${await token({ 'skjemaflyt:admin': [], scope: 'skjemaflyt:admin' })}`);
  });

  it('will not be configured with a symmetric algorithm or none', () => {
    expect(() => tokenVerifier({ publicJwk }, { ...settings, algorithms: ['HS256'] })).toThrow();
    expect(() => tokenVerifier({ publicJwk }, { ...settings, algorithms: ['none' as 'ES256'] })).toThrow();
    expect(() => tokenVerifier({ publicJwk }, { ...settings, algorithms: [] })).toThrow();
  });
});

describe('tokens from an identity provider’s JWKS', () => {
  let server: Server;
  let jwksUrl: string;
  let rsaKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    rsaKey = pair.privateKey;
    const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' }] };
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const idpToken = (kid: string, issuer = 'https://idp.example/') =>
    new SignJWT({ 'skjemaflyt:admin': ['3101'], scope: 'skjemaflyt:admin' })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(issuer)
      .setAudience('skjemaflyt-api')
      .setSubject('kari')
      .setExpirationTime('10m')
      .sign(rsaKey);

  it('reads the key source, issuer and audience from the environment and verifies against the JWKS', async () => {
    const { source, settings: fromEnv } = authSettingsFromEnv({
      SKJEMAFLYT_JWT_JWKS_URL: jwksUrl,
      SKJEMAFLYT_JWT_ISSUER: 'https://idp.example/',
      SKJEMAFLYT_JWT_AUDIENCE: 'skjemaflyt-api',
    });
    expect(source).toEqual({ jwksUrl });
    expect(fromEnv.algorithms).toEqual(['RS256', 'PS256', 'ES256']);
    const viaJwks = tokenVerifier(source, fromEnv);
    expect(await viaJwks(`Bearer ${await idpToken('idp-1')}`)).toMatchObject({
      kind: 'admin',
      municipalities: ['3101'],
    });
    await expect(viaJwks(`Bearer ${await idpToken('unknown-kid')}`)).rejects.toBeInstanceOf(AuthenticationError);
    await expect(viaJwks(`Bearer ${await idpToken('idp-1', 'https://other.example/')}`)).rejects.toBeInstanceOf(
      AuthenticationError,
    );
  });

  it('needs an issuer and an audience with a JWKS, HTTPS for a remote one, and no HS algorithms', () => {
    expect(() => authSettingsFromEnv({ SKJEMAFLYT_JWT_JWKS_URL: jwksUrl })).toThrow(/ISSUER/);
    const remote = authSettingsFromEnv({
      SKJEMAFLYT_JWT_JWKS_URL: 'http://idp.example/jwks',
      SKJEMAFLYT_JWT_ISSUER: 'i',
      SKJEMAFLYT_JWT_AUDIENCE: 'a',
    });
    expect(() => tokenVerifier(remote.source, remote.settings)).toThrow(/https/);
    const hs = authSettingsFromEnv({
      SKJEMAFLYT_JWT_JWKS_URL: jwksUrl,
      SKJEMAFLYT_JWT_ISSUER: 'i',
      SKJEMAFLYT_JWT_AUDIENCE: 'a',
      SKJEMAFLYT_JWT_ALGORITHMS: 'RS256,HS256',
    });
    expect(() => tokenVerifier(hs.source, hs.settings)).toThrow(/HS256/);
  });
});
