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
    files[`${id}.json`] = JSON.parse(text.replaceAll(/\bhalden\b/g, id).replaceAll('3101', String(3200 + i)));
  }
  return configFolder(files);
}
