import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { importJWK, type JWK, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';
import { devKeysDir, loadOrCreateKeyPair } from '../../shared/auth/dev-keys.ts';
import type { ProviderIdentity } from '../../shared/auth/maskinporten.ts';
import type { Registry } from '../../shared/config/registry.ts';
import { JWT_BEARER, type LocalMaskinportenClient } from './maskinporten.ts';

/**
 * The providers' side of the local Maskinporten: their clients (one per organisation that calls, derived from the
 * configuration), their keys under `<data dir>/dev-keys/maskinporten/`, and the JWT-bearer grant, sent as a
 * Maskinporten client sends it (oauth4webapi, metadata from /.well-known/oauth-authorization-server).
 */

/** The audience local provider tokens are asked for (`resource`), and the hub checks (`aud`). */
export const LOCAL_PROVIDER_AUDIENCE = 'https://skjemaflyt.localhost/api';
const CLIENT_ALGORITHM = 'RS256';

/** Where the hub tells the local tools its Maskinporten: `<data dir>/maskinporten.json`. */
export interface LocalMaskinportenState {
  issuer: string;
  audience: string;
}

const stateFile = (dataDir: string) => join(dataDir, 'maskinporten.json');

export async function writeMaskinportenState(dataDir: string, state: LocalMaskinportenState): Promise<void> {
  await writeFile(stateFile(dataDir), `${JSON.stringify(state, null, 2)}\n`);
}

export async function readMaskinportenState(dataDir: string): Promise<LocalMaskinportenState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile(dataDir), 'utf8'));
  } catch {
    return undefined;
  }
}

/** The local Maskinporten's own signing key (RS256, like Maskinporten's). */
export async function loadOrCreateMaskinportenKey(dataDir: string): Promise<JWK> {
  const file = join(devKeysDir(dataDir), 'maskinporten', 'signing-key.json');
  return (await loadOrCreateKeyPair(file, CLIENT_ALGORITHM, 'maskinporten')).privateJwk;
}

/** A client's key pair (what the provider registered in Maskinporten, and keeps to sign its grants). */
export async function loadOrCreateClientKey(dataDir: string, clientId: string) {
  const safe = clientId.replace(/[^A-Za-z0-9._-]/g, '_');
  return loadOrCreateKeyPair(
    join(devKeysDir(dataDir), 'maskinporten', 'clients', `${safe}.json`),
    CLIENT_ALGORITHM,
    safe,
  );
}

/** The client a configured identity uses: its own clientId, or one per provider and calling organisation. */
export function clientIdFor(identity: ProviderIdentity): string {
  return identity.clientId ?? `${identity.providerId}-${identity.supplier ?? identity.consumer}`;
}

/** What the local Maskinporten registers, without keys: each calling organisation's client, scopes, delegations. */
export function localClients(identities: readonly ProviderIdentity[]): Omit<LocalMaskinportenClient, 'jwks'>[] {
  const clients = new Map<string, Omit<LocalMaskinportenClient, 'jwks'>>();
  for (const identity of identities) {
    const clientId = clientIdFor(identity);
    const client = clients.get(clientId) ?? {
      clientId,
      organisation: identity.supplier ?? identity.consumer,
      scopes: [],
      delegations: [],
    };
    if (identity.supplier) {
      const delegation = client.delegations.find((d) => d.consumer === identity.consumer);
      if (delegation) delegation.scopes = [...new Set([...delegation.scopes, identity.scope])];
      else client.delegations.push({ consumer: identity.consumer, scopes: [identity.scope] });
    } else {
      client.scopes = [...new Set([...client.scopes, identity.scope])];
    }
    clients.set(clientId, client);
  }
  return [...clients.values()];
}

/** Clients with their public keys (made on first use), ready for startLocalMaskinporten. */
export async function withKeys(
  dataDir: string,
  clients: Omit<LocalMaskinportenClient, 'jwks'>[],
): Promise<LocalMaskinportenClient[]> {
  return Promise.all(
    clients.map(async (c) => ({
      ...c,
      jwks: { keys: [(await loadOrCreateClientKey(dataDir, c.clientId)).publicJwk] },
    })),
  );
}

export interface GrantRequest {
  issuer: string;
  clientId: string;
  privateJwk: JWK;
  scope: string;
  /** For a vendor acting for an organisation that delegated the scope to it */
  consumerOrg?: string;
  /** The API the token is for: becomes the token's `aud` */
  resource?: string;
}

export interface MaskinportenToken {
  accessToken: string;
  expiresIn: number;
  scope: string;
}

/** Maskinporten's grant needs no client authentication beyond the signed assertion. */
const assertionOnly: oauth.ClientAuth = () => {};
const insecureLocal = (issuer: URL) =>
  issuer.protocol === 'http:' && issuer.hostname === '127.0.0.1' ? { [oauth.allowInsecureRequests]: true } : {};
const servers = new Map<string, Promise<oauth.AuthorizationServer>>();

function authorizationServer(issuer: string): Promise<oauth.AuthorizationServer> {
  let server = servers.get(issuer);
  if (!server) {
    const url = new URL(issuer);
    server = oauth
      .discoveryRequest(url, { algorithm: 'oauth2', ...insecureLocal(url) })
      .then((response) => oauth.processDiscoveryResponse(url, response));
    server.catch(() => servers.delete(issuer));
    servers.set(issuer, server);
  }
  return server;
}

/** One JWT-bearer grant at Maskinporten's token endpoint (discovered from the issuer's metadata). */
export async function requestToken(request: GrantRequest): Promise<MaskinportenToken> {
  const as = await authorizationServer(request.issuer);
  const alg = request.privateJwk.alg ?? CLIENT_ALGORITHM;
  const assertion = await new SignJWT({
    scope: request.scope,
    ...(request.consumerOrg ? { consumer_org: request.consumerOrg } : {}),
    ...(request.resource ? { resource: request.resource } : {}),
  })
    .setProtectedHeader({ alg, ...(request.privateJwk.kid ? { kid: request.privateJwk.kid } : {}) })
    .setIssuer(request.clientId)
    .setAudience(as.issuer)
    .setIssuedAt()
    .setExpirationTime('60s')
    .setJti(randomUUID())
    .sign(await importJWK(request.privateJwk, alg));
  const client = { client_id: request.clientId };
  const response = await oauth.genericTokenEndpointRequest(
    as,
    client,
    assertionOnly,
    JWT_BEARER,
    new URLSearchParams({ assertion }),
    insecureLocal(new URL(request.issuer)),
  );
  const result = await oauth.processGenericTokenEndpointResponse(as, client, response);
  return { accessToken: result.access_token, expiresIn: result.expires_in ?? 0, scope: result.scope ?? '' };
}

/**
 * Tokens for configured providers, the way each would get them: `token(providerId, municipality?)` picks the
 * provider's organisation for that municipality (a vendor acting for it) or its first, sends the grant, and keeps
 * the token until a minute before it expires.
 */
export function providerTokens(options: { dataDir: string; registry: Registry; maskinporten: LocalMaskinportenState }) {
  const cache = new Map<string, { token: string; until: number }>();
  return async (providerId: string, municipality?: string): Promise<string> => {
    const identity = identityFor(options.registry, providerId, municipality);
    const key = `${clientIdFor(identity)}/${identity.consumer}/${identity.scope}`;
    const cached = cache.get(key);
    if (cached && cached.until > Date.now()) return cached.token;
    const { privateJwk } = await loadOrCreateClientKey(options.dataDir, clientIdFor(identity));
    const token = await requestToken({
      issuer: options.maskinporten.issuer,
      clientId: clientIdFor(identity),
      privateJwk,
      scope: identity.scope,
      ...(identity.supplier ? { consumerOrg: identity.consumer } : {}),
      resource: options.maskinporten.audience,
    });
    cache.set(key, { token: token.accessToken, until: Date.now() + (token.expiresIn - 60) * 1000 });
    return token.accessToken;
  };
}

/** The provider's organisation that submits for this municipality (its own orgnr as consumer), else its first. */
export function identityFor(registry: Registry, providerId: string, municipality?: string): ProviderIdentity {
  const identities = registry.providerIdentities.filter((i) => i.providerId === providerId);
  const orgnr = municipality ? registry.municipality(municipality)?.organisationNumber : undefined;
  const identity = identities.find((i) => i.consumer === orgnr) ?? identities[0];
  if (!identity) throw new Error(`Unknown provider "${providerId}"`);
  return identity;
}

/** Extra clients (tests: organisations the configuration does not know) added to the derived ones, by clientId. */
export function mergeClients(
  base: Omit<LocalMaskinportenClient, 'jwks'>[],
  extra: Omit<LocalMaskinportenClient, 'jwks'>[],
): Omit<LocalMaskinportenClient, 'jwks'>[] {
  const merged = new Map(base.map((c) => [c.clientId, { ...c, delegations: [...c.delegations] }]));
  for (const c of extra) {
    const known = merged.get(c.clientId);
    if (!known) {
      merged.set(c.clientId, c);
      continue;
    }
    const delegations = new Map(known.delegations.map((d) => [d.consumer, d.scopes]));
    for (const d of c.delegations)
      delegations.set(d.consumer, [...new Set([...(delegations.get(d.consumer) ?? []), ...d.scopes])]);
    merged.set(c.clientId, {
      ...known,
      scopes: [...new Set([...known.scopes, ...c.scopes])],
      delegations: [...delegations].map(([consumer, scopes]) => ({ consumer, scopes })),
    });
  }
  return [...merged.values()];
}
