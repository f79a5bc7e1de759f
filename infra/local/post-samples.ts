/**
 * Posts the sample submissions to a running hub and follows them until every delivery is done:
 *   npm run post-samples            (the hub from `npm start` at http://127.0.0.1:8080, or $SKJEMAFLYT_URL)
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadOrCreateDevKeys } from '../../shared/auth/dev-keys.ts';
import { signDevToken } from '../../shared/auth/tokens.ts';

const base = process.env.SKJEMAFLYT_URL ?? `http://127.0.0.1:${process.env.PORT ?? '8080'}`;
const samplesDir = resolve(import.meta.dirname, '../../test/fixtures/samples');
const keys = await loadOrCreateDevKeys(resolve(process.env.SKJEMAFLYT_DATA_DIR ?? '.skjemaflyt'));
const settings = { issuer: 'skjemaflyt-local', audience: 'skjemaflyt' };
// Which provider sends which form in the demo configuration.
const providerFor = (formType: string) => (formType === 'a-skjema-tilsetting' ? 'halden-intranett' : 'eskjema');

const tracked: { name: string; statusUrl: string; token: string }[] = [];
for (const name of (await readdir(samplesDir)).filter((n) => n.endsWith('.json')).sort()) {
  const body = await readFile(join(samplesDir, name), 'utf8');
  const token = await signDevToken(keys.privateKey, settings, { provider: providerFor(JSON.parse(body).formType) });
  const response = await fetch(`${base}/v1/submissions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
  });
  const answer = (await response.json()) as { trackingId?: string; statusUrl?: string; title?: string };
  console.log(`${name}: ${response.status} ${answer.trackingId ?? answer.title ?? ''}`);
  if (answer.statusUrl) tracked.push({ name, statusUrl: answer.statusUrl, token });
}

const deadline = Date.now() + 60_000;
for (const { name, statusUrl, token } of tracked) {
  for (;;) {
    const status = (await (
      await fetch(`${base}${statusUrl}`, { headers: { authorization: `Bearer ${token}` } })
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
