import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_STAFF,
  LOCAL_ADMIN_API,
  type LocalIdentityProvider,
  startLocalIdentityProvider,
} from '../../infra/local/identity-provider.ts';
import { LOCAL_CLI_CLIENT, staffAccessToken } from '../../infra/local/staff-sign-in.ts';

/**
 * The local identity provider for archive staff, as the console's backend will use it: authorization code with
 * PKCE, a Norwegian login page, an ID token naming the person and their groups.
 */

const REDIRECT = 'http://127.0.0.1:8080/auth/callback';
const client: oauth.Client = { client_id: 'skjemaflyt-console' };
const secret = 'console-secret';
let idp: LocalIdentityProvider;
let as: oauth.AuthorizationServer;
const insecure = { [oauth.allowInsecureRequests]: true };

beforeAll(async () => {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  idp = await startLocalIdentityProvider({
    signingKey: { ...(await exportJWK(privateKey)), kid: 'idp-1', alg: 'RS256' },
    clients: [
      {
        clientId: client.client_id,
        clientSecret: secret,
        redirectUris: [REDIRECT],
        postLogoutRedirectUris: ['http://127.0.0.1:8080/console/'],
      },
      { clientId: LOCAL_CLI_CLIENT.clientId, redirectUris: [LOCAL_CLI_CLIENT.redirectUri], postLogoutRedirectUris: [] },
    ],
  });
  const issuer = new URL(idp.issuer);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
});

afterAll(() => idp?.close());

/** A browser's cookies, by name (the provider's cookies are few and path-scoped; names are enough here). */
class Browser {
  private readonly cookies = new Map<string, string>();

  async get(url: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: this.header() },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  }

  /** Follows redirects until one leaves the identity provider; returns that location. */
  async follow(url: string, init: RequestInit = {}): Promise<{ response: Response; location?: string }> {
    let response = await this.get(url, init);
    for (let hops = 0; hops < 10 && response.status >= 300 && response.status < 400; hops++) {
      const location = new URL(response.headers.get('location') ?? '', url).href;
      if (!location.startsWith(idp.issuer)) return { response, location };
      response = await this.get(location);
      url = location;
    }
    return { response };
  }

  private header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

async function signIn(username: string, password = 'demo') {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = new URL(as.authorization_endpoint ?? '');
  url.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid profile groups',
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  }).toString();
  const browser = new Browser();
  const { response: loginPage } = await browser.follow(url.href);
  const html = await loginPage.text();
  const action = /action="([^"]+)"/.exec(html)?.[1] ?? '';
  const submitted = await browser.follow(new URL(action, idp.issuer).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ brukernavn: username, passord: password }),
  });
  return { html, submitted, verifier, state, nonce };
}

describe('the local identity provider for archive staff', () => {
  it('shows a login page in Norwegian, with labelled fields', async () => {
    const { html } = await signIn('kari');
    expect(html).toContain('<html lang="nb">');
    expect(html).toContain('<label for="brukernavn">Brukernavn</label>');
    expect(html).toContain('<label for="passord">Passord</label>');
  });

  it('signs each demo person in and gives their name and groups in the ID token', async () => {
    for (const person of DEMO_STAFF) {
      const { submitted, verifier, state, nonce } = await signIn(person.username);
      expect(submitted.location, person.username).toMatch(/^http:\/\/127\.0\.0\.1:8080\/auth\/callback\?/);
      const params = oauth.validateAuthResponse(as, client, new URL(submitted.location ?? ''), state);
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        oauth.ClientSecretBasic(secret),
        params,
        REDIRECT,
        verifier,
        insecure,
      );
      const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce });
      const claims = oauth.getValidatedIdTokenClaims(result);
      expect(claims).toMatchObject({ sub: person.subject, name: person.name, groups: person.groups });
    }
  });

  it('a wrong password shows the form again with the error, and no code', async () => {
    const { submitted } = await signIn('kari', 'feil');
    expect(submitted.location).toBeUndefined();
    expect(submitted.response.status).toBe(401);
    expect(await submitted.response.text()).toContain('role="alert" id="feil">Feil brukernavn eller passord.');
  });

  it('refuses an authorization request without PKCE', async () => {
    const url = new URL(as.authorization_endpoint ?? '');
    url.search = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid',
      state: 'x',
    }).toString();
    const { location } = await new Browser().follow(url.href);
    expect(new URL(location ?? 'http://x/').searchParams.get('error')).toBe('invalid_request');
  });

  it('gives a command-line client (PKCE, no secret) a JWT access token for the admin API with name and groups', async () => {
    const token = await staffAccessToken(idp.issuer, 'ivar');
    const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(`${idp.issuer}/jwks`)), {
      issuer: idp.issuer,
      audience: LOCAL_ADMIN_API.audience,
    });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({
      sub: 'b2e1d3c5-ivar',
      name: 'Ivar Innherred',
      groups: ['skjemaflyt-innherred-arkiv'],
      scope: expect.stringContaining(LOCAL_ADMIN_API.scope),
    });
    await expect(staffAccessToken(idp.issuer, 'ivar', 'feil')).rejects.toThrow(/failed/);
  });
});
