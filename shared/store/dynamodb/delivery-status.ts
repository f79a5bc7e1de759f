import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Transition } from '../../delivery/lifecycle.ts';
import {
  type DeliveryRef,
  type DeliveryRepository,
  type SentMessageRef,
  StaleTransitionError,
  type SubmissionWithDeliveries,
} from '../../delivery/repository.ts';
import type { AuditEntry, DeliveryRecord, SubmissionRecord } from '../records.ts';
import { deliveryKey, providerIndexKeys, sentMessageKey, statusIndexKeys, strip } from './keys.ts';
import { partitionItems } from './partition.ts';

/** Deliveries and their statuses in DynamoDB: reads of a submission's partition and conditional status writes. */
export class DynamoDeliveryStatus implements DeliveryRepository {
  private readonly db: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(db: DynamoDBDocumentClient, table: string) {
    this.db = db;
    this.table = table;
  }

  /** The submission with all its deliveries (one query on the partition). */
  async get(trackingId: string): Promise<SubmissionWithDeliveries | undefined> {
    const items = await partitionItems(this.db, this.table, trackingId);
    const submission = items.find((i) => i.sk === 'SUBMISSION');
    if (!submission) return undefined;
    return {
      submission: strip(submission) as unknown as SubmissionRecord,
      deliveries: items
        .filter((i) => String(i.sk).startsWith('DELIVERY#'))
        .map((i) => strip(i) as unknown as DeliveryRecord),
    };
  }

  async getDelivery(trackingId: string, targetId: string): Promise<DeliveryRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: deliveryKey(trackingId, targetId), ConsistentRead: true }),
    );
    return Item ? (strip(Item) as unknown as DeliveryRecord) : undefined;
  }

  async recordAudit(delivery: DeliveryRef, entry: AuditEntry): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: deliveryKey(delivery.trackingId, delivery.target),
        UpdateExpression: 'SET audit = list_append(if_not_exists(audit, :none), :entry)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':none': [], ':entry': [entry] },
      }),
    );
  }

  async findBySentMessage(messageId: string): Promise<SentMessageRef | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: sentMessageKey(messageId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return {
      trackingId: String(Item.trackingId),
      target: String(Item.target),
      ...(typeof Item.recipient === 'string' ? { recipient: Item.recipient } : {}),
      ...(Item.step === 'folder-lookup' ? { step: 'folder-lookup' as const } : {}),
    };
  }

  /**
   * Writes a decided transition (shared/delivery/lifecycle.ts) only while the delivery is in one of its `from`
   * statuses and round: the same rule as `applyTransition`, enforced by DynamoDB against concurrent writers.
   */
  async transition(delivery: DeliveryRef, t: Transition): Promise<DeliveryRecord> {
    const { trackingId, target: targetId } = delivery;
    const at = t.entry.at;
    if (t.sent) {
      // Written first: a receipt that arrives before the status write still finds its delivery. If the write
      // turns out stale, the entry points at a delivery that ignores the receipt: harmless.
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...sentMessageKey(t.sent.messageId),
            type: 'sent-message',
            trackingId,
            target: targetId,
            ...(t.sent.recipient ? { recipient: t.sent.recipient } : {}),
            ...(t.sent.step ? { step: t.sent.step } : {}),
          },
        }),
      );
    }
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = { ':to': t.to, ':entry': [t.entry], ':at': at };
    const set = [
      '#status = :to',
      'history = list_append(history, :entry)',
      'updatedAt = :at',
      'gsi1pk = :gsi1pk',
      'gsi1sk = :gsi1sk',
    ];
    Object.assign(values, statusIndexKeys(delivery.municipality, t.to, at, `${trackingId}.${targetId}`, ':'));
    // The provider's feed position. Its key is written at intake; a delivery stored before the feed existed gets
    // it at its next change, when the caller knows the provider (else it stays out of the index).
    set.push('gsi2sk = :gsi2sk');
    values[':gsi2sk'] = `${at}#${trackingId}.${targetId}`;
    const providerId = (delivery as Partial<DeliveryRecord>).providerId;
    if (providerId) {
      set.push('gsi2pk = if_not_exists(gsi2pk, :gsi2pk)');
      values[':gsi2pk'] = providerIndexKeys(providerId, '', '').gsi2pk;
    }
    const remove: string[] = [];
    const add: string[] = [];
    if (t.countAttempt) add.push('attempts :one');
    if (t.newRound) add.push('#round :one');
    if (t.newSend) add.push('resends :one');
    if (add.length > 0) values[':one'] = 1;
    if (t.newRound || t.round !== undefined) names['#round'] = 'round';
    const optional = { failure: t.failure, nextAttemptAt: t.nextAttemptAt, sent: t.sent, folder: t.folder };
    for (const [field, value] of Object.entries(optional)) {
      if (value === undefined) continue;
      if (value === null) remove.push(field);
      else {
        set.push(`${field} = :${field}`);
        values[`:${field}`] = value;
      }
    }
    if (t.references && Object.keys(t.references).length > 0) {
      set.push('#references = :references');
      names['#references'] = 'references';
      values[':references'] = t.references;
    }
    t.from.forEach((s, i) => {
      values[`:from${i}`] = s;
    });
    const conditions = ['attribute_exists(pk)', `#status IN (${t.from.map((_, i) => `:from${i}`).join(', ')})`];
    if (t.round !== undefined) {
      values[':round'] = t.round;
      conditions.push(t.round === 0 ? '(attribute_not_exists(#round) OR #round = :round)' : '#round = :round');
    }
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: deliveryKey(trackingId, targetId),
          UpdateExpression: [
            `SET ${set.join(', ')}`,
            add.length ? `ADD ${add.join(', ')}` : '',
            remove.length ? `REMOVE ${remove.join(', ')}` : '',
          ].join(' '),
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return strip(Attributes ?? {}) as unknown as DeliveryRecord;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new StaleTransitionError(`${trackingId}.${targetId}`, t.to);
      throw error;
    }
  }
}
