import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { HubPlan, QueuePlan } from '../../shared/config/plan.ts';
import { idempotencyTableDefinition, tableDefinition } from '../../shared/store/table.ts';

/**
 * Creates what a HubPlan implies, idempotently: safe on every start, and a changed setting (max attempts,
 * visibility timeout) is applied to the existing queue.
 */

export interface ProvisionClients {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  s3: S3Client;
}

export interface ProvisionOptions {
  region: string;
  /**
   * The SQS endpoint the SDK clients use. Queue URLs are rewritten to this origin: fauxqs answers with
   * `http://sqs.<region>.localhost:<port>/…`, which does not resolve everywhere, and the SDK sends requests to
   * the QueueUrl's host when it differs from an endpoint set through AWS_ENDPOINT_URL_SQS.
   */
  sqsEndpoint?: string;
}

export interface ProvisionedQueue {
  plan: QueuePlan;
  queueUrl: string;
  queueArn: string;
  deadLetterQueueUrl: string;
  deadLetterQueueArn: string;
}

export interface ProvisionResult {
  tableName: string;
  idempotencyTableName: string;
  bucketName: string;
  queues: ProvisionedQueue[];
  /** targetId → queue URL (SKJEMAFLYT_QUEUE_URLS) */
  queueUrls: Record<string, string>;
  /** targetId → dead-letter queue URL */
  deadLetterQueueUrls: Record<string, string>;
}

/** DLQ messages wait for a person: keep them as long as SQS allows (14 days). */
const DLQ_RETENTION_SECONDS = 1_209_600;

export async function provisionHub(
  plan: HubPlan,
  clients: ProvisionClients,
  options: ProvisionOptions,
): Promise<ProvisionResult> {
  const seen = new Set<string>();
  for (const queue of plan.queues) {
    if (seen.has(queue.queueName)) {
      throw new Error(`Two targets share the queue ${queue.queueName}: target ids must be unique across deployments`);
    }
    seen.add(queue.queueName);
  }

  const [queues] = await Promise.all([
    Promise.all(plan.queues.map((queue) => provisionQueue(queue, clients.sqs, options))),
    ensureTable(clients.dynamodb, tableDefinition(plan.tableName)),
    ensureTable(clients.dynamodb, idempotencyTableDefinition(plan.idempotencyTableName)),
    ensureBucket(clients.s3, plan.bucketName, options.region),
  ]);
  return {
    tableName: plan.tableName,
    idempotencyTableName: plan.idempotencyTableName,
    bucketName: plan.bucketName,
    queues,
    queueUrls: Object.fromEntries(queues.map((q) => [q.plan.targetId, q.queueUrl])),
    deadLetterQueueUrls: Object.fromEntries(queues.map((q) => [q.plan.targetId, q.deadLetterQueueUrl])),
  };
}

export async function ensureTable(dynamodb: DynamoDBClient, definition: CreateTableCommandInput): Promise<void> {
  const tableName = definition.TableName ?? '';
  try {
    await dynamodb.send(new CreateTableCommand(definition));
  } catch (error) {
    if ((error as Error).name !== 'ResourceInUseException') throw error;
  }
  await untilActive(dynamodb, tableName);
  // A data dir from before an index was added gets it (one index per update, as DynamoDB allows).
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
  const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  for (const index of definition.GlobalSecondaryIndexes ?? []) {
    if (existing.has(index.IndexName)) continue;
    const attributes = new Set(index.KeySchema?.map((k) => k.AttributeName));
    await dynamodb.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: definition.AttributeDefinitions?.filter((a) => attributes.has(a.AttributeName)),
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
    );
    await untilActive(dynamodb, tableName);
  }
}

async function untilActive(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    await sleep(100);
  }
  throw new Error(`Table ${tableName} did not become ACTIVE`);
}

export async function ensureBucket(s3: S3Client, bucketName: string, region: string): Promise<void> {
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucketName,
        ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
      }),
    );
  } catch (error) {
    const name = (error as Error).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  }
}

async function provisionQueue(queue: QueuePlan, sqs: SQSClient, options: ProvisionOptions): Promise<ProvisionedQueue> {
  const settings = queue.settings;
  const dlq = await ensureQueue(sqs, queue.deadLetterQueueName, options, {
    MessageRetentionPeriod: String(DLQ_RETENTION_SECONDS),
    VisibilityTimeout: String(settings.visibilityTimeoutSeconds),
  });
  const main = await ensureQueue(sqs, queue.queueName, options, {
    VisibilityTimeout: String(settings.visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: settings.maxAttempts }),
  });
  return {
    plan: queue,
    queueUrl: main.queueUrl,
    queueArn: main.queueArn,
    deadLetterQueueUrl: dlq.queueUrl,
    deadLetterQueueArn: dlq.queueArn,
  };
}

/** Creates the queue if needed, then sets the attributes (so a changed configuration takes effect). */
export async function ensureQueue(
  sqs: SQSClient,
  queueName: string,
  options: ProvisionOptions,
  attributes: Record<string, string>,
): Promise<{ queueUrl: string; queueArn: string }> {
  let url: string | undefined;
  try {
    url = (await sqs.send(new CreateQueueCommand({ QueueName: queueName, Attributes: attributes }))).QueueUrl;
  } catch (error) {
    // AWS names it QueueAlreadyExists (JSON protocol) or AWS.SimpleQueueService.QueueNameExists (older code).
    if (!/Queue(Name|Already)Exists/.test((error as Error).name)) throw error;
    url = (await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }))).QueueUrl;
  }
  if (!url) throw new Error(`No URL for queue ${queueName}`);
  const queueUrl = options.sqsEndpoint ? rebaseQueueUrl(url, options.sqsEndpoint) : url;
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: attributes }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  if (!Attributes?.QueueArn) throw new Error(`No ARN for queue ${queueName}`);
  return { queueUrl, queueArn: Attributes.QueueArn };
}

/** `http://sqs.eu-north-1.localhost:4566/000000000000/q` + `http://127.0.0.1:4566` → `http://127.0.0.1:4566/000000000000/q` */
export function rebaseQueueUrl(queueUrl: string, endpoint: string): string {
  const url = new URL(queueUrl);
  return new URL(url.pathname, endpoint).href;
}
