/**
 * Posts the sample submissions to a running hub and follows them until every delivery is done:
 *   npm run post-samples            (the hub from `npm start` at http://127.0.0.1:8080, or $SKJEMAFLYT_URL)
 * Each provider gets its token from the hub's local Maskinporten, as it would from Maskinporten.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DEFAULT_CONFIG_PATH, loadHubConfig } from '../../shared/config/load.ts';
import { buildRegistry } from '../../shared/config/registry.ts';
import { providerTokens, readMaskinportenState } from './maskinporten-clients.ts';

const base = process.env.SKJEMAFLYT_URL ?? `http://127.0.0.1:${process.env.PORT ?? '8080'}`;
const samplesDir = resolve(import.meta.dirname, '../../test/fixtures/samples');
const dataDir = resolve(process.env.SKJEMAFLYT_DATA_DIR ?? '.skjemaflyt');
const maskinporten = await readMaskinportenState(dataDir);
if (!maskinporten) {
  console.error(`No local Maskinporten in ${dataDir}: start the hub first (npm start).`);
  process.exit(2);
}
const registry = buildRegistry(await loadHubConfig(process.env.SKJEMAFLYT_CONFIG ?? DEFAULT_CONFIG_PATH));
const tokenFor = providerTokens({ dataDir, registry, maskinporten });
// Which provider sends which form in the demo configuration.
const providerFor = (formType: string) => (formType === 'a-skjema-tilsetting' ? 'halden-intranett' : 'eskjema');

const tracked: { name: string; statusUrl: string; provider: string; municipality: string }[] = [];
for (const name of (await readdir(samplesDir)).filter((n) => n.endsWith('.json')).sort()) {
  const body = await readFile(join(samplesDir, name), 'utf8');
  const { formType, municipality } = JSON.parse(body) as { formType: string; municipality: string };
  const provider = providerFor(formType);
  const response = await fetch(`${base}/v1/submissions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await tokenFor(provider, municipality)}`,
      'content-type': 'application/json',
    },
    body,
  });
  const answer = (await response.json()) as { trackingId?: string; statusUrl?: string; title?: string };
  console.log(`${name}: ${response.status} ${answer.trackingId ?? answer.title ?? ''}`);
  if (answer.statusUrl) tracked.push({ name, statusUrl: answer.statusUrl, provider, municipality });
}

const deadline = Date.now() + 60_000;
for (const { name, statusUrl, provider, municipality } of tracked) {
  for (;;) {
    const status = (await (
      await fetch(`${base}${statusUrl}`, {
        headers: { authorization: `Bearer ${await tokenFor(provider, municipality)}` },
      })
    ).json()) as {
      status: string;
      deliveries: { target: string; status: string; references: Record<string, string> }[];
    };
    if (status.status === 'DELIVERED' || status.status === 'FAILED' || Date.now() > deadline) {
      console.log(`${name}: ${status.status}`);
      for (const d of status.deliveries) console.log(`  ${d.target}: ${d.status} ${JSON.stringify(d.references)}`);
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
