import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type DeliveryMessage, parseDeliveryMessage } from '../queue/delivery-queue.ts';
import { createLogger } from '../runtime/logger.ts';
import { loggableError } from '../runtime/safe-error.ts';
import { AwaitingReceipt } from './awaiting-receipt.ts';
import type { MessageControl } from './process.ts';

export interface QueueConsumer<D> {
  /** The dependencies, built once per cold start (at the first message) */
  deps: (logger: Logger) => Promise<D>;
  /** Called at the start of every invocation */
  onInvocation?: (context: Context) => void;
  handle: (message: DeliveryMessage, control: MessageControl, deps: D) => Promise<void>;
  /** The queues it reads, to put a message off on (MessageControl.retryAfter); without, retryAfter does nothing */
  backoff?: QueueBackoff;
}

export interface QueueBackoff {
  sqs: SQSClient;
  /** The function's queue URLs: the one a message came from is found by its name */
  queueUrls: Record<string, string>;
}

/**
 * Any function on a delivery queue (or its dead-letter queue): Powertools batch processing with partial
 * failures, the logger, and the dependencies built once per cold start. Each function builds only the
 * dependencies it uses, so its bundle carries only those AWS clients.
 */
export function queueConsumer<D>(service: string, consumer: QueueConsumer<D>) {
  const logger = createLogger(service);
  let deps: Promise<D> | undefined;

  const recordHandler = async (record: SQSRecord) => {
    // A failed start (say, DynamoDB not reachable yet) is not kept: the next message tries again.
    deps ??= consumer.deps(logger).catch((error: unknown) => {
      deps = undefined;
      throw error;
    });
    try {
      const message = parseDeliveryMessage(record.body);
      await consumer.handle(message, messageControl(record, logger, consumer.backoff), await deps);
    } catch (error) {
      // Kept on purpose (a delivery waiting for its receipt): the queue hands it out again at the deadline.
      if (error instanceof AwaitingReceipt) throw error;
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
      consumer.onInvocation?.(context);
      // A processor per invocation: it holds the batch's state, and the local runner (unlike one Lambda
      // instance) runs several invocations of the same handler at once.
      return processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), { context });
    });
}

/** Backoff through the message's own visibility timeout (the queue is the retry scheduler). */
function messageControl(record: SQSRecord, logger: Logger, backoff: QueueBackoff | undefined): MessageControl {
  return {
    receiveCount: Number(record.attributes.ApproximateReceiveCount ?? '1'),
    retryAfter: async (seconds) => {
      const queueName = record.eventSourceARN.split(':').at(-1);
      const queueUrl = Object.values(backoff?.queueUrls ?? {}).find((url) => url.split('/').at(-1) === queueName);
      if (!backoff || !queueUrl) return;
      try {
        await backoff.sqs.send(
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
