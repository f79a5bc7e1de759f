import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTIFICATIONS } from '../../shared/config/plan.ts';
import { verifyWebhook } from '../../shared/notify/webhook.ts';
import { contract } from '../provider/support/contract.ts';
import { type FakeArchive, type Fault, startFakeArchive } from '../support/fake-archive.ts';
import { FAST_DELIVERY, httpArchiveConfig } from '../support/http-config.ts';
import { sample, testHub } from '../support/hub.ts';

/** A provider's webhook hears of every status change, signed; a broken webhook never holds a delivery back. */
type Hub = Awaited<ReturnType<typeof testHub>>;
let t: Hub;
let archive: FakeArchive;
const described = contract();
const received: { signature: string; eventId: string; body: string }[] = [];
let webhookAnswers = 200;
/** Submissions whose every event the receiver refuses once with 400, then takes (a receiver's bad deploy) */
const refuseOnce = new Set<string>();
const refused = new Set<string>();
let webhookLocation: string | undefined;
const webhook = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    received.push({
      signature: String(req.headers['x-skjemaflyt-signature']),
      eventId: String(req.headers['x-skjemaflyt-event-id']),
      body,
    });
    const eventId = String(req.headers['x-skjemaflyt-event-id']);
    if (refuseOnce.has(JSON.parse(body).submissionId) && !refused.has(eventId)) {
      refused.add(eventId);
      res.writeHead(400);
      res.end();
      return;
    }
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
  process.env.ESKJEMA_WEBHOOK_OLD_SECRET = 'gammel-hemmelighet';
  const configPath = await httpArchiveConfig(
    undefined,
    {},
    {
      eskjema: {
        url: '${ESKJEMA_WEBHOOK_URL}',
        secret: { env: 'ESKJEMA_WEBHOOK_SECRET' },
        // Mid-rotation: the old secret still signs, so a receiver that has not switched yet keeps working.
        previousSecret: { env: 'ESKJEMA_WEBHOOK_OLD_SECRET' },
      },
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
      // As a receiver would check it (docs/api.md): one v1 per secret during a rotation, the current one first.
      const [t1, v1, v1old] = e.signature.split(',');
      const timestamp = t1?.slice(2);
      const hmac = (secret: string) => createHmac('sha256', secret).update(`${timestamp}.${e.body}`).digest('hex');
      expect(v1).toBe(`v1=${hmac('delt-hemmelighet')}`);
      expect(v1old).toBe(`v1=${hmac('gammel-hemmelighet')}`);
      expect(verifyWebhook(e.signature, e.body, ['gammel-hemmelighet'])).toBe('valid');
      expect(verifyWebhook(e.signature, e.body, ['en-annen'])).toBe('bad-signature');
      // Every event names itself and its version; the id is the same in the header.
      expect(e.event).toMatchObject({ version: 1, event: 'delivery.status' });
      expect(e.eventId).toBe(e.event.id);
      // As schemas/openapi.yaml's webhooks section describes it.
      expect(described.schema('DeliveryStatusEvent', e.event)).toEqual([]);
    }
    // One id per state: events of different statuses never share an id, and one id is always the same event.
    for (const e of events) {
      for (const other of events.filter((o) => o.event.id === e.event.id)) expect(other.body).toBe(e.body);
    }
    const statusOf = new Map(events.map((e) => [e.event.delivery.status, e.event.id]));
    expect(new Set(statusOf.values()).size).toBe(statusOf.size);
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

  it('a webhook that refuses with a 4xx hears again (a receiver’s bad deploy loses nothing)', async () => {
    archive.behave(() => 'ok');
    refuseOnce.add('webhook-4xx');
    const body = { ...(await sample('tt-kort-soknad')), submissionId: 'webhook-4xx' };
    const { body: receipt } = await t.post(body);
    const delivered = () =>
      eventsFor(receipt.trackingId)
        .filter((e) => e.event.delivery.status === 'DELIVERED')
        .map((e) => e.eventId);
    await t.waitFor(receipt.trackingId, 'eskjema', (s) => s.status === 'DELIVERED');
    await until(() => delivered().length >= 2, 60_000);
    // The same event, the same id, sent again after the refusal.
    expect(delivered().length).toBeGreaterThanOrEqual(2);
    expect(new Set(delivered()).size).toBe(1);
  }, 90_000);

  it('a webhook answering 410 Gone hears no more of that notification', async () => {
    webhookAnswers = 410;
    try {
      archive.behave(() => 'ok');
      const body = { ...(await sample('tt-kort-soknad')), submissionId: 'webhook-410' };
      const { body: receipt } = await t.post(body);
      await t.waitFor(receipt.trackingId, 'eskjema', (s) => s.status === 'DELIVERED');
      await until(() => eventsFor(receipt.trackingId).some((e) => e.event.delivery.status === 'DELIVERED'));
      // Every notification has been handled: none waits for another attempt.
      await until(() => notificationsPending === 0, 60_000, countPending);
      expect(notificationsPending).toBe(0);
    } finally {
      webhookAnswers = 200;
    }
  }, 90_000);

  it('a webhook answering 307 to an internal address: nothing is sent there, and it is tried again', async () => {
    webhookAnswers = 307;
    webhookLocation = `http://127.0.0.1:${(internal.address() as AddressInfo).port}/admin/delete-everything`;
    try {
      archive.behave(() => 'ok');
      const body = { ...(await sample('tt-kort-soknad')), submissionId: 'webhook-redirect' };
      const { body: receipt } = await t.post(body);
      await t.waitFor(receipt.trackingId, 'eskjema', (s) => s.status === 'DELIVERED');
      const deliveredTries = () =>
        eventsFor(receipt.trackingId).filter((e) => e.event.delivery.status === 'DELIVERED').length;
      // Tried again after the redirect (a followed redirect would have happened at the first try) …
      await until(() => deliveredTries() >= 2, 60_000);
      expect(deliveredTries()).toBeGreaterThanOrEqual(2);
      // … and nothing went to the address the webhook pointed at.
      expect(internalHits).toEqual([]);
    } finally {
      webhookAnswers = 200;
      webhookLocation = undefined;
    }
  }, 90_000);

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
async function countPending() {
  const { Attributes } = await t.hub.clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: t.hub.resources.queueUrls[NOTIFICATIONS],
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  notificationsPending =
    Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
}
