import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHubConfig } from '../../shared/config/load.ts';
import { buildRegistry } from '../../shared/config/registry.ts';
import { DeliveryQueue } from '../../shared/queue/delivery-queue.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import { DocumentStore } from '../../shared/store/documents.ts';
import { SubmissionStore } from '../../shared/store/submissions.ts';
import { receiveSubmission } from '../../shared/submission/receive.ts';
import { requeueStranded } from '../../shared/submission/requeue.ts';
import { sample, testHub } from '../support/hub.ts';

/** A crash between storing a submission and queueing its deliveries: the sweep finds it and it is delivered. */
type Hub = Awaited<ReturnType<typeof testHub>>;
let t: Hub;

beforeAll(async () => {
  t = await testHub();
});
afterAll(() => t?.hub.stop());

describe('nothing stored is left behind', () => {
  it('queues a submission whose receive died before queueing, and it is delivered', async () => {
    const { dynamodb, s3, sqs } = t.hub.clients;
    const store = new SubmissionStore(DynamoDBDocumentClient.from(dynamodb), t.hub.resources.tableName);
    const registry = buildRegistry(await loadHubConfig(t.hub.configPath));
    const body = JSON.stringify({ ...(await sample('melding-vei-gatelys')), submissionId: 'stranded-1' });
    const crashingQueue = {
      send: async () => {
        throw new Error('simulated crash before queueing');
      },
    };
    await expect(
      receiveSubmission(
        {
          principal: {
            kind: 'provider',
            providerId: 'eskjema',
            subject: 'eskjema-310123455',
            organisation: '959159092',
          },
          contentType: 'application/json',
          body,
        },
        { registry, store, documents: new DocumentStore(s3, t.hub.resources.bucketName), queue: crashingQueue },
      ),
    ).rejects.toThrow('simulated crash');
    const [trackingId] = await store.listUnqueued(new Date(Date.now() + 1000).toISOString());
    expect(trackingId).toBeTruthy();

    // Within the grace period a receive may still be working: left alone.
    const queue = new DeliveryQueue(sqs, t.hub.resources.queueUrls);
    const logger = createLogger('requeue-test');
    expect(await requeueStranded({ store, queue, logger }, new Date())).toBe(0);
    // After it, the sweep queues it, once.
    const later = new Date(Date.now() + 5 * 60_000);
    expect(await requeueStranded({ store, queue, logger }, later)).toBe(1);
    expect(await requeueStranded({ store, queue, logger }, later)).toBe(0);

    const status = await t.waitFor(trackingId ?? '', 'eskjema', (s) => s.status === 'DELIVERED');
    expect(status.status).toBe('DELIVERED');
    expect(status.submissionId).toBe('stranded-1');
  });
});
