import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFINITIONS_DIR } from '../../shared/mapping/definitions.ts';
import { FAST_DELIVERY } from './http-config.ts';

/** The Fiks IO demo configuration (the archive targets on the local Fiks IO). */
export const FIKS_IO_CONFIG_PATH = resolve(import.meta.dirname, '../../config-fiks-io');

/**
 * The Fiks IO demo configuration with quick retries and a short receipt timeout, written to a temp folder, so a
 * test sees a missing receipt sent again in seconds.
 */
export async function fiksIoTestConfig(receiptTimeoutSeconds: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'skjemaflyt-fiks-io-config-'));
  await cp(join(FIKS_IO_CONFIG_PATH, DEFINITIONS_DIR), join(dir, DEFINITIONS_DIR), {
    recursive: true,
    dereference: true,
  });
  for (const file of (await readdir(FIKS_IO_CONFIG_PATH)).filter((f) => f.endsWith('.json'))) {
    const config = JSON.parse(await readFile(join(FIKS_IO_CONFIG_PATH, file), 'utf8'));
    config.$schema = undefined;
    for (const target of config.targets) {
      target.delivery = { ...target.delivery, ...FAST_DELIVERY };
      if (target.transport.type === 'fiks-io') target.transport.receiptTimeoutSeconds = receiptTimeoutSeconds;
    }
    // These tests poll statuses hard; the per-provider throttle is tested elsewhere (test/security).
    config.limits = { ...(config.limits ?? {}), requestsPerSecond: 100_000, burst: 100_000 };
    await writeFile(join(dir, file), JSON.stringify(config, null, 2));
  }
  return dir;
}
