/**
 * Prints a development token on stdout:
 *   npm run --silent token -- --provider eskjema
 *   npm run --silent token -- --admin 3101 [--admin 5037] [--name "Kari Arkivar"]
 * Signed with the local key in $SKJEMAFLYT_DATA_DIR/dev-keys, which `npm start` verifies against.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadOrCreateDevKeys } from '../../shared/auth/dev-keys.ts';
import { signDevToken } from '../../shared/auth/tokens.ts';
import { DEFAULT_CONFIG_PATH, loadHubConfig } from '../../shared/config/load.ts';
import { buildRegistry } from '../../shared/config/registry.ts';

const { values } = parseArgs({
  options: {
    provider: { type: 'string' },
    admin: { type: 'string', multiple: true },
    name: { type: 'string' },
  },
});

const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(2);
};

if (!values.provider && !values.admin?.length) {
  fail('Usage: npm run --silent token -- --provider <providerId> | --admin <kommunenummer> [--admin …] [--name …]');
}
const registry = buildRegistry(await loadHubConfig(process.env.SKJEMAFLYT_CONFIG ?? DEFAULT_CONFIG_PATH));
if (values.provider && !registry.provider(values.provider)) fail(`Unknown provider "${values.provider}"`);
for (const m of values.admin ?? []) if (!registry.municipality(m)) fail(`Unknown municipality "${m}"`);

const keys = await loadOrCreateDevKeys(resolve(process.env.SKJEMAFLYT_DATA_DIR ?? '.skjemaflyt'));
const settings = {
  issuer: process.env.SKJEMAFLYT_JWT_ISSUER ?? 'skjemaflyt-local',
  audience: process.env.SKJEMAFLYT_JWT_AUDIENCE ?? 'skjemaflyt',
};
const token = await signDevToken(
  keys.privateKey,
  settings,
  values.provider
    ? { provider: values.provider }
    : { admin: values.admin ?? [], ...(values.name ? { name: values.name } : {}) },
);
process.stdout.write(`${token}\n`);
