import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHubConfig } from '../../shared/config/load.ts';
import { buildRegistry } from '../../shared/config/registry.ts';
import { deliverToFagsystem } from '../../shared/delivery/fagsystem-delivery.ts';
import { createOnce } from '../../shared/delivery/once.ts';
import { type DeliveryDeps, processDelivery } from '../../shared/delivery/process.ts';
import { DeliveryQueue } from '../../shared/queue/delivery-queue.ts';
import { hostVariable } from '../../shared/runtime/env.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import { createSecretStore } from '../../shared/secrets/store.ts';
import { DocumentStore } from '../../shared/store/documents.ts';
import { SubmissionStore } from '../../shared/store/submissions.ts';
import { httpArchiveConfig } from '../support/http-config.ts';
import { sample, testHub } from '../support/hub.ts';

/**
 * The window every integration fears: the work order was sent, then the process died before recording it.
 * The redelivered message must not create a second work order. Real DynamoDB Local, real queues, a real HTTP
 * specialist system; the "crash" is a status write that fails once.
 */
type Hub = Awaited<ReturnType<typeof testHub>>;
let t: Hub;
const workOrders: { key: string | undefined; body: string }[] = [];
const fagsystem = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    workOrders.push({ key: req.headers['idempotency-key'] as string | undefined, body });
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: `AO-${workOrders.length}` }));
  });
});

beforeAll(async () => {
  await new Promise<void>((done) => fagsystem.listen(0, '127.0.0.1', done));
  process.env.FAKE_FAGSYSTEM_URL = `http://127.0.0.1:${(fagsystem.address() as AddressInfo).port}/arbeidsordre`;
  process.env.FAKE_ARCHIVE_URL = 'http://127.0.0.1:9/unused';
  const configPath = await httpArchiveConfig(undefined, {
    'halden-driftsordre': { type: 'http', url: '${FAKE_FAGSYSTEM_URL}', timeoutMs: 2000 },
  });
  t = await testHub(undefined, { configPath });
  // This test plays the queue itself: the runner's pollers stay out of it.
  await Promise.all(t.hub.pollers.map((p) => p.stop()));
});

afterAll(async () => {
  await t?.hub.stop();
  fagsystem.close();
});

async function deps(crashOnDelivered: boolean): Promise<DeliveryDeps> {
  const { dynamodb, s3, sqs } = t.hub.clients;
  const store = new SubmissionStore(DynamoDBDocumentClient.from(dynamodb), t.hub.resources.tableName);
  let crashed = false;
  const crashing = Object.create(store) as SubmissionStore;
  crashing.transition = async (delivery, change) => {
    if (crashOnDelivered && change.to === 'DELIVERED' && !crashed) {
      crashed = true;
      throw new Error('simulated crash between sending and recording');
    }
    return store.transition(delivery, change);
  };
  return {
    registry: buildRegistry(await loadHubConfig(t.hub.configPath)),
    store: crashing,
    documents: new DocumentStore(s3, t.hub.resources.bucketName),
    queue: new DeliveryQueue(sqs, t.hub.resources.queueUrls),
    logger: createLogger('exactly-once-test'),
    once: createOnce(dynamodb, t.hub.resources.idempotencyTableName, new IdempotencyConfig({})),
    secrets: createSecretStore({ variable: hostVariable }, {}),
  };
}

const control = (receiveCount: number) => ({ receiveCount, retryAfter: async () => {} });

describe('exactly one work order in effect', () => {
  it('a crash after sending and before recording does not send a second work order', async () => {
    const body = { ...(await sample('melding-vei-gatelys')), submissionId: 'exactly-once-1' };
    const { body: receipt } = await t.post(body);
    const message = { trackingId: receipt.trackingId, targetId: 'halden-driftsordre' };

    await expect(processDelivery(message, control(1), deliverToFagsystem, await deps(true))).rejects.toThrow(
      'simulated crash',
    );
    expect(workOrders).toHaveLength(1);
    expect((await t.status(receipt.trackingId)).body.deliveries[0].status).not.toBe('DELIVERED');

    // The queue hands the message out again.
    expect(await processDelivery(message, control(2), deliverToFagsystem, await deps(false))).toBe('delivered');
    expect(workOrders).toHaveLength(1);
    expect(workOrders[0]?.key).toBe(receipt.trackingId);
    const status = (await t.status(receipt.trackingId)).body;
    expect(status.deliveries[0]).toMatchObject({ status: 'DELIVERED', references: { id: 'AO-1' } });
  });

  it('a late duplicate of a delivered message changes nothing and sends nothing', async () => {
    const body = { ...(await sample('melding-vei-gatelys')), submissionId: 'exactly-once-2' };
    const { body: receipt } = await t.post(body);
    const message = { trackingId: receipt.trackingId, targetId: 'halden-driftsordre' };
    expect(await processDelivery(message, control(1), deliverToFagsystem, await deps(false))).toBe('delivered');
    const before = (await t.status(receipt.trackingId)).body.deliveries[0];
    const sent = workOrders.length;

    const failing = async () => {
      throw new Error('would fail if it were sent again');
    };
    expect(await processDelivery(message, control(7), failing, await deps(false))).toBe('skipped');
    const after = (await t.status(receipt.trackingId)).body.deliveries[0];
    expect(after.status).toBe('DELIVERED');
    expect(after.history).toEqual(before.history);
    expect(workOrders).toHaveLength(sent);
  });
});
