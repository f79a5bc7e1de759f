import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { devKeysDir, loadOrCreateKeyPair } from '../../shared/auth/dev-keys.ts';
import { type StaffAccess, staffPrincipal } from '../../shared/auth/staff.ts';
import type { JwtIssuerSettings } from '../../shared/runtime/env.ts';
import { DEMO_STAFF, LOCAL_ADMIN_API, type StaffMember, startLocalIdentityProvider } from './identity-provider.ts';
import { LOCAL_CLI_CLIENT, staffAccessToken } from './staff-sign-in.ts';

/**
 * The hub's side of the local identity provider for archive staff: started beside the hub, with the console's
 * client (redirect URI `<hub>/auth/callback`, a secret made at start) and the command-line client, its signing key
 * kept in the data dir and its issuer in `<data dir>/identity-provider.json` (so bearer tokens outlive a restart
 * on the same port, and `npm run token -- --admin` finds it).
 */

export const LOCAL_CONSOLE_CLIENT_ID = 'skjemaflyt-console';
/** Asked for at sign-in: the person, their name and their groups (Entra ID puts groups in the ID token). */
export const LOCAL_SIGN_IN_SCOPES = ['openid', 'profile', 'groups'];

export interface LocalStaffSignIn {
  issuer: string;
  /** The admin function's token settings (SKJEMAFLYT_ADMIN_*) */
  adminTokens: JwtIssuerSettings;
  /** The console-session function's sign-in settings, without the session's lifetime */
  signIn: {
    consoleUrl: string;
    issuer: string;
    clientId: string;
    clientSecret: { env: string; value: string };
    scopes: string[];
  };
  addStaff(member: StaffMember): void;
  close(): Promise<void>;
}

interface State {
  issuer: string;
}

const stateFile = (dataDir: string) => join(dataDir, 'identity-provider.json');

export async function readIdentityProviderState(dataDir: string): Promise<State | undefined> {
  try {
    return JSON.parse(await readFile(stateFile(dataDir), 'utf8'));
  } catch {
    return undefined;
  }
}

/** The local console's client secret, as a variable of the sign-in function (AWS: a Secrets Manager secret) */
const LOCAL_CONSOLE_SECRET_VARIABLE = 'SKJEMAFLYT_LOCAL_CONSOLE_CLIENT_SECRET';

export async function startStaffIdentityProvider(
  dataDir: string,
  hubUrl: string,
  options: { port?: number } = {},
): Promise<LocalStaffSignIn> {
  const consoleUrl = `${hubUrl}/console/`;
  const clientSecret = randomBytes(32).toString('base64url');
  const key = await loadOrCreateKeyPair(
    join(devKeysDir(dataDir), 'identity-provider', 'signing-key.json'),
    'RS256',
    'staff-idp',
  );
  const settings = {
    signingKey: key.privateJwk,
    clients: [
      {
        clientId: LOCAL_CONSOLE_CLIENT_ID,
        clientSecret,
        redirectUris: [`${hubUrl}/auth/callback`],
        postLogoutRedirectUris: [consoleUrl],
      },
      { clientId: LOCAL_CLI_CLIENT.clientId, redirectUris: [LOCAL_CLI_CLIENT.redirectUri], postLogoutRedirectUris: [] },
    ],
  };
  const env = process.env.SKJEMAFLYT_IDP_PORT;
  const chosen = options.port ?? (env ? Number(env) : undefined);
  const previous = Number(
    new URL((await readIdentityProviderState(dataDir))?.issuer ?? 'http://127.0.0.1:0').port || 0,
  );
  let idp: Awaited<ReturnType<typeof startLocalIdentityProvider>>;
  try {
    idp = await startLocalIdentityProvider({ ...settings, port: chosen ?? previous });
  } catch (error) {
    if (chosen !== undefined || previous === 0 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    idp = await startLocalIdentityProvider({ ...settings, port: 0 });
  }
  await writeFile(stateFile(dataDir), `${JSON.stringify({ issuer: idp.issuer } satisfies State, null, 2)}\n`);
  return {
    issuer: idp.issuer,
    adminTokens: {
      issuer: idp.issuer,
      audience: LOCAL_ADMIN_API.audience,
      jwksUrl: `${idp.issuer}/jwks`,
      algorithms: 'RS256',
      scopes: LOCAL_ADMIN_API.scope,
    },
    signIn: {
      consoleUrl,
      issuer: idp.issuer,
      clientId: LOCAL_CONSOLE_CLIENT_ID,
      clientSecret: { env: LOCAL_CONSOLE_SECRET_VARIABLE, value: clientSecret },
      scopes: LOCAL_SIGN_IN_SCOPES,
    },
    addStaff: idp.addStaff,
    close: idp.close,
  };
}

/**
 * The demo person who may retry and resolve in all these municipalities (3101: the Halden archivist; 5037, 5038:
 * the Innherred one), by the configuration's groups: whom `npm run token -- --admin` and redrive sign in as.
 */
export function demoPersonFor(access: StaffAccess, municipalities: string[]): StaffMember | undefined {
  return DEMO_STAFF.find((person) => {
    const admin = staffPrincipal({ sub: person.subject, groups: person.groups, roles: person.groups }, access);
    return municipalities.every((m) => admin.canRetryResolve.includes(m));
  });
}

/** A bearer token for the admin API from the running hub's local identity provider, as that person. */
export async function localStaffToken(dataDir: string, username: string): Promise<string> {
  const state = await readIdentityProviderState(dataDir);
  if (!state) throw new Error(`No local identity provider in ${dataDir}: start the hub first (npm start).`);
  const person = DEMO_STAFF.find((p) => p.username === username);
  return staffAccessToken(state.issuer, username, person?.password);
}
