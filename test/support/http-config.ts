import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG_PATH } from '../../shared/config/load.ts';
import { DEFINITIONS_DIR } from '../../shared/mapping/definitions.ts';

/** Quick retries so tests see several attempts in seconds rather than minutes. */
export const FAST_DELIVERY = {
  maxAttempts: 4,
  batchSize: 5,
  visibilityTimeoutSeconds: 5,
  maxConcurrency: 2,
  retry: { firstDelaySeconds: 1, factor: 2, maxDelaySeconds: 2 },
};

/**
 * The demo configuration with every archive target switched to HTTP (URL and token from FAKE_ARCHIVE_URL and
 * FAKE_ARCHIVE_TOKEN), written to a temp folder.
 */
export async function httpArchiveConfig(
  delivery: Record<string, unknown> = FAST_DELIVERY,
  transports: Record<string, Record<string, unknown>> = {},
  webhooks: Record<string, Record<string, unknown>> = {},
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'skjemaflyt-http-config-'));
  await cp(join(DEFAULT_CONFIG_PATH, DEFINITIONS_DIR), join(dir, DEFINITIONS_DIR), { recursive: true });
  for (const file of (await readdir(DEFAULT_CONFIG_PATH)).filter((f) => f.endsWith('.json'))) {
    const config = JSON.parse(await readFile(join(DEFAULT_CONFIG_PATH, file), 'utf8'));
    config.$schema = undefined;
    for (const provider of config.providers) if (webhooks[provider.id]) provider.webhook = webhooks[provider.id];
    for (const target of config.targets) {
      target.delivery = { ...target.delivery, ...delivery };
      if (transports[target.id]) target.transport = transports[target.id];
      if (target.kind === 'archive') {
        target.transport = {
          type: 'http',
          url: '${FAKE_ARCHIVE_URL}',
          timeoutMs: 1500,
          auth: { header: 'authorization', scheme: 'Bearer', secret: { env: 'FAKE_ARCHIVE_TOKEN' } },
        };
      }
    }
    // These tests poll statuses hard; the per-provider throttle is tested elsewhere (test/security).
    config.limits = { ...(config.limits ?? {}), requestsPerSecond: 100_000, burst: 100_000 };
    await writeFile(join(dir, file), JSON.stringify(config, null, 2));
  }
  return dir;
}
