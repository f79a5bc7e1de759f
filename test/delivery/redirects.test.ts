import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeArchive, startFakeArchive } from '../support/fake-archive.ts';
import { httpArchiveConfig } from '../support/http-config.ts';
import { sample, testHub } from '../support/hub.ts';

/**
 * A target that answers a redirect gets nothing more: the hub never re-sends the record, the fødselsnummer or the
 * target's secret to the origin the answer names, and staff see why the delivery failed. Real HTTP servers: an
 * archive and a specialist system that answer 307 / 302 to a third server, which records whether it was hit.
 */
type Hub = Awaited<ReturnType<typeof testHub>>;
let t: Hub;
let archive: FakeArchive;
let fagsystem: Server;
let thief: Server;
const stolen: { url: string; authorization: string | undefined; bytes: number }[] = [];
let thiefOrigin = '';

function listen(server: Server): Promise<string> {
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () => done(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

beforeAll(async () => {
  thief = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => {
      bytes += c.length;
    });
    req.on('end', () => {
      stolen.push({ url: req.url ?? '', authorization: req.headers.authorization, bytes });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"STJÅLET-1"}');
    });
  });
  thiefOrigin = await listen(thief);
  fagsystem = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(302, { location: `${thiefOrigin}/arbeidsordre?token=hemmelig` });
      res.end();
    });
  });
  process.env.REDIRECTING_FAGSYSTEM_URL = `${await listen(fagsystem)}/arbeidsordre`;
  archive = await startFakeArchive();
  archive.behave(() => 'redirect');
  archive.redirectTo(`${thiefOrigin}/stolen`);
  process.env.FAKE_ARCHIVE_URL = archive.url;
  process.env.FAKE_ARCHIVE_TOKEN = 'arkiv-hemmelighet';
  const configPath = await httpArchiveConfig(undefined, {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration's own placeholder syntax
    'halden-driftsordre': { type: 'http', url: '${REDIRECTING_FAGSYSTEM_URL}', timeoutMs: 2000 },
  });
  t = await testHub(undefined, { configPath });
});

afterAll(async () => {
  await t?.hub.stop();
  await archive?.close();
  fagsystem?.close();
  thief?.close();
});

const settled = (s: any) => s.deliveries?.length > 0 && s.deliveries.every((d: any) => d.status === 'FAILED');

describe('redirects from targets', () => {
  it('an archive answering 307 gets no second POST anywhere: the delivery fails, saying where it pointed', async () => {
    const { body: receipt } = await t.post({ ...(await sample('tt-kort-soknad')), submissionId: 'redirect-arkiv' });
    const status = await t.waitFor(receipt.trackingId, 'eskjema', settled);
    const [delivery] = status.deliveries;
    expect(delivery.status).toBe('FAILED');
    // Permanent: one attempt, no retries to the same redirect.
    expect(delivery.attempts).toBe(1);
    const { lastError } = (await t.staffView(receipt.trackingId)).body.deliveries[0];
    expect(delivery.reason).toBe('target-redirected');
    expect(lastError).toContain('omdirigering (HTTP 307)');
    expect(lastError).toContain(thiefOrigin);
    expect(lastError).not.toContain('/stolen');
    expect(archive.faultsSeen.redirect).toBe(1);
    expect(stolen).toEqual([]);
  });

  it('a specialist system answering 302 gets no second POST either', async () => {
    const { body: receipt } = await t.post({
      ...(await sample('melding-vei-gatelys')),
      submissionId: 'redirect-fagsystem',
    });
    const status = await t.waitFor(receipt.trackingId, 'eskjema', settled);
    const [delivery] = status.deliveries;
    expect(delivery.status).toBe('FAILED');
    expect(delivery.attempts).toBe(1);
    const { lastError } = (await t.staffView(receipt.trackingId)).body.deliveries[0];
    expect(lastError).toContain('omdirigering (HTTP 302)');
    expect(lastError).toContain(thiefOrigin);
    expect(lastError).not.toContain('hemmelig');
    expect(delivery.references ?? {}).toEqual({});
    expect(stolen).toEqual([]);
  });
});
