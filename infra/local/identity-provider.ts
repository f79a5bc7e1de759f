import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { closeServer } from './maskinporten.ts';
import { quietly } from './oidc-provider.ts';

/**
 * A local OpenID Provider for archive staff, standing in for the municipality's Entra ID or Ansattporten:
 * oidc-provider (a certified implementation) with the authorization code flow, PKCE (S256) required, a login
 * page in Norwegian, and demo staff whose `groups` claim says which municipalities and rights they have (the hub's
 * configuration maps groups to rights, as it would Entra ID's groups or app roles). First-party client: no consent
 * page. RP-initiated logout ends the session. A client that names the admin API as its resource (RFC 8707) gets a
 * JWT access token for it with the person's name and groups, as Entra ID issues one for an API's app registration:
 * what `npm run token -- --admin` and the tests use as bearer tokens.
 */

/** The admin API as a resource at the local identity provider: the access tokens' `aud`, and its scope. */
export const LOCAL_ADMIN_API = { audience: 'https://skjemaflyt.localhost/admin', scope: 'skjemaflyt.admin' } as const;

export interface StaffMember {
  /** The username typed on the login page */
  username: string;
  password: string;
  /** The stable subject (`sub`) */
  subject: string;
  name: string;
  groups: string[];
}

/** The demo staff (password `demo`): an archivist of Halden, one of Innherred, a read-only service desk, no rights. */
export const DEMO_STAFF: StaffMember[] = [
  {
    username: 'kari',
    password: 'demo',
    subject: 'a1f0c2d4-kari',
    name: 'Kari Arkivar',
    groups: ['skjemaflyt-halden-arkiv'],
  },
  {
    username: 'ivar',
    password: 'demo',
    subject: 'b2e1d3c5-ivar',
    name: 'Ivar Innherred',
    groups: ['skjemaflyt-innherred-arkiv'],
  },
  {
    username: 'siri',
    password: 'demo',
    subject: 'c3d2e4f6-siri',
    name: 'Siri Servicetorget',
    groups: ['skjemaflyt-halden-servicetorg'],
  },
  // A group no configuration maps: signed in, with no rights in Skjemaflyt.
  {
    username: 'nils',
    password: 'demo',
    subject: 'd4e3f5a7-nils',
    name: 'Nils Uten Tilgang',
    groups: ['alle-ansatte'],
  },
];

export interface StaffClient {
  clientId: string;
  /** Without one, a public client (PKCE only), like a command-line tool */
  clientSecret?: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
}

export interface LocalIdentityProviderOptions {
  port?: number;
  host?: string;
  /** RSA private JWK (kid, alg) the ID tokens are signed with */
  signingKey: JWK;
  clients: StaffClient[];
  staff?: StaffMember[];
}

export interface LocalIdentityProvider {
  /** `http://127.0.0.1:<port>` (no trailing slash, like Entra ID's issuers) */
  issuer: string;
  port: number;
  /** Adds a person (tests: someone with exactly the groups a test needs) */
  addStaff(member: StaffMember): void;
  close(): Promise<void>;
}

const LOGIN_PATH = '/innlogging/';

export async function startLocalIdentityProvider(
  options: LocalIdentityProviderOptions,
): Promise<LocalIdentityProvider> {
  const host = options.host ?? '127.0.0.1';
  const staff = [...(options.staff ?? DEMO_STAFF)];
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${host}:${port}`;

  const { default: Provider, errors } = await quietly(() => import('oidc-provider'));
  const provider = await quietly(
    () =>
      new Provider(issuer, {
        clients: options.clients.map((c) => ({
          client_id: c.clientId,
          ...(c.clientSecret ? { client_secret: c.clientSecret } : {}),
          redirect_uris: c.redirectUris,
          post_logout_redirect_uris: c.postLogoutRedirectUris,
          response_types: ['code'],
          grant_types: ['authorization_code'],
          token_endpoint_auth_method: c.clientSecret ? 'client_secret_basic' : 'none',
        })),
        jwks: { keys: [{ ...options.signingKey, use: 'sig' }] },
        cookies: { keys: [randomBytes(32).toString('base64url')] },
        pkce: { required: () => true },
        // A working day's session at the provider; the console's own session is shorter (its backend decides).
        ttl: {
          Interaction: 600,
          Session: 8 * 3600,
          Grant: 8 * 3600,
          AuthorizationCode: 60,
          AccessToken: 600,
          IdToken: 600,
        },
        scopes: ['openid', 'profile', 'groups'],
        claims: { openid: ['sub'], profile: ['name', 'preferred_username'], groups: ['groups'] },
        // The ID token carries the claims itself, as Entra ID's does (groups, name): the hub reads no userinfo.
        conformIdTokenClaims: false,
        // The admin API's access tokens carry the person's name and groups, as Entra ID's do for an API.
        extraTokenClaims: async (_ctx, token) => {
          const accountId = 'accountId' in token ? token.accountId : undefined;
          const person = staff.find((p) => p.subject === accountId);
          return person ? { name: person.name, groups: person.groups } : undefined;
        },
        findAccount: async (_ctx, id) => {
          const person = staff.find((p) => p.subject === id);
          if (!person) return undefined;
          return {
            accountId: person.subject,
            claims: async () => ({
              sub: person.subject,
              name: person.name,
              preferred_username: person.username,
              groups: person.groups,
            }),
          };
        },
        interactions: { url: (_ctx, interaction) => `${LOGIN_PATH}${interaction.uid}` },
        // The console is the municipality's own application: no consent page.
        loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
          const { client, session } = ctx.oidc;
          if (!client || !session?.accountId) return undefined;
          const existing = session.grantIdFor(client.clientId);
          if (existing) return ctx.oidc.provider.Grant.find(existing);
          const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
          grant.addOIDCScope('openid profile groups');
          grant.addOIDCClaims(['name', 'preferred_username', 'groups']);
          grant.addResourceScope(LOCAL_ADMIN_API.audience, LOCAL_ADMIN_API.scope);
          await grant.save();
          return grant;
        },
        features: {
          devInteractions: { enabled: false },
          resourceIndicators: {
            enabled: true,
            defaultResource: async (_ctx, _client, oneOf) => oneOf ?? undefined,
            useGrantedResource: async () => true,
            getResourceServerInfo: async (_ctx, resource) => {
              if (resource !== LOCAL_ADMIN_API.audience) throw new errors.InvalidTarget();
              return {
                scope: LOCAL_ADMIN_API.scope,
                audience: LOCAL_ADMIN_API.audience,
                accessTokenTTL: 600,
                accessTokenFormat: 'jwt',
                jwt: { sign: { alg: 'RS256' } },
              };
            },
          },
          rpInitiatedLogout: {
            enabled: true,
            logoutSource: async (ctx, form) => {
              ctx.body = page(
                'Logg ut',
                `<main><h1>Logg ut</h1><p>Vil du logge ut av Skjemaflyt?</p>${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Logg ut</button></main>`,
              );
            },
            postLogoutSuccessSource: async (ctx) => {
              ctx.body = page('Logget ut', '<main><h1>Du er logget ut</h1></main>');
            },
          },
        },
        renderError: async (ctx, out) => {
          ctx.type = 'html';
          ctx.body = page(
            'Feil',
            `<main><h1>Noe gikk galt</h1><p>${escapeHtml(String(out.error_description ?? out.error))}</p></main>`,
          );
        },
      }),
  );

  // The login form's submission ends in a redirect to the client: CSP form-action covers those redirects too.
  const formTargets = [...new Set(options.clients.flatMap((c) => c.redirectUris.map((u) => new URL(u).origin)))].join(
    ' ',
  );
  const koa = provider.callback();
  server.on('request', async (req, res) => {
    try {
      if (req.url?.startsWith(LOGIN_PATH)) await login(req, res);
      else koa(req, res);
    } catch {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        page(
          'Feil',
          '<main><h1>Innloggingen er utløpt</h1><p>Gå tilbake til Skjemaflyt og logg inn på nytt.</p></main>',
        ),
      );
    }
  });

  /** The login page: username and password, in Norwegian; a wrong pair shows the form again with the error. */
  async function login(req: IncomingMessage, res: ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name !== 'login') {
      // The grant is loaded by loadExistingGrant; nothing else to ask.
      await provider.interactionFinished(req, res, { consent: {} }, { mergeWithLastSubmission: true });
      return;
    }
    if (req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const person = staff.find((p) => p.username === form.get('brukernavn')?.trim().toLowerCase());
      if (person && same(person.password, form.get('passord') ?? '')) {
        await provider.interactionFinished(req, res, { login: { accountId: person.subject } });
        return;
      }
      return loginForm(res, details.uid, formTargets, 'Feil brukernavn eller passord.', form.get('brukernavn') ?? '');
    }
    return loginForm(res, details.uid, formTargets);
  }

  return {
    issuer,
    port,
    addStaff: (member) => {
      if (!staff.some((p) => p.username === member.username)) staff.push(member);
    },
    close: () => closeServer(server),
  };
}

function loginForm(res: ServerResponse, uid: string, formTargets: string, error?: string, username = '') {
  res.writeHead(error ? 401 : 200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'self' ${formTargets}`,
  });
  res.end(
    page(
      'Logg inn',
      `<main><h1>Logg inn på Skjemaflyt</h1>
<p>Kommunens innlogging for ansatte (lokal demo).</p>
${error ? `<p role="alert" id="feil">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${LOGIN_PATH}${escapeHtml(uid)}"${error ? ' aria-describedby="feil"' : ''}>
<p><label for="brukernavn">Brukernavn</label><br><input id="brukernavn" name="brukernavn" autocomplete="username" required${username ? ` value="${escapeHtml(username.slice(0, 100))}"` : ' autofocus'}></p>
<p><label for="passord">Passord</label><br><input id="passord" name="passord" type="password" autocomplete="current-password" required${username ? ' autofocus' : ''}></p>
<p><button type="submit">Logg inn</button></p>
</form></main>`,
    ),
  );
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="nb"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function same(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16 * 1024) throw new Error('too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
