import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTIFICATIONS } from '../../shared/config/plan.ts';
import { type FakeArchive, type Fault, startFakeArchive } from '../support/fake-archive.ts';
import { FAST_DELIVERY, httpArchiveConfig } from '../support/http-config.ts';
import { sample, testHub } from '../support/hub.ts';

/** A provider's webhook hears of every status change, signed; a broken webhook never holds a delivery back. */
type Hub = Awaited<ReturnType<typeof testHub>>;
let t: Hub;
let archive: FakeArchive;
const received: { signature: string; body: string }[] = [];
let webhookAnswers = 200;
let webhookLocation: string | undefined;
const webhook = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    received.push({ signature: String(req.headers['x-skjemaflyt-signature']), body });
    res.writeHead(webhookAnswers, webhookLocation ? { location: webhookLocation } : {});
    res.end();
  });
});
/** An internal address a redirect points at (blind SSRF): records whether anything reached it. */
const internalHits: string[] = [];
const internal = createServer((req, res) => {
  internalHits.push(`${req.method} ${req.url}`);
  req.resume();
  res.end();
});

beforeAll(async () => {
  archive = await startFakeArchive();
  await new Promise<void>((done) => webhook.listen(0, '127.0.0.1', done));
  await new Promise<void>((done) => internal.listen(0, '127.0.0.1', done));
  process.env.FAKE_ARCHIVE_URL = archive.url;
  process.env.FAKE_ARCHIVE_TOKEN = 'token';
  process.env.ESKJEMA_WEBHOOK_URL = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/skjemaflyt`;
  process.env.ESKJEMA_WEBHOOK_SECRET = 'delt-hemmelighet';
  const configPath = await httpArchiveConfig(
    undefined,
    {},
    {
      eskjema: { url: '${ESKJEMA_WEBHOOK_URL}', secret: { env: 'ESKJEMA_WEBHOOK_SECRET' } },
    },
  );
  t = await testHub(undefined, { configPath });
});

afterAll(async () => {
  await t?.hub.stop();
  await archive?.close();
  webhook.close();
  internal.close();
});

const eventsFor = (trackingId: string) =>
  received.map((r) => ({ ...r, event: JSON.parse(r.body) })).filter((r) => r.event.trackingId === trackingId);

async function until(condition: () => boolean, timeoutMs = 20_000, refresh: () => Promise<void> = async () => {}) {
  const deadline = Date.now() + timeoutMs;
  await refresh();
  while (!condition() && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    await refresh();
  }
}

describe('status notifications to the provider’s webhook', () => {
  it('tells of each change, signed with the shared secret', async () => {
    let first = true;
    archive.behave((): Fault => {
      if (first) {
        first = false;
        return 'unavailable';
      }
      return 'ok';
    });
    const body = { ...(await sample('tt-kort-soknad')), submissionId: 'webhook-1' };
    const { body: receipt } = await t.post(body);
    await until(() => eventsFor(receipt.trackingId).some((e) => e.event.delivery.status === 'DELIVERED'));
    const events = eventsFor(receipt.trackingId);
    expect(events.map((e) => e.event.delivery.status)).toContain('DELIVERED');
    const delivered = events.find((e) => e.event.delivery.status === 'DELIVERED');
    expect(delivered?.event).toMatchObject({ submissionId: 'webhook-1', submissionStatus: 'DELIVERED' });
    expect(delivered?.event.delivery.references.saksnummer).toMatch(/^2026\//);
    for (const e of events) {
      const [t1, v1] = e.signature.split(',');
      const timestamp = t1?.slice(2);
      const expected = createHmac('sha256', 'delt-hemmelighet').update(`${timestamp}.${e.body}`).digest('hex');
      expect(v1).toBe(`v1=${expected}`);
    }
    expect(JSON.stringify(events)).not.toContain('12035440095');
  });

  it('a webhook that fails does not hold the delivery back', async () => {
    webhookAnswers = 500;
    archive.behave(() => 'ok');
    const body = { ...(await sample('tt-kort-soknad')), submissionId: 'webhook-2' };
    const { body: receipt } = await t.post(body);
    const status = await t.waitFor(receipt.trackingId, 'eskjema', (s) => s.status === 'DELIVERED');
    expect(status.status).toBe('DELIVERED');
    await until(() => eventsFor(receipt.trackingId).length > 0);
    expect(eventsFor(receipt.trackingId).length).toBeGreaterThan(0);
    webhookAnswers = 200;
  });

  it('a webhook answering 307 to an internal address: nothing is sent there', async () => {
    webhookAnswers = 307;
    webhookLocation = `http://127.0.0.1:${(internal.address() as AddressInfo).port}/admin/delete-everything`;
    try {
      archive.behave(() => 'ok');
      const body = { ...(await sample('tt-kort-soknad')), submissionId: 'webhook-redirect' };
      const { body: receipt } = await t.post(body);
      await t.waitFor(receipt.trackingId, 'eskjema', (s) => s.status === 'DELIVERED');
      await until(() => eventsFor(receipt.trackingId).some((e) => e.event.delivery.status === 'DELIVERED'));
      expect(eventsFor(receipt.trackingId).length).toBeGreaterThan(0);
      // Every notification has been handled (a followed redirect would have happened before that) …
      const queueUrl = t.hub.resources.queueUrls[NOTIFICATIONS];
      await until(
        () => notificationsPending === 0,
        30_000,
        async () => {
          const { Attributes } = await t.hub.clients.sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: queueUrl,
              AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
            }),
          );
          notificationsPending =
            Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
        },
      );
      expect(notificationsPending).toBe(0);
      // … and none of them went to the address the webhook pointed at.
      expect(internalHits).toEqual([]);
    } finally {
      webhookAnswers = 200;
      webhookLocation = undefined;
    }
  });

  it('hears of a delivery that used up its attempts and was dead-lettered to FAILED', async () => {
    // The FAILED status is written by the dead-letter function: its environment must carry the notifications queue.
    archive.behave(() => 'unavailable');
    const body = { ...(await sample('tt-kort-soknad')), submissionId: 'webhook-3' };
    const { body: receipt } = await t.post(body);
    const failed = () => eventsFor(receipt.trackingId).find((e) => e.event.delivery.status === 'FAILED');
    await until(() => failed() !== undefined, 60_000);
    const status = await t.status(receipt.trackingId);
    expect(status.body.deliveries[0]).toMatchObject({ status: 'FAILED', attempts: FAST_DELIVERY.maxAttempts });
    const staff = await t.staffView(receipt.trackingId);
    expect(staff.body.deliveries[0].history.at(-1).detail).toContain('Ga opp etter');
    expect(failed()?.event).toMatchObject({ submissionId: 'webhook-3', submissionStatus: 'FAILED' });
  }, 90_000);
});

let notificationsPending = -1;
