import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { dynamoDb } from '../aws/dynamodb.ts';
import { s3Client } from '../aws/s3.ts';
import { sqsClient } from '../aws/sqs.ts';
import { runtimeRegistry } from '../config/runtime.ts';
import { compileMappings } from '../mapping/form-type.ts';
import { notifyingStore } from '../notify/notifying-store.ts';
import { DeliveryQueue } from '../queue/delivery-queue.ts';
import { readEnv } from '../runtime/env.ts';
import { DocumentStore } from '../store/documents.ts';
import { queueConsumer } from './consumer.ts';
import { createOnce } from './once.ts';
import { type Deliverer, processDelivery } from './process.ts';

/** How long a completed send is remembered: longer than any message can live on a queue with its retries. */
const IDEMPOTENCY_EXPIRY_SECONDS = 15 * 24 * 3600;

/** A target kind's delivery function: the delivery queue's messages, each sent at most once (Powertools idempotency). */
export function deliveryConsumer(service: string, deliver: Deliverer) {
  const idempotency = new IdempotencyConfig({ expiresAfterSeconds: IDEMPOTENCY_EXPIRY_SECONDS });
  return queueConsumer(service, {
    deps: async (logger) => {
      const env = readEnv();
      const registry = await runtimeRegistry();
      compileMappings(registry.config);
      return {
        registry,
        store: notifyingStore(registry, logger),
        documents: new DocumentStore(s3Client(), env.bucketName),
        queue: new DeliveryQueue(sqsClient(), env.queueUrls),
        logger,
        once: createOnce(dynamoDb().dynamoClient, env.idempotencyTableName, idempotency),
      };
    },
    // An in-progress record expires with this invocation, so a crashed attempt does not block the next one.
    onInvocation: (context) => idempotency.registerLambdaContext(context),
    handle: (message, control, deps) => processDelivery(message, control, deliver, deps).then(() => undefined),
  });
}
