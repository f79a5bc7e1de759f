import { createDynamoDb } from '../../shared/aws/dynamodb.ts';
import { createSqs } from '../../shared/aws/sqs.ts';
import { registryLoader } from '../../shared/config/runtime.ts';
import { retryDelaySeconds } from '../../shared/delivery/backoff.ts';
import { queueConsumer } from '../../shared/delivery/consumer.ts';
import { WEBHOOK_RETRY } from '../../shared/notify/schedule.ts';
import { sendStatusNotification, WebhookError } from '../../shared/notify/webhook.ts';
import { atColdStart } from '../../shared/runtime/cold-start.ts';
import type { FunctionEnv } from '../../shared/runtime/env.ts';
import { createSecretStore } from '../../shared/secrets/store.ts';
import { SubmissionStore } from '../../shared/store/submissions.ts';

/** SQS: status-change notifications → the provider's webhook, signed; retried with backoff, never blocking delivery. */
export function createHandler(env: FunctionEnv<'notify'>) {
  const { dynamo } = createDynamoDb(env.aws);
  const registry = registryLoader(env.config);
  const secrets = createSecretStore(env.secrets, env.aws);
  return queueConsumer('notify', {
    deps: async (logger) => ({
      registry: await registry(),
      store: new SubmissionStore(dynamo, env.tableName),
      secrets,
      logger,
    }),
    backoff: { sqs: createSqs(env.aws), queueUrls: env.queueUrls },
    handle: async (message, control, deps) => {
      try {
        await sendStatusNotification(message, deps);
      } catch (error) {
        if (error instanceof WebhookError && !error.retryable) {
          // The reason names a status and at most an origin (a redirect's), never the notification's content.
          deps.logger.warn('Webhook answered 410 Gone; notification dropped', {
            trackingId: message.trackingId,
            reason: error.message,
          });
          return;
        }
        await control.retryAfter(retryDelaySeconds(control.receiveCount, WEBHOOK_RETRY));
        throw error;
      }
    },
  });
}

export const handler = atColdStart('notify', createHandler);
