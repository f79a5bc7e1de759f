/**
 * The raw substrate: what the hub's SQS and DynamoDB work per submission costs on the same emulators with no hub code
 * in between. The same number of writes and sends per submission as the hub made (measured in the same run), the
 * same batch size and concurrency as the archive queue's poller.
 */
import {
  CreateTableCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import type { LocalClients } from '../../infra/local/clients.ts';
import { tableDefinition } from '../../shared/store/table.ts';
import { type Throughput, throughput } from './throughput.ts';

export interface SubstratePlan {
  /** DynamoDB writes (operation → count) and SQS sends per submission, as the hub's receive made them */
  produce: Map<string, number>;
  /** DynamoDB writes per message, as the hub's archive delivery made them */
  consume: Map<string, number>;
  batchSize: number;
  maxConcurrency: number;
  waitTimeSeconds: number;
  /** Items of the real size: a submission and a delivery as the hub stored them */
  submissionItem: Record<string, unknown>;
  deliveryItem: Record<string, unknown>;
}

const DYNAMO_WRITES = new Set(['PutItem', 'UpdateItem', 'TransactWriteItems', 'DeleteItem', 'BatchWriteItem']);

/**
 * The raw substrate: per submission, the producer does receive's DynamoDB writes and SQS send; consumers (as many
 * and as large batches as the hub's archive poller) receive, do the archive delivery's DynamoDB writes per message
 * and delete the batch. Same emulators, its own table (same definition) and queue.
 */
export async function runSubstrate(
  clients: LocalClients,
  plan: SubstratePlan,
  n: number,
  concurrency: number,
  tag: string,
): Promise<Throughput> {
  const table = `bench-substrate-${tag}`;
  await clients.dynamodb.send(new CreateTableCommand(tableDefinition(table)));
  const { QueueUrl } = await clients.sqs.send(
    new CreateQueueCommand({ QueueName: `bench-substrate-${tag}`, Attributes: { VisibilityTimeout: '30' } }),
  );
  const queueUrl = QueueUrl as string;
  const item = (template: Record<string, unknown>, pk: string) => ({ ...template, pk: { S: pk } }) as never;
  const write = async (operation: string, i: number) => {
    const pk = `SUB#${tag}-${i}`;
    if (operation === 'TransactWriteItems') {
      await clients.dynamodb.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: table, Item: item(plan.submissionItem, pk) } },
            { Put: { TableName: table, Item: item(plan.deliveryItem, pk) } },
          ],
        }),
      );
    } else if (operation === 'UpdateItem') {
      await clients.dynamodb.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { pk: { S: pk }, sk: plan.deliveryItem.sk as never },
          UpdateExpression: 'SET updatedAt = :now',
          ExpressionAttributeValues: { ':now': { S: new Date().toISOString() } },
        }),
      );
    } else {
      await clients.dynamodb.send(new PutItemCommand({ TableName: table, Item: item(plan.deliveryItem, pk) }));
    }
  };
  const repeat = (ops: Map<string, number>, kind: string) =>
    [...ops].flatMap(([op, count]) => (op.startsWith(kind) ? Array(Math.round(count)).fill(op.split('/')[1]) : []));
  const produceWrites = repeat(plan.produce, 'DynamoDB/').filter((op) => DYNAMO_WRITES.has(op));
  const consumeWrites = repeat(plan.consume, 'DynamoDB/').filter((op) => DYNAMO_WRITES.has(op));

  const sentAt = new Array<number>(n).fill(0);
  const acceptedAt = new Array<number>(n).fill(0);
  const deliveredAt = new Array<number>(n).fill(0);
  let done = 0;
  let producing = true;
  const consumers = Array.from({ length: plan.maxConcurrency }, async () => {
    while (producing || done < n) {
      const { Messages = [] } = await clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: plan.batchSize,
          WaitTimeSeconds: plan.waitTimeSeconds,
        }),
      );
      if (Messages.length === 0) continue;
      await Promise.all(
        Messages.map(async (m) => {
          const i = Number(m.Body);
          for (const op of consumeWrites) await write(op, i);
        }),
      );
      await clients.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((m, k) => ({ Id: String(k), ReceiptHandle: m.ReceiptHandle as string })),
        }),
      );
      const at = Date.now();
      for (const m of Messages) deliveredAt[Number(m.Body)] = at;
      done += Messages.length;
    }
  });
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        sentAt[i] = Date.now();
        for (const op of produceWrites) await write(op, i);
        await clients.sqs.send(
          new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: '0', MessageBody: String(i) }] }),
        );
        acceptedAt[i] = Date.now();
      }
    }),
  );
  producing = false;
  await Promise.all(consumers);
  return throughput(sentAt, acceptedAt, deliveredAt);
}
