import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { createDynamoDb } from '../aws/dynamodb.ts';
import { createS3 } from '../aws/s3.ts';
import { secretReaderOf } from '../aws/secrets.ts';
import { createSqs } from '../aws/sqs.ts';
import { registryLoader } from '../config/runtime.ts';
import { compileMappings } from '../mapping/form-type.ts';
import { withStatusNotifications } from '../notify/notifier.ts';
import { DeliveryQueue } from '../queue/delivery-queue.ts';
import type { FunctionEnv } from '../runtime/env.ts';
import { createSecretStore } from '../secrets/store.ts';
import { DocumentStore } from '../store/documents.ts';
import { SubmissionStore } from '../store/submissions.ts';
import { queueConsumer } from './consumer.ts';
import { createOnce } from './once.ts';
import { type Deliverer, processDelivery } from './process.ts';

/** How long a completed send is remembered: longer than any message can live on a queue with its retries. */
const IDEMPOTENCY_EXPIRY_SECONDS = 15 * 24 * 3600;

/** Both delivery functions declare the same needs (shared/runtime/functions.ts). */
export type DeliveryFunctionEnv = FunctionEnv<'deliver-archive'> | FunctionEnv<'deliver-fagsystem'>;

/**
 * A target kind's delivery function: the delivery queue's messages, each sent at most once (Powertools
 * idempotency). Its clients are made from the function's environment, once per handler; the stores and the
 * configuration at the first message.
 */
export function deliveryConsumer(deliver: Deliverer, env: DeliveryFunctionEnv) {
  const idempotency = new IdempotencyConfig({ expiresAfterSeconds: IDEMPOTENCY_EXPIRY_SECONDS });
  const dynamo = createDynamoDb(env.aws);
  const s3 = createS3(env.aws);
  const sqs = createSqs(env.aws);
  const registry = registryLoader(env.config);
  // One store for the targets' tokens and Fiks IO's keys: read at run time, cached briefly.
  const secrets = createSecretStore(env.secrets, env.aws);
  const fiksIoSecrets = 'fiksIoSecrets' in env ? secretReaderOf(secrets) : undefined;
  return queueConsumer(env.name, {
    deps: async (logger) => {
      const loaded = await registry();
      compileMappings(loaded.config);
      return {
        registry: loaded,
        // A delivery's status changes are news for the provider's webhook.
        store: withStatusNotifications(new SubmissionStore(dynamo.dynamo, env.tableName), {
          registry: loaded,
          sqs,
          queueUrls: env.queueUrls,
          logger,
        }),
        documents: new DocumentStore(s3, env.bucketName),
        queue: new DeliveryQueue(sqs, env.queueUrls),
        logger,
        once: createOnce(dynamo.dynamoClient, env.idempotencyTableName, idempotency),
        secrets,
        ...(fiksIoSecrets ? { fiksIoSecrets } : {}),
      };
    },
    backoff: { sqs, queueUrls: env.queueUrls },
    // An in-progress record expires with this invocation, so a crashed attempt does not block the next one.
    onInvocation: (context) => idempotency.registerLambdaContext(context),
    handle: (message, control, deps) => processDelivery(message, control, deliver, deps).then(() => undefined),
  });
}
