import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalClients, type LocalClients } from '../../infra/local/clients.ts';
import { failedMessageIds, type QueuePoller, startQueuePoller } from '../../infra/local/poller.ts';
import { ensureQueue } from '../../infra/local/provision.ts';

const region = 'eu-north-1';
let dir: string;
let fauxqs: FauxqsServer;
let clients: LocalClients;
let sqs: SQSClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skjemaflyt-poller-'));
  fauxqs = await startFauxqs({ port: 0, logger: false, dataDir: dir, defaultRegion: region });
  clients = createLocalClients({
    region,
    dynamoDbEndpoint: 'http://127.0.0.1:1',
    sqsEndpoint: fauxqs.address,
    s3Endpoint: fauxqs.address,
  });
  sqs = clients.sqs;
});

afterAll(async () => {
  clients?.destroy();
  await fauxqs?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A queue with a DLQ: visibility 1 s, dead-lettered after maxReceiveCount receives. */
async function queuePair(name: string, maxReceiveCount: number) {
  const options = { region, sqsEndpoint: fauxqs.address };
  const dlq = await ensureQueue(sqs, `${name}-dlq`, options, { VisibilityTimeout: '1' });
  const queue = await ensureQueue(sqs, name, options, {
    VisibilityTimeout: '1',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount }),
  });
  return { queue, dlq };
}

async function waitFor(condition: () => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function counts(name: string) {
  const q = fauxqs.inspectQueue(name);
  return {
    ready: q?.messages.ready.length ?? 0,
    inflight: q?.messages.inflight.length ?? 0,
    delayed: q?.messages.delayed.length ?? 0,
  };
}

describe('queue poller (Lambda SQS event source mapping)', () => {
  it('builds Lambda-shaped records and deletes only the messages that did not fail', async () => {
    const { queue } = await queuePair('partial', 10);
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.queueUrl,
        Entries: ['ok-1', 'fail-1', 'ok-2', 'fail-2'].map((body, i) => ({
          Id: String(i),
          MessageBody: body,
          MessageAttributes: { kind: { DataType: 'String', StringValue: body.split('-')[0] } },
        })),
      }),
    );

    const seen: SQSRecord[] = [];
    const batches: number[] = [];
    const poller = startQueuePoller({
      sqs,
      queueUrl: queue.queueUrl,
      queueArn: queue.queueArn,
      region,
      functionName: 'test-partial',
      batchSize: 10,
      maxConcurrency: 1,
      handler: async (event: SQSEvent) => {
        batches.push(event.Records.length);
        seen.push(...event.Records);
        return {
          batchItemFailures: event.Records.filter((r) => r.body.startsWith('fail')).map((r) => ({
            itemIdentifier: r.messageId,
          })),
        };
      },
    });
    try {
      await waitFor(() => seen.length >= 4);
      // The failed ones stay (in flight until the visibility timeout); the successful ones are deleted.
      await waitFor(() => poller.stats.deleted === 2);
      const record = seen.find((r) => r.body === 'ok-1');
      expect(record).toMatchObject({
        eventSource: 'aws:sqs',
        eventSourceARN: queue.queueArn,
        awsRegion: region,
        body: 'ok-1',
        attributes: { ApproximateReceiveCount: '1', SenderId: expect.any(String) },
        messageAttributes: {
          kind: { stringValue: 'ok', dataType: 'String', stringListValues: [], binaryListValues: [] },
        },
      });
      expect(record?.messageId).toMatch(/\S/);
      expect(record?.receiptHandle).toMatch(/\S/);
      expect(record?.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
      expect(Number(record?.attributes.SentTimestamp)).toBeGreaterThan(0);
      expect(Number(record?.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThan(0);

      // After the visibility timeout the two failures come back, with a higher receive count.
      await waitFor(() => seen.filter((r) => r.body.startsWith('fail')).length >= 4);
      const again = seen.filter((r) => r.body === 'fail-1').map((r) => r.attributes.ApproximateReceiveCount);
      expect(again.slice(0, 2)).toEqual(['1', '2']);
      expect(seen.filter((r) => r.body.startsWith('ok'))).toHaveLength(2);
    } finally {
      await poller.stop();
    }
  }, 20_000);

  it('dead-letters a message after maxReceiveCount failures, and the DLQ poller sees it', async () => {
    const { queue, dlq } = await queuePair('always-fails', 3);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.queueUrl,
        MessageBody: JSON.stringify({ deliveryId: 'd-1', note: 'Søknad fra Østby-Lærum' }),
      }),
    );
    const attempts: string[] = [];
    const deadLettered: SQSRecord[] = [];
    const poller = startQueuePoller({
      sqs,
      queueUrl: queue.queueUrl,
      queueArn: queue.queueArn,
      region,
      functionName: 'test-fails',
      batchSize: 5,
      maxConcurrency: 2,
      handler: async (event) => {
        attempts.push(...event.Records.map((r) => r.attributes.ApproximateReceiveCount));
        throw new Error('the archive is down');
      },
    });
    const dlqPoller = startQueuePoller({
      sqs,
      queueUrl: dlq.queueUrl,
      queueArn: dlq.queueArn,
      region,
      functionName: 'dead-letter',
      batchSize: 10,
      maxConcurrency: 1,
      handler: async (event) => {
        deadLettered.push(...event.Records);
        return { batchItemFailures: [] };
      },
    });
    try {
      await waitFor(() => deadLettered.length === 1);
      expect(attempts).toEqual(['1', '2', '3']);
      const record = deadLettered[0] as SQSRecord;
      expect(record.eventSourceARN).toBe(dlq.queueArn);
      expect(JSON.parse(record.body)).toEqual({ deliveryId: 'd-1', note: 'Søknad fra Østby-Lærum' });
      await waitFor(() => dlqPoller.stats.deleted === 1);
      expect(counts('always-fails')).toEqual({ ready: 0, inflight: 0, delayed: 0 });
      expect(counts('always-fails-dlq')).toEqual({ ready: 0, inflight: 0, delayed: 0 });
    } finally {
      await Promise.all([poller.stop(), dlqPoller.stop()]);
    }
  }, 30_000);

  it('keeps at most maxConcurrency batches in flight and fills batches above 10', async () => {
    const { queue } = await queuePair('concurrency', 10);
    for (let i = 0; i < 60; i += 10) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queue.queueUrl,
          Entries: Array.from({ length: 10 }, (_, n) => ({ Id: String(n), MessageBody: `m${i + n}` })),
        }),
      );
    }
    let inFlight = 0;
    let maxInFlight = 0;
    let largest = 0;
    const poller: QueuePoller = startQueuePoller({
      sqs,
      queueUrl: queue.queueUrl,
      queueArn: queue.queueArn,
      region,
      functionName: 'test-concurrency',
      batchSize: 20,
      maxConcurrency: 2,
      handler: async (event) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        largest = Math.max(largest, event.Records.length);
        await new Promise((r) => setTimeout(r, 100));
        inFlight--;
      },
    });
    try {
      await waitFor(() => poller.stats.deleted === 60);
      expect(maxInFlight).toBeLessThanOrEqual(2);
      expect(largest).toBeGreaterThan(10);
    } finally {
      await poller.stop();
    }
  }, 20_000);

  it('hands out no more messages per second than ratePerSecond allows', async () => {
    const { queue } = await queuePair('rate', 10);
    for (let i = 0; i < 30; i += 10) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queue.queueUrl,
          Entries: Array.from({ length: 10 }, (_, n) => ({ Id: String(n), MessageBody: `r${i + n}` })),
        }),
      );
    }
    // The limiter's time is virtual: it moves only when the limiter waits, so a slow machine changes nothing.
    let now = 0;
    const clock = {
      now: () => now,
      sleep: async (ms: number) => {
        now += ms;
        await new Promise((r) => setImmediate(r));
      },
    };
    const handedOut: { at: number; total: number }[] = [];
    let total = 0;
    const poller = startQueuePoller({
      sqs,
      queueUrl: queue.queueUrl,
      queueArn: queue.queueArn,
      region,
      functionName: 'test-rate',
      batchSize: 10,
      maxConcurrency: 4,
      ratePerSecond: 10,
      clock,
      handler: async (event) => {
        total += event.Records.length;
        handedOut.push({ at: clock.now(), total });
      },
    });
    try {
      await waitFor(() => poller.stats.deleted === 30);
      // By any moment t: at most the bucket's one-second burst (10) plus 10 per second since the start.
      for (const { at, total } of handedOut) expect(total, `${total} by ${at} ms`).toBeLessThanOrEqual(10 + at / 100);
      // 30 messages at 10 per second after a burst of 10 take at least two (virtual) seconds.
      expect(handedOut.at(-1)).toMatchObject({ total: 30, at: expect.toSatisfy((at: number) => at >= 2000) });
    } finally {
      await poller.stop();
    }
  }, 20_000);

  it('applies Lambda rules to the batch response', () => {
    const records = [{ messageId: 'a' }, { messageId: 'b' }] as SQSRecord[];
    expect(failedMessageIds(undefined, records)).toEqual(new Set());
    expect(failedMessageIds({ batchItemFailures: [] }, records)).toEqual(new Set());
    expect(failedMessageIds({}, records)).toEqual(new Set());
    expect(failedMessageIds({ batchItemFailures: [{ itemIdentifier: 'b' }] }, records)).toEqual(new Set(['b']));
    expect(failedMessageIds({ batchItemFailures: [{ itemIdentifier: 'x' }] }, records)).toBe('all');
    expect(failedMessageIds({ batchItemFailures: [{ itemIdentifier: '' }] }, records)).toBe('all');
    expect(failedMessageIds({ batchItemFailures: [{ id: 'a' }] }, records)).toBe('all');
    expect(failedMessageIds({ batchItemFailures: 'a' }, records)).toBe('all');
  });
});
