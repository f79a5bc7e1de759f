import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { awsClients } from '../aws/clients.ts';
import { runtimeRegistry } from '../config/runtime.ts';
import { type DeliveryMessage, DeliveryQueue, parseDeliveryMessage } from '../queue/delivery-queue.ts';
import { readEnv } from '../runtime/env.ts';
import { createLogger } from '../runtime/logger.ts';
import { DocumentStore } from '../store/documents.ts';
import { SubmissionStore } from '../store/submissions.ts';
import { type Deliverer, type DeliveryDeps, processDelivery } from './process.ts';

/**
 * An SQS-triggered delivery function: each record is one delivery; failures are reported per record
 * (partial batch response) so one bad delivery does not hold back the rest of the batch.
 */
export function deliveryConsumer(service: string, deliver: Deliverer) {
  return queueConsumer(service, async (message, receiveCount, deps) => {
    await processDelivery(message, receiveCount, deliver, deps);
  });
}

/**
 * Any function on a delivery queue (or its dead-letter queue): Powertools batch processing with partial
 * failures, the logger, and the dependencies built once per cold start.
 */
export function queueConsumer(
  service: string,
  handle: (message: DeliveryMessage, receiveCount: number, deps: DeliveryDeps) => Promise<void>,
) {
  const logger = createLogger(service);
  const processor = new BatchProcessor(EventType.SQS);
  let deps: Promise<DeliveryDeps> | undefined;

  const recordHandler = async (record: SQSRecord) => {
    deps ??= createDeps(logger);
    const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? '1');
    await handle(parseDeliveryMessage(record.body), receiveCount, await deps);
  };

  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => processPartialResponse(event, recordHandler, processor, { context }));
}

async function createDeps(logger: DeliveryDeps['logger']): Promise<DeliveryDeps> {
  const env = readEnv();
  const { dynamo, s3, sqs } = awsClients();
  return {
    registry: await runtimeRegistry(),
    store: new SubmissionStore(dynamo, env.tableName),
    documents: new DocumentStore(s3, env.bucketName),
    queue: new DeliveryQueue(sqs, env.queueUrls),
    logger,
  };
}
