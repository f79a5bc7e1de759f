import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttribute, SQSRecord } from 'aws-lambda';
import { createLambdaContext, withTimeout } from './lambda-context.ts';

/**
 * Lambda's SQS event source mapping, locally: long-poll a queue, hand batches to the handler, delete what
 * succeeded (ReportBatchItemFailures semantics), leave the rest to come back after the visibility timeout.
 * The queue's RedrivePolicy moves a message to its DLQ after maxReceiveCount receives; that is plain SQS.
 */

export type QueueHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | unknown>;

export interface QueuePollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  /** For the Lambda context and log lines, e.g. `deliver-archive` */
  functionName: string;
  handler: QueueHandler;
  /** Messages per invocation; above 10 several receives fill one batch */
  batchSize: number;
  /** Batches in flight at most */
  maxConcurrency: number;
  /** Messages handed to the handler per second at most (a recovering target is not flooded). Default: no limit. */
  ratePerSecond?: number;
  /** The rate limit's clock; tests pass a virtual one so that the limit is checked in its own time, not the machine's */
  clock?: PollerClock;
  /** Long-poll wait; short so that stop is quick. Default 1 s. */
  waitTimeSeconds?: number;
  /** Function timeout; a slower invocation counts as failed (the messages come back). Default 30 s. */
  functionTimeoutMs?: number;
  /** How long stop() waits for batches in flight. Default 30 s. */
  stopTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface PollerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const systemClock: PollerClock = { now: () => Date.now(), sleep: (ms) => sleep(ms) };

export interface PollerStats {
  batches: number;
  messages: number;
  deleted: number;
  failed: number;
}

export interface QueuePoller {
  readonly functionName: string;
  readonly queueUrl: string;
  readonly stats: Readonly<PollerStats>;
  stop(): Promise<void>;
}

export function startQueuePoller(options: QueuePollerOptions): QueuePoller {
  const log = options.log ?? (() => {});
  const batchSize = Math.max(1, options.batchSize);
  const waitTimeSeconds = options.waitTimeSeconds ?? 1;
  const timeoutMs = options.functionTimeoutMs ?? 30_000;
  const stats: PollerStats = { batches: 0, messages: 0, deleted: 0, failed: 0 };
  const { sqs, queueUrl, queueArn, region, functionName, handler } = options;
  let stopping = false;

  const receive = async (max: number, wait: number): Promise<Message[]> => {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: wait,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    return Messages ?? [];
  };

  // Token bucket for ratePerSecond: a receive takes no more messages than there are tokens.
  const rate = options.ratePerSecond;
  const clock = options.clock ?? systemClock;
  let tokens = rate ? Math.max(1, rate) : Number.POSITIVE_INFINITY;
  let refilled = clock.now();
  const takeTokens = async (wanted: number): Promise<number> => {
    if (!rate) return wanted;
    for (;;) {
      const now = clock.now();
      tokens = Math.min(Math.max(1, rate), tokens + ((now - refilled) / 1000) * rate);
      refilled = now;
      if (tokens >= 1) {
        const granted = Math.min(wanted, Math.floor(tokens));
        tokens -= granted;
        return granted;
      }
      await clock.sleep(Math.ceil(((1 - tokens) / rate) * 1000));
      if (stopping) return 0;
    }
  };

  const receiveBatch = async (): Promise<Message[]> => {
    const allowed = await takeTokens(batchSize);
    if (allowed === 0) return [];
    const batch = await receive(allowed, waitTimeSeconds);
    if (rate) tokens += allowed - batch.length; // give back what the queue did not have
    // Batches above 10 (SQS's maximum per receive): keep taking what is there right now.
    while (!rate && batch.length < batchSize && batch.length % 10 === 0 && batch.length > 0 && !stopping) {
      const more = await receive(batchSize - batch.length, 0);
      if (more.length === 0) break;
      batch.push(...more);
    }
    return batch;
  };

  const deleteMessages = async (records: SQSRecord[]) => {
    for (let i = 0; i < records.length; i += 10) {
      const chunk = records.slice(i, i + 10);
      try {
        const result = await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((r, n) => ({ Id: String(n), ReceiptHandle: r.receiptHandle })),
          }),
        );
        stats.deleted += result.Successful?.length ?? 0;
        if (result.Failed?.length) log(`${functionName}: could not delete ${result.Failed.length} message(s)`);
      } catch (error) {
        log(`${functionName}: deleting ${chunk.length} message(s) failed: ${(error as Error).message}`);
      }
    }
  };

  const processBatch = async (messages: Message[]) => {
    const records = messages.map((m) => toSqsRecord(m, queueArn, region));
    stats.batches++;
    stats.messages += records.length;
    let failed: ReadonlySet<string> | 'all';
    try {
      const context = createLambdaContext({ functionName, region, timeoutMs });
      const response = await withTimeout(
        Promise.resolve(handler({ Records: records }, context)),
        timeoutMs,
        functionName,
      );
      failed = failedMessageIds(response, records);
      if (failed === 'all') log(`${functionName}: invalid batchItemFailures in the response; the whole batch failed`);
    } catch (error) {
      log(`${functionName}: batch of ${records.length} failed: ${(error as Error)?.message ?? String(error)}`);
      failed = 'all';
    }
    const succeeded = failed === 'all' ? [] : records.filter((r) => !failed.has(r.messageId));
    stats.failed += records.length - succeeded.length;
    if (succeeded.length > 0) await deleteMessages(succeeded);
  };

  const worker = async () => {
    while (!stopping) {
      let messages: Message[];
      try {
        messages = await receiveBatch();
      } catch (error) {
        if (stopping) break;
        log(`${functionName}: receive failed: ${(error as Error).message}`);
        await sleep(1000);
        continue;
      }
      // Messages received while stopping are still processed: they are ours until the visibility timeout.
      if (messages.length > 0) await processBatch(messages);
    }
  };

  const workers = Array.from({ length: Math.max(1, options.maxConcurrency) }, () => worker());
  let stopped: Promise<void> | undefined;

  return {
    functionName,
    queueUrl,
    stats,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        const cap = sleep(options.stopTimeoutMs ?? 30_000, 'timeout' as const, { ref: false });
        const result = await Promise.race([Promise.all(workers), cap]);
        if (result === 'timeout') log(`${functionName}: stopped while a batch was still running`);
      })();
      return stopped;
    },
  };
}

/**
 * Which messages failed, by Lambda's rules: no response / no batchItemFailures / an empty list = all succeeded;
 * a failure without a valid itemIdentifier, or one naming a message not in the batch = the whole batch failed.
 */
export function failedMessageIds(response: unknown, records: readonly SQSRecord[]): ReadonlySet<string> | 'all' {
  if (response === undefined || response === null) return new Set();
  if (typeof response !== 'object') return 'all';
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return 'all';
  const ids = new Set(records.map((r) => r.messageId));
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !ids.has(id)) return 'all';
    failed.add(id);
  }
  return failed;
}

/** An SQS message as Lambda's event source mapping presents it. */
export function toSqsRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  const record: SQSRecord = {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ...attributes,
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? '',
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '',
    },
    messageAttributes: toLambdaMessageAttributes(message.MessageAttributes),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
  if (message.MD5OfMessageAttributes) record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}

function toLambdaMessageAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): Record<string, SQSMessageAttribute> {
  const result: Record<string, SQSMessageAttribute> = {};
  if (!attributes) return result;
  for (const [name, value] of Object.entries(attributes)) {
    const attribute: SQSMessageAttribute = {
      stringListValues: [],
      binaryListValues: [],
      dataType: value.DataType ?? 'String',
    };
    if (value.StringValue !== undefined) attribute.stringValue = value.StringValue;
    if (value.BinaryValue !== undefined) attribute.binaryValue = Buffer.from(value.BinaryValue).toString('base64');
    result[name] = attribute;
  }
  return result;
}
