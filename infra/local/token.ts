/**
 * Prints a token on stdout:
 *   npm run --silent token -- --provider eskjema [--municipality 5037]
 *       from the running hub's local Maskinporten, through the JWT-bearer grant with the provider's client key
 *       (in $SKJEMAFLYT_DATA_DIR/dev-keys/maskinporten/), as the provider's system gets it from Maskinporten;
 *       with --municipality, as the organisation that submits for that municipality (a vendor acting for it)
 *   npm run --silent token -- --admin 3101 [--admin 5037] [--user kari]
 *       a bearer token for the admin API from the running hub's local identity provider, signing in (authorization
 *       code with PKCE) as the demo archivist of those municipalities, or as --user (password demo)
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { staffAccessOf } from '../../shared/auth/staff.ts';
import { DEFAULT_CONFIG_PATH, loadHubConfig } from '../../shared/config/load.ts';
import { buildRegistry } from '../../shared/config/registry.ts';
import { providerTokens, readMaskinportenState } from './maskinporten-clients.ts';
import { demoPersonFor, localStaffToken } from './staff-identity.ts';

const { values } = parseArgs({
  options: {
    provider: { type: 'string' },
    municipality: { type: 'string' },
    admin: { type: 'string', multiple: true },
    user: { type: 'string' },
  },
});

const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(2);
};

if (!values.provider && !values.admin?.length) {
  fail(
    'Usage: npm run --silent token -- --provider <providerId> [--municipality <kommunenummer>]\n' +
      '       npm run --silent token -- --admin <kommunenummer> [--admin …] [--user <username>]',
  );
}
const config = await loadHubConfig(process.env.SKJEMAFLYT_CONFIG ?? DEFAULT_CONFIG_PATH);
const registry = buildRegistry(config);
if (values.provider && !registry.provider(values.provider)) fail(`Unknown provider "${values.provider}"`);
for (const m of [...(values.admin ?? []), ...(values.municipality ? [values.municipality] : [])]) {
  if (!registry.municipality(m)) fail(`Unknown municipality "${m}"`);
}

const dataDir = resolve(process.env.SKJEMAFLYT_DATA_DIR ?? '.skjemaflyt');
if (values.provider) {
  const maskinporten = await readMaskinportenState(dataDir);
  if (!maskinporten) fail(`No local Maskinporten in ${dataDir}: start the hub first (npm start).`);
  const token = await providerTokens({
    dataDir,
    registry,
    maskinporten: maskinporten as NonNullable<typeof maskinporten>,
  })(values.provider, values.municipality).catch((error: Error) =>
    fail(
      `The local Maskinporten (${maskinporten?.issuer}) gave no token: ${error.message}. Is the hub running (npm start)?`,
    ),
  );
  process.stdout.write(`${token}\n`);
} else {
  const admin = values.admin ?? [];
  const username = values.user ?? demoPersonFor(staffAccessOf(config.deployments), admin)?.username;
  if (!username) fail(`No demo person may act in ${admin.join(', ')}: name one with --user`);
  const token = await localStaffToken(dataDir, username as string).catch((error: Error) =>
    fail(`The local identity provider gave no token: ${error.message}. Is the hub running (npm start)?`),
  );
  process.stdout.write(`${token}\n`);
}
