import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { awsClients } from '../aws/clients.ts';
import { runtimeRegistry } from '../config/runtime.ts';
import { withStatusNotifications } from '../notify/notifier.ts';
import { type DeliveryMessage, DeliveryQueue, parseDeliveryMessage } from '../queue/delivery-queue.ts';
import { readEnv } from '../runtime/env.ts';
import { createLogger } from '../runtime/logger.ts';
import { loggableError } from '../runtime/safe-error.ts';
import { DocumentStore } from '../store/documents.ts';
import { SubmissionStore } from '../store/submissions.ts';
import { createOnce } from './once.ts';
import { type Deliverer, type DeliveryDeps, type MessageControl, processDelivery } from './process.ts';

/** How long a completed send is remembered: longer than any message can live on a queue with its retries. */
const IDEMPOTENCY_EXPIRY_SECONDS = 15 * 24 * 3600;

export function deliveryConsumer(service: string, deliver: Deliverer) {
  return queueConsumer(service, async (message, control, deps) => {
    await processDelivery(message, control, deliver, deps);
  });
}

/**
 * Any function on a delivery queue (or its dead-letter queue): Powertools batch processing with partial
 * failures, the logger, and the dependencies built once per cold start.
 */
export function queueConsumer(
  service: string,
  handle: (message: DeliveryMessage, control: MessageControl, deps: DeliveryDeps) => Promise<void>,
) {
  const logger = createLogger(service);
  const idempotency = new IdempotencyConfig({ expiresAfterSeconds: IDEMPOTENCY_EXPIRY_SECONDS });
  let deps: Promise<DeliveryDeps> | undefined;

  const recordHandler = async (record: SQSRecord) => {
    deps ??= createDeps(logger, idempotency);
    try {
      const message = parseDeliveryMessage(record.body);
      await handle(message, messageControl(record, logger), await deps);
    } catch (error) {
      logger.warn('Message failed; the queue will hand it out again', {
        messageId: record.messageId,
        ...loggableError(error),
      });
      throw error;
    }
  };

  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context: Context) => {
      // An in-progress record expires with this invocation, so a crashed attempt does not block the next one.
      idempotency.registerLambdaContext(context);
      // A processor per invocation: it holds the batch's state, and the local runner (unlike one Lambda
      // instance) runs several invocations of the same handler at once.
      return processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), { context });
    });
}

/** Backoff through the message's own visibility timeout (the queue is the retry scheduler). */
function messageControl(record: SQSRecord, logger: DeliveryDeps['logger']): MessageControl {
  return {
    receiveCount: Number(record.attributes.ApproximateReceiveCount ?? '1'),
    retryAfter: async (seconds) => {
      const queueName = record.eventSourceARN.split(':').at(-1);
      const queueUrl = Object.values(readEnv().queueUrls).find((url) => url.split('/').at(-1) === queueName);
      if (!queueUrl) return;
      try {
        await awsClients().sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: record.receiptHandle,
            VisibilityTimeout: seconds,
          }),
        );
      } catch (error) {
        // Only the timing suffers: the message still comes back after the queue's own visibility timeout.
        logger.warn('Could not put off the next attempt', { messageId: record.messageId, ...loggableError(error) });
      }
    },
  };
}

async function createDeps(logger: DeliveryDeps['logger'], config: IdempotencyConfig): Promise<DeliveryDeps> {
  const env = readEnv();
  const { dynamo, dynamoClient, s3, sqs } = awsClients();
  const registry = await runtimeRegistry();
  return {
    registry,
    store: withStatusNotifications(new SubmissionStore(dynamo, env.tableName), {
      registry,
      sqs,
      queueUrls: env.queueUrls,
      logger,
    }),
    documents: new DocumentStore(s3, env.bucketName),
    queue: new DeliveryQueue(sqs, env.queueUrls),
    logger,
    once: createOnce(dynamoClient, env.idempotencyTableName, config),
  };
}
