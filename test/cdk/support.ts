import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG_PATH } from '../../shared/config/load.ts';
import { DEFINITIONS_DIR } from '../../shared/mapping/definitions.ts';
import { KOMMUNENUMMER } from '../../shared/submission/kommunenummer.ts';

export async function demoConfig(file: 'halden.json' | 'innherred.json'): Promise<any> {
  return JSON.parse(await readFile(join(DEFAULT_CONFIG_PATH, file), 'utf8'));
}

/** Writes configuration files to a fresh folder (with the form types' definitions of `from`) and returns it. */
export async function configFolder(files: Record<string, unknown>, from = DEFAULT_CONFIG_PATH): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'skjemaflyt-cdk-'));
  // The demo form types' mapping definitions, which deployment files route by id.
  await cp(join(from, DEFINITIONS_DIR), join(dir, DEFINITIONS_DIR), { recursive: true, dereference: true });
  for (const [name, config] of Object.entries(files)) await writeFile(join(dir, name), JSON.stringify(config, null, 2));
  return dir;
}

/**
 * `count` municipalities shaped like Halden, each its own deployment (own ids, own kommunenummer), as a
 * municipality-per-stack operator would have them.
 */
export async function manyMunicipalities(count: number): Promise<string> {
  const text = await readFile(join(DEFAULT_CONFIG_PATH, 'halden.json'), 'utf8');
  const files: Record<string, unknown> = {};
  // Real municipalities (synth refuses a kommunenummer that is not one), none of the demo's.
  const numbers = [...KOMMUNENUMMER].filter((k) => k.startsWith('32')).sort();
  for (let i = 1; i <= count; i++) {
    const id = `kommune${String(i).padStart(2, '0')}`;
    // Each its own kommunenummer, organisation number and intranet client (the e-form vendor is the same).
    files[`${id}.json`] = JSON.parse(
      text
        .replaceAll(/\bhalden\b/g, id)
        .replaceAll('"3101"', `"${numbers[i - 1]}"`)
        .replaceAll('959159092', organisationNumber(`9${5_900_000 + i}`))
        .replaceAll('5b0e7c2a-3d41-4f7e-9a62-8c1d0e4b7f35', `${id}-intranett-client`),
    );
  }
  return configFolder(files);
}

/** Eight digits and their mod-11 control digit (the next eight when that has none). */
function organisationNumber(first8: string): string {
  for (let n = Number(first8); ; n++) {
    const digits = [...String(n)].map(Number);
    const rest = 11 - ([3, 2, 7, 6, 5, 4, 3, 2].reduce((sum, w, k) => sum + w * (digits[k] ?? 0), 0) % 11);
    if (rest !== 10) return `${n}${rest === 11 ? 0 : rest}`;
  }
}

/** The Fiks IO demo's endpoints as synth sees them on AWS: https, and AMQP over TLS. */
export function setFiksIoVariables(): void {
  process.env.SKJEMAFLYT_FIKS_IO_API_URL = 'https://api.fiks.test.ks.no';
  process.env.SKJEMAFLYT_FIKS_IO_AMQP_URL = 'amqps://io.fiks.test.ks.no:5671';
  process.env.SKJEMAFLYT_MASKINPORTEN_TOKEN_URL = 'https://test.maskinporten.no/token';
  process.env.SKJEMAFLYT_MASKINPORTEN_ISSUER = 'https://test.maskinporten.no/';
}
