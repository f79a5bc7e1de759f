import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG_PATH } from '../../shared/config/load.ts';
import { DEFINITIONS_DIR } from '../../shared/mapping/definitions.ts';

export async function demoConfig(file: 'halden.json' | 'innherred.json'): Promise<any> {
  return JSON.parse(await readFile(join(DEFAULT_CONFIG_PATH, file), 'utf8'));
}

/** Writes configuration files to a fresh folder and returns it. */
export async function configFolder(files: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'skjemaflyt-cdk-'));
  // The demo form types' mapping definitions, which deployment files route by id.
  await cp(join(DEFAULT_CONFIG_PATH, DEFINITIONS_DIR), join(dir, DEFINITIONS_DIR), { recursive: true });
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
  for (let i = 1; i <= count; i++) {
    const id = `kommune${String(i).padStart(2, '0')}`;
    // Each its own kommunenummer, organisation number and intranet client (the e-form vendor is the same).
    files[`${id}.json`] = JSON.parse(
      text
        .replaceAll(/\bhalden\b/g, id)
        .replaceAll('"3101"', `"${3200 + i}"`)
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
