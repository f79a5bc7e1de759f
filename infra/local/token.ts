/**
 * Prints a token on stdout:
 *   npm run --silent token -- --provider eskjema [--municipality 5037]
 *       from the running hub's local Maskinporten, through the JWT-bearer grant with the provider's client key
 *       (in $SKJEMAFLYT_DATA_DIR/dev-keys/maskinporten/), as the provider's system gets it from Maskinporten;
 *       with --municipality, as the organisation that submits for that municipality (a vendor acting for it)
 *   npm run --silent token -- --admin 3101 [--admin 5037] [--name "Kari Arkivar"]
 *       an admin development token, signed with the local key in $SKJEMAFLYT_DATA_DIR/dev-keys
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadOrCreateDevKeys } from '../../shared/auth/dev-keys.ts';
import { LOCAL_ADMIN_TOKENS } from '../../shared/auth/settings.ts';
import { signDevToken } from '../../shared/auth/tokens.ts';
import { DEFAULT_CONFIG_PATH, loadHubConfig } from '../../shared/config/load.ts';
import { buildRegistry } from '../../shared/config/registry.ts';
import { providerTokens, readMaskinportenState } from './maskinporten-clients.ts';

const { values } = parseArgs({
  options: {
    provider: { type: 'string' },
    municipality: { type: 'string' },
    admin: { type: 'string', multiple: true },
    name: { type: 'string' },
  },
});

const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(2);
};

if (!values.provider && !values.admin?.length) {
  fail(
    'Usage: npm run --silent token -- --provider <providerId> [--municipality <kommunenummer>]\n' +
      '       npm run --silent token -- --admin <kommunenummer> [--admin …] [--name …]',
  );
}
const registry = buildRegistry(await loadHubConfig(process.env.SKJEMAFLYT_CONFIG ?? DEFAULT_CONFIG_PATH));
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
  const keys = await loadOrCreateDevKeys(dataDir);
  const token = await signDevToken(keys.privateKey, LOCAL_ADMIN_TOKENS, {
    admin: values.admin ?? [],
    ...(values.name ? { name: values.name } : {}),
  });
  process.stdout.write(`${token}\n`);
}
