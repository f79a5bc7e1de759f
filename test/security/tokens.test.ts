import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderIdentity } from '../../shared/auth/maskinporten.ts';
import { authSettingsFromEnv } from '../../shared/auth/settings.ts';
import { type StaffAccess, staffAccessOf } from '../../shared/auth/staff.ts';
import {
  AuthenticationError,
  NotRecognisedError,
  principalResolver,
  type TrustedIssuers,
  tokenVerifier,
} from '../../shared/auth/tokens.ts';

/**
 * The handler's own check of a bearer token: Maskinporten's tokens as Maskinporten issues them (verified against its
 * JWKS), mapped to a provider by the configuration; staff's tokens from their own identity provider, their groups
 * or app roles mapped to municipalities and rights by the configuration.
 */

const MASKINPORTEN = 'https://test.maskinporten.no/';
const AUDIENCE = 'https://skjemaflyt.halden.example/api';
const HALDEN = '959159092';
const VENDOR = '310123455';
const INTRANET_CLIENT = '5b0e7c2a-3d41-4f7e-9a62-8c1d0e4b7f35';
const IDENTITIES: ProviderIdentity[] = [
  { providerId: 'eskjema', consumer: HALDEN, supplier: VENDOR, scope: 'halden:skjemaflyt' },
  { providerId: 'eskjema', consumer: '938587418', supplier: VENDOR, scope: 'innherred:skjemaflyt' },
  { providerId: 'halden-intranett', consumer: HALDEN, clientId: INTRANET_CLIENT, scope: 'halden:skjemaflyt' },
  { providerId: 'json-skjema', consumer: '938002134', scope: 'sarpsborg:skjemaflyt' },
];

/** The staff's identity provider (an Entra ID tenant) and the admin API's app registration */
const STAFF_IDP = 'https://login.microsoftonline.com/00000000-0000-4000-8000-000000003101/v2.0';
const ADMIN_API = 'api://skjemaflyt-halden';
const STAFF: StaffAccess = staffAccessOf([
  {
    staff: {
      access: [
        { group: 'halden-arkiv', municipalities: ['3101'], rights: ['read', 'retry-resolve'] },
        { group: 'halden-servicetorg', municipalities: ['3101'], rights: ['read'] },
      ],
    },
  },
  {
    staff: {
      claim: 'roles',
      access: [{ group: 'Innherred.Arkiv', municipalities: ['5037', '5038'], rights: ['read', 'retry-resolve'] }],
    },
  },
]);

const org = (orgnr: string) => ({ authority: 'iso6523-actorid-upis', ID: `0192:${orgnr}` });
/** The e-form vendor acting for Halden, as Maskinporten puts it in the token. */
const vendorForHalden = {
  scope: 'halden:skjemaflyt',
  client_amr: 'private_key_jwt',
  token_type: 'Bearer',
  client_id: 'f1e2d3c4-vendor',
  consumer: org(HALDEN),
  supplier: org(VENDOR),
};

let server: Server;
let mpKey: CryptoKey;
let adminKey: CryptoKey;
let adminJwk: JWK;
let issuers: TrustedIssuers;
let resolve: ReturnType<typeof principalResolver>;

const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function maskinporten(
  claims: Record<string, unknown> = vendorForHalden,
  edit: (jwt: SignJWT) => SignJWT = (j) => j,
  key = mpKey,
) {
  return edit(
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'mp-1' })
      .setIssuer(MASKINPORTEN)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setJti('jti-1')
      .setExpirationTime('2m'),
  ).sign(key);
}

const unauthorised = async (authorization: string | undefined) => {
  await expect(resolve(authorization)).rejects.toBeInstanceOf(AuthenticationError);
};

/** 403 naming what was not recognised, and never a byte of the token. */
const notRecognised = async (claims: Record<string, unknown>, ...named: string[]) => {
  const token = await maskinporten(claims);
  const error = await resolve(`Bearer ${token}`).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(NotRecognisedError);
  const { detail } = error as NotRecognisedError;
  for (const name of named) expect(detail).toContain(name);
  for (const part of token.split('.')) expect(detail).not.toContain(part.slice(0, 16));
  return detail;
};

beforeAll(async () => {
  const mp = await generateKeyPair('RS256', { extractable: true });
  mpKey = mp.privateKey;
  const jwks = { keys: [{ ...(await exportJWK(mp.publicKey)), kid: 'mp-1', alg: 'RS256', use: 'sig' }] };
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(jwks));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const admin = await generateKeyPair('ES256', { extractable: true });
  adminKey = admin.privateKey;
  adminJwk = { ...(await exportJWK(admin.publicKey)), alg: 'ES256' };
  issuers = {
    providers: {
      issuer: MASKINPORTEN,
      audience: AUDIENCE,
      keys: { jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwk` },
      algorithms: ['RS256'],
    },
    admins: {
      issuer: STAFF_IDP,
      audience: ADMIN_API,
      keys: { publicJwk: adminJwk },
      algorithms: ['ES256'],
    },
  };
  resolve = principalResolver(
    issuers,
    () => IDENTITIES,
    () => STAFF,
  );
});

afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe('Maskinporten tokens, mapped to a provider by the configuration', () => {
  it('a vendor acting for Halden is the e-form engine; Halden’s own intranet client is the intranet', async () => {
    expect(await resolve(`Bearer ${await maskinporten()}`)).toEqual({
      kind: 'provider',
      providerId: 'eskjema',
      subject: 'f1e2d3c4-vendor',
      organisation: HALDEN,
      supplier: VENDOR,
    });
    const intranet = { ...vendorForHalden, client_id: INTRANET_CLIENT, supplier: undefined };
    expect(await resolve(`Bearer ${await maskinporten(intranet)}`)).toMatchObject({
      providerId: 'halden-intranett',
      organisation: HALDEN,
    });
    // The same vendor for Levanger, with Innherred's scope.
    const levanger = { ...vendorForHalden, consumer: org('938587418'), scope: 'openid innherred:skjemaflyt' };
    expect(await resolve(`Bearer ${await maskinporten(levanger)}`)).toMatchObject({ providerId: 'eskjema' });
  });

  it('refuses with 403, naming the organisation, what no provider is', async () => {
    await notRecognised({ ...vendorForHalden, consumer: org('987654325') }, '987654325');
    await notRecognised({ ...vendorForHalden, supplier: org('923456783') }, '923456783', HALDEN);
    // Halden itself, with a client that is not the intranet's.
    await notRecognised({ ...vendorForHalden, supplier: undefined, client_id: 'another-client' }, 'another-client');
    // Sarpsborg calls by itself; a vendor acting for it was never accepted.
    await notRecognised({ ...vendorForHalden, consumer: org('938002134'), scope: 'sarpsborg:skjemaflyt' }, VENDOR);
  });

  it('refuses with 403 a token without the provider’s scope, naming the scope', async () => {
    const detail = await notRecognised({ ...vendorForHalden, scope: 'halden:annet-api' }, 'halden:skjemaflyt');
    expect(detail).not.toContain('annet-api');
    // Another deployment's scope does not do for Halden.
    await notRecognised({ ...vendorForHalden, scope: 'innherred:skjemaflyt' }, 'halden:skjemaflyt');
  });

  it('refuses with 401 a token that does not have Maskinporten’s claim shapes', async () => {
    await unauthorised(`Bearer ${await maskinporten({ ...vendorForHalden, consumer: HALDEN })}`);
    await unauthorised(`Bearer ${await maskinporten({ ...vendorForHalden, consumer: org('95915909') })}`);
    await unauthorised(
      `Bearer ${await maskinporten({ ...vendorForHalden, consumer: { authority: 'x', ID: `0192:${HALDEN}` } })}`,
    );
    await unauthorised(`Bearer ${await maskinporten({ ...vendorForHalden, supplier: 'leverandør' })}`);
    await unauthorised(`Bearer ${await maskinporten({ ...vendorForHalden, client_id: undefined })}`);
    // The hub's old home-made claims are nothing to it.
    await unauthorised(
      `Bearer ${await maskinporten({ 'skjemaflyt:provider': 'eskjema', scope: 'halden:skjemaflyt' })}`,
    );
  });

  it('refuses a missing token and other schemes', async () => {
    await unauthorised(undefined);
    await unauthorised('Basic ZXNramVtYTpoZW1tZWxpZw==');
    await unauthorised('Bearer');
    await unauthorised('Bearer not-a-jwt');
  });

  it('refuses an expired token, one not valid yet, and one without expiry', async () => {
    await unauthorised(`Bearer ${await maskinporten(vendorForHalden, (j) => j.setExpirationTime(now() - 120))}`);
    await unauthorised(`Bearer ${await maskinporten(vendorForHalden, (j) => j.setNotBefore(now() + 600))}`);
    const noExp = await new SignJWT(vendorForHalden)
      .setProtectedHeader({ alg: 'RS256', kid: 'mp-1' })
      .setIssuer(MASKINPORTEN)
      .setAudience(AUDIENCE)
      .sign(mpKey);
    await unauthorised(`Bearer ${noExp}`);
  });

  it('refuses another issuer, another audience, and no audience (no resource asked for)', async () => {
    await unauthorised(`Bearer ${await maskinporten(vendorForHalden, (j) => j.setIssuer('https://maskinporten.no/'))}`);
    await unauthorised(`Bearer ${await maskinporten(vendorForHalden, (j) => j.setAudience('https://other.api/'))}`);
    const noAud = await new SignJWT(vendorForHalden)
      .setProtectedHeader({ alg: 'RS256', kid: 'mp-1' })
      .setIssuer(MASKINPORTEN)
      .setExpirationTime('2m')
      .sign(mpKey);
    await unauthorised(`Bearer ${noAud}`);
  });

  it('refuses a token signed with another key, and a tampered one', async () => {
    const other = await generateKeyPair('RS256');
    await unauthorised(`Bearer ${await maskinporten(vendorForHalden, (j) => j, other.privateKey)}`);
    const [header, , signature] = (await maskinporten()).split('.');
    const forged = b64({ ...vendorForHalden, supplier: undefined, client_id: INTRANET_CLIENT, exp: now() + 600 });
    await unauthorised(`Bearer ${header}.${forged}.${signature}`);
  });

  it('refuses alg: none, and HS256 signed with a public key as the secret (algorithm confusion)', async () => {
    const claims = { ...vendorForHalden, iss: MASKINPORTEN, aud: AUDIENCE, exp: now() + 600 };
    await unauthorised(`Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`);
    await unauthorised(`Bearer ${b64({ alg: 'None' })}.${b64(claims)}.`);
    for (const secret of [JSON.stringify(adminJwk), String(adminJwk.x)]) {
      const hs = await new SignJWT(vendorForHalden)
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(MASKINPORTEN)
        .setAudience(AUDIENCE)
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(secret));
      await unauthorised(`Bearer ${hs}`);
    }
  });

  it('a Maskinporten token is never taken for an admin token, nor the other way round', async () => {
    // A staff token signed by the staff's key but naming Maskinporten as issuer.
    const posing = await new SignJWT({ sub: 'kari', groups: ['halden-arkiv'] })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(MASKINPORTEN)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(adminKey);
    await unauthorised(`Bearer ${posing}`);
    // Maskinporten's claims under the staff's issuer: no person (no sub), no groups.
    const mixed = await new SignJWT(vendorForHalden)
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(STAFF_IDP)
      .setAudience(ADMIN_API)
      .setExpirationTime('5m')
      .sign(adminKey);
    await unauthorised(`Bearer ${mixed}`);
  });
});

describe('staff tokens from their identity provider, rights from the configuration', () => {
  const staff = (claims: Record<string, unknown>, edit: (jwt: SignJWT) => SignJWT = (j) => j) =>
    edit(
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer(STAFF_IDP)
        .setAudience(ADMIN_API)
        .setSubject('kari-oid')
        .setExpirationTime('5m'),
    ).sign(adminKey);

  it('gives the municipalities and rights of the person’s groups or app roles, and records who they are', async () => {
    expect(await resolve(`Bearer ${await staff({ name: 'Kari Arkivar', groups: ['halden-arkiv', 'alle'] })}`)).toEqual({
      kind: 'admin',
      subject: 'kari-oid',
      name: 'Kari Arkivar',
      municipalities: ['3101'],
      canRetryResolve: ['3101'],
    });
    expect(await resolve(`Bearer ${await staff({ groups: ['halden-servicetorg'] })}`)).toMatchObject({
      municipalities: ['3101'],
      canRetryResolve: [],
    });
    // Innherred maps app roles (the `roles` claim); a group of that name is not a role.
    expect(await resolve(`Bearer ${await staff({ roles: ['Innherred.Arkiv'] })}`)).toMatchObject({
      municipalities: ['5037', '5038'],
      canRetryResolve: ['5037', '5038'],
    });
    expect(await resolve(`Bearer ${await staff({ groups: ['Innherred.Arkiv'] })}`)).toMatchObject({
      municipalities: [],
    });
  });

  it('the hub’s old home-made claims give nothing; a token naming no person is refused', async () => {
    expect(
      await resolve(`Bearer ${await staff({ 'skjemaflyt:admin': ['3101'], scope: 'skjemaflyt:admin' })}`),
    ).toMatchObject({ municipalities: [], canRetryResolve: [] });
    await unauthorised(`Bearer ${await staff({ groups: ['halden-arkiv'] }, (j) => j.setSubject(''))}`);
  });

  it('with scopes configured, a token needs one of them in scp (Entra ID) or scope', async () => {
    const scoped = principalResolver(
      { admins: { ...(issuers.admins as NonNullable<TrustedIssuers['admins']>), requiredScopes: ['Admin.ReadWrite'] } },
      () => [],
      () => STAFF,
    );
    const groups = { groups: ['halden-arkiv'] };
    expect(await scoped(`Bearer ${await staff({ ...groups, scp: 'openid Admin.ReadWrite' })}`)).toMatchObject({
      municipalities: ['3101'],
    });
    expect(await scoped(`Bearer ${await staff({ ...groups, scope: 'Admin.ReadWrite' })}`)).toMatchObject({
      municipalities: ['3101'],
    });
    for (const claims of [groups, { ...groups, scp: 'Admin.Read' }, { ...groups, scp: 'admin.readwrite' }]) {
      await expect(scoped(`Bearer ${await staff(claims)}`)).rejects.toBeInstanceOf(AuthenticationError);
    }
    expect(
      authSettingsFromEnv({
        SKJEMAFLYT_ADMIN_ISSUER: STAFF_IDP,
        SKJEMAFLYT_ADMIN_AUDIENCE: ADMIN_API,
        SKJEMAFLYT_ADMIN_JWKS_URL: 'https://login.example/keys',
        SKJEMAFLYT_ADMIN_SCOPES: 'Admin.ReadWrite Admin.Read',
      }).admins?.requiredScopes,
    ).toEqual(['Admin.ReadWrite', 'Admin.Read']);
  });

  it('refuses another audience (a token for another API), an expired one, and one signed by another key', async () => {
    await unauthorised(`Bearer ${await staff({ groups: ['halden-arkiv'] }, (j) => j.setAudience('api://other'))}`);
    await unauthorised(`Bearer ${await staff({ groups: ['halden-arkiv'] }, (j) => j.setExpirationTime(now() - 120))}`);
    const other = await generateKeyPair('ES256');
    const forged = await new SignJWT({ groups: ['halden-arkiv'] })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(STAFF_IDP)
      .setAudience(ADMIN_API)
      .setSubject('mallory')
      .setExpirationTime('5m')
      .sign(other.privateKey);
    await unauthorised(`Bearer ${forged}`);
  });
});

describe('issuer settings', () => {
  it('reads each caller kind’s issuer, audience and keys from the environment', () => {
    const settings = authSettingsFromEnv({
      SKJEMAFLYT_PROVIDER_ISSUER: MASKINPORTEN,
      SKJEMAFLYT_PROVIDER_AUDIENCE: AUDIENCE,
      SKJEMAFLYT_PROVIDER_JWKS_URL: 'https://test.maskinporten.no/jwk',
      SKJEMAFLYT_ADMIN_ISSUER: STAFF_IDP,
      SKJEMAFLYT_ADMIN_AUDIENCE: ADMIN_API,
      SKJEMAFLYT_ADMIN_PUBLIC_JWK: JSON.stringify(adminJwk),
    });
    expect(settings.providers).toEqual({
      issuer: MASKINPORTEN,
      audience: AUDIENCE,
      keys: { jwksUrl: 'https://test.maskinporten.no/jwk' },
      algorithms: ['RS256', 'PS256', 'ES256'],
    });
    expect(settings.admins).toMatchObject({ issuer: STAFF_IDP, audience: ADMIN_API, algorithms: ['ES256'] });
    // A function with only the providers' issuer lets no admin in, and the other way round.
    const adminOnly = {
      SKJEMAFLYT_ADMIN_ISSUER: STAFF_IDP,
      SKJEMAFLYT_ADMIN_AUDIENCE: ADMIN_API,
      SKJEMAFLYT_ADMIN_PUBLIC_JWK: JSON.stringify(adminJwk),
    };
    expect(Object.keys(authSettingsFromEnv(adminOnly))).toEqual(['admins']);
    // No default issuer any more: a single key names its issuer and audience.
    expect(() => authSettingsFromEnv({ SKJEMAFLYT_ADMIN_PUBLIC_JWK: JSON.stringify(adminJwk) })).toThrow(/ISSUER/);
  });

  it('needs an issuer and an audience with a JWKS, HTTPS for a remote one, no HS algorithms, and two issuers', () => {
    expect(() => authSettingsFromEnv({ SKJEMAFLYT_PROVIDER_JWKS_URL: 'https://x/jwk' })).toThrow(/ISSUER/);
    expect(() => authSettingsFromEnv({})).toThrow(/No token issuer/);
    const remote = authSettingsFromEnv({
      SKJEMAFLYT_PROVIDER_JWKS_URL: 'http://maskinporten.example/jwk',
      SKJEMAFLYT_PROVIDER_ISSUER: 'i',
      SKJEMAFLYT_PROVIDER_AUDIENCE: 'a',
    });
    expect(() => tokenVerifier(remote)).toThrow(/https/);
    const hs = authSettingsFromEnv({
      SKJEMAFLYT_PROVIDER_JWKS_URL: 'https://x/jwk',
      SKJEMAFLYT_PROVIDER_ISSUER: 'i',
      SKJEMAFLYT_PROVIDER_AUDIENCE: 'a',
      SKJEMAFLYT_PROVIDER_ALGORITHMS: 'RS256,HS256',
    });
    expect(() => tokenVerifier(hs)).toThrow(/HS256/);
    const providers = issuers.providers as NonNullable<TrustedIssuers['providers']>;
    expect(() => tokenVerifier({ providers, admins: { ...providers } })).toThrow(/different/);
  });
});
