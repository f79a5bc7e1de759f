import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ALLOWED_FROM, type DeliveryStatus } from '../delivery/status.ts';
import type { AuditEntry, DeliveryRecord, HistoryEntry, References, SubmissionRecord } from './records.ts';
import { searchTerms } from './search-terms.ts';

const submissionKey = (trackingId: string) => ({ pk: `SUB#${trackingId}`, sk: 'SUBMISSION' });
const deliveryKey = (trackingId: string, targetId: string) => ({ pk: `SUB#${trackingId}`, sk: `DELIVERY#${targetId}` });
const receiptKey = (providerId: string, submissionId: string) => ({
  pk: `RECEIPT#${providerId}#${submissionId}`,
  sk: 'RECEIPT',
});

/** What identifies a delivery for a status change (the municipality keys the admin index). */
export type DeliveryRef = Pick<DeliveryRecord, 'trackingId' | 'target' | 'municipality'>;

/** Index key of submissions not yet confirmed on their queues (sparse: removed by markEnqueued). */
const UNQUEUED = 'UNQUEUED';

/** Index of deliveries by municipality and status, newest change last: what the admin lists read. */
export const STATUS_INDEX = 'byMunicipalityStatus';

export function statusIndexKeys(municipality: string, status: string, at: string, id: string, prefix = '') {
  return { [`${prefix}gsi1pk`]: `ADMIN#${municipality}#${status}`, [`${prefix}gsi1sk`]: `${at}#${id}` };
}

/**
 * Search entries share the index (single-table overloading): one small item per search term of a submission,
 * gsi1pk = FIND#<kommunenummer>, gsi1sk = <term>#<trackingId>, so a name or submissionId is found by prefix.
 */
export function searchIndexKeys(municipality: string, term: string, trackingId: string) {
  return { gsi1pk: `FIND#${municipality}`, gsi1sk: `${term}#${trackingId}` };
}

/**
 * The status index's sort-key bounds for a time range (gsi1sk = <time>#<id>), or undefined when the range is empty:
 * DynamoDB refuses a BETWEEN whose lower bound is above the upper one, and nothing can lie in such a range anyway
 * (e.g. a bulk retry from a time after it started).
 */
function timeRange(range: {
  from?: string | undefined;
  to?: string | undefined;
}): { from: string; to: string } | undefined {
  const from = range.from ?? '0000';
  const to = `${range.to ?? '9999'}~`;
  return from <= to ? { from, to } : undefined;
}

/** Reads one status list stops after this many items even when filters kept few: the next page goes on. */
const LIST_READ_BUDGET = 1000;

export interface StatusQuery {
  municipality: string;
  status: DeliveryStatus;
  target?: string;
  formType?: string;
  /** ISO timestamps bounding the last status change */
  from?: string;
  to?: string;
  limit: number;
  cursor?: Record<string, unknown>;
}

export interface StatusPage {
  items: DeliveryRecord[];
  cursor?: Record<string, unknown>;
  scannedCount: number;
  consumedCapacity: number;
}

/** How many deliveries are in one status, per target and form type, and which has waited longest. */
export interface StatusSummary {
  count: number;
  byTarget: Record<string, number>;
  byFormType: Record<string, number>;
  /** The one received longest ago (its first history entry) */
  oldest?: { id: string; target: string; formType: string; since: string; updatedAt: string };
  /** False when the read stopped at maxItems: count is a lower bound */
  complete: boolean;
  scannedCount: number;
  consumedCapacity: number;
}

export interface Receipt {
  trackingId: string;
  contentHash: string;
}

/** The provider already sent this submissionId: the stored receipt tells whether it is the same content. */
export class DuplicateSubmissionError extends Error {
  readonly existing: Receipt;
  constructor(existing: Receipt) {
    super('Submission already received');
    this.name = 'DuplicateSubmissionError';
    this.existing = existing;
  }
}

/** The delivery was not in a status this change may come from (a late or repeated message). */
export class StaleTransitionError extends Error {
  constructor(id: string, to: DeliveryStatus) {
    super(`Delivery ${id} cannot move to ${to} from its current status`);
    this.name = 'StaleTransitionError';
  }
}

export interface Transition {
  to: DeliveryStatus;
  detail: string;
  by?: string;
  /** Count one more attempt */
  countAttempt?: boolean;
  /** Start a new round of attempts (a manual retry) */
  newRound?: boolean;
  lastError?: string | null;
  nextAttemptAt?: string | null;
  references?: References;
  /** Override the default "may come from" statuses */
  from?: DeliveryStatus[];
}

/** Submissions, deliveries and receipts in the hub's one table. */
export class SubmissionStore {
  private readonly db: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(db: DynamoDBDocumentClient, table: string) {
    this.db = db;
    this.table = table;
  }

  async findReceipt(providerId: string, submissionId: string): Promise<Receipt | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: receiptKey(providerId, submissionId), ConsistentRead: true }),
    );
    return Item ? { trackingId: Item.trackingId, contentHash: Item.contentHash } : undefined;
  }

  /** Writes receipt, submission and deliveries in one transaction: all of it, or nothing. */
  async create(submission: SubmissionRecord, deliveries: DeliveryRecord[]): Promise<void> {
    const receipt = receiptKey(submission.providerId, submission.submissionId);
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: { ...receipt, trackingId: submission.trackingId, contentHash: submission.contentHash },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.table,
                // In the index until its messages are on the queues, so a sweep can finish what a crash left.
                Item: {
                  ...submissionKey(submission.trackingId),
                  gsi1pk: UNQUEUED,
                  gsi1sk: `${submission.receivedAt}#${submission.trackingId}`,
                  type: 'submission',
                  ...submission,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            ...deliveries.map((d) => ({
              Put: {
                TableName: this.table,
                Item: {
                  ...deliveryKey(d.trackingId, d.target),
                  ...statusIndexKeys(d.municipality, d.status, d.updatedAt, d.id),
                  type: 'delivery',
                  ...d,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            })),
            ...searchTerms(deliveries[0]?.submitter?.name, submission.submissionId).map((term) => ({
              Put: {
                TableName: this.table,
                Item: {
                  pk: submissionKey(submission.trackingId).pk,
                  sk: `FIND#${term}`,
                  ...searchIndexKeys(submission.municipality, term, submission.trackingId),
                  type: 'search',
                  trackingId: submission.trackingId,
                },
              },
            })),
          ],
        }),
      );
    } catch (error) {
      if (
        error instanceof TransactionCanceledException &&
        error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
      ) {
        const existing = await this.findReceipt(submission.providerId, submission.submissionId);
        if (existing) throw new DuplicateSubmissionError(existing);
      }
      throw error;
    }
  }

  async markEnqueued(trackingId: string, at: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: submissionKey(trackingId),
        UpdateExpression: 'SET enqueuedAt = :at REMOVE gsi1pk, gsi1sk',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }

  /** The submission with all its deliveries (one query on the partition). */
  async get(trackingId: string): Promise<{ submission: SubmissionRecord; deliveries: DeliveryRecord[] } | undefined> {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': submissionKey(trackingId).pk },
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    const submission = items.find((i) => i.sk === 'SUBMISSION');
    if (!submission) return undefined;
    return {
      submission: strip(submission) as unknown as SubmissionRecord,
      deliveries: items
        .filter((i) => String(i.sk).startsWith('DELIVERY#'))
        .map((i) => strip(i) as unknown as DeliveryRecord),
    };
  }

  /**
   * Deliveries of one municipality in one status, oldest change first, from the status index: reads only
   * those deliveries (filters on target and form type apply within them), and goes on reading until the page
   * is full or the read budget is spent. Reports what it read (items and capacity).
   */
  async listByStatus(query: StatusQuery): Promise<StatusPage> {
    const range = timeRange(query);
    if (!range) return { items: [], scannedCount: 0, consumedCapacity: 0 };
    const values: Record<string, unknown> = {
      ':pk': statusIndexKeys(query.municipality, query.status, '', '').gsi1pk,
      ':from': range.from,
      ':to': range.to,
    };
    const filters: string[] = [];
    const names: Record<string, string> = {};
    if (query.target) {
      filters.push('#target = :target');
      names['#target'] = 'target';
      values[':target'] = query.target;
    }
    if (query.formType) {
      filters.push('formType = :formType');
      values[':formType'] = query.formType;
    }
    const items: Record<string, unknown>[] = [];
    let start = query.cursor;
    let cursor: Record<string, unknown> | undefined;
    let scannedCount = 0;
    let consumedCapacity = 0;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: STATUS_INDEX,
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
          ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
          // Without filters every item read is kept: read just the page. With filters, read more at a time.
          Limit: filters.length ? Math.max(query.limit, 100) : query.limit - items.length,
          ExclusiveStartKey: start,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      scannedCount += page.ScannedCount ?? 0;
      consumedCapacity += page.ConsumedCapacity?.CapacityUnits ?? 0;
      const room = query.limit - items.length;
      const found = page.Items ?? [];
      items.push(...found.slice(0, room));
      // A page cut short goes on after the last item kept; else after what DynamoDB read.
      cursor = found.length > room ? indexKey(items.at(-1) ?? {}) : page.LastEvaluatedKey;
      start = cursor;
    } while (cursor && items.length < query.limit && scannedCount < LIST_READ_BUDGET);
    return {
      items: items.map((i) => strip(i) as unknown as DeliveryRecord),
      ...(cursor ? { cursor } : {}),
      scannedCount,
      consumedCapacity,
    };
  }

  /**
   * Counts the deliveries of one municipality in one status (optionally last changed between `from` and `to`, of
   * one target or form type), per target and form type, reading only that status's index entries; stops at
   * maxItems.
   */
  async summarize(
    municipality: string,
    status: DeliveryStatus,
    options: { from?: string; to?: string; target?: string; formType?: string; maxItems?: number } = {},
  ): Promise<StatusSummary> {
    const maxItems = options.maxItems ?? 10_000;
    const summary: StatusSummary = {
      count: 0,
      byTarget: {},
      byFormType: {},
      complete: true,
      scannedCount: 0,
      consumedCapacity: 0,
    };
    const range = timeRange(options);
    if (!range) return summary;
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: STATUS_INDEX,
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': statusIndexKeys(municipality, status, '', '').gsi1pk,
            ':from': range.from,
            ':to': range.to,
          },
          ProjectionExpression: '#id, #target, #formType, #updatedAt, #history[0]',
          ExpressionAttributeNames: {
            '#id': 'id',
            '#target': 'target',
            '#formType': 'formType',
            '#updatedAt': 'updatedAt',
            '#history': 'history',
          },
          ExclusiveStartKey,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      summary.scannedCount += page.ScannedCount ?? 0;
      summary.consumedCapacity += page.ConsumedCapacity?.CapacityUnits ?? 0;
      for (const item of (page.Items ?? []) as Pick<
        DeliveryRecord,
        'id' | 'target' | 'formType' | 'updatedAt' | 'history'
      >[]) {
        if (options.target && item.target !== options.target) continue;
        if (options.formType && item.formType !== options.formType) continue;
        summary.count++;
        summary.byTarget[item.target] = (summary.byTarget[item.target] ?? 0) + 1;
        summary.byFormType[item.formType] = (summary.byFormType[item.formType] ?? 0) + 1;
        const since = item.history?.[0]?.at ?? item.updatedAt;
        if (!summary.oldest || since < summary.oldest.since) {
          summary.oldest = {
            id: item.id,
            target: item.target,
            formType: item.formType,
            since,
            updatedAt: item.updatedAt,
          };
        }
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
      if (ExclusiveStartKey && summary.count >= maxItems) {
        summary.complete = false;
        break;
      }
    } while (ExclusiveStartKey);
    return summary;
  }

  /**
   * Submissions of one municipality with a search term (a name word or the submissionId) starting with `prefix`:
   * at most `limit` trackingIds, in term order, reading the search entries only.
   */
  async findByTerm(
    municipality: string,
    prefix: string,
    limit: number,
  ): Promise<{ trackingIds: string[]; more: boolean; scannedCount: number; consumedCapacity: number }> {
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: STATUS_INDEX,
        KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': searchIndexKeys(municipality, '', '').gsi1pk,
          ':prefix': prefix,
        },
        ProjectionExpression: 'trackingId',
        Limit: limit,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    return {
      trackingIds: [...new Set((page.Items ?? []).map((i) => String(i.trackingId)))],
      more: page.LastEvaluatedKey !== undefined,
      scannedCount: page.ScannedCount ?? 0,
      consumedCapacity: page.ConsumedCapacity?.CapacityUnits ?? 0,
    };
  }

  /** Submissions stored before `before` whose delivery messages were never confirmed queued (a crash in receive). */
  async listUnqueued(before: string, limit = 100): Promise<string[]> {
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: STATUS_INDEX,
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :before',
        ExpressionAttributeValues: { ':pk': UNQUEUED, ':before': before },
        Limit: limit,
      }),
    );
    return (page.Items ?? []).map((i) => String(i.trackingId));
  }

  /** Notes a look at personal data (or another act that changes no status) on the delivery, with who did it. */
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

  async getDelivery(trackingId: string, targetId: string): Promise<DeliveryRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: deliveryKey(trackingId, targetId), ConsistentRead: true }),
    );
    return Item ? (strip(Item) as unknown as DeliveryRecord) : undefined;
  }

  /**
   * Moves a delivery to a new status and appends the change to its history, but only from the statuses
   * the change may come from (conditional write): a late duplicate can never undo DELIVERED.
   */
  async transition(delivery: DeliveryRef, change: Transition, now = new Date()): Promise<DeliveryRecord> {
    const { trackingId, target: targetId } = delivery;
    const at = now.toISOString();
    const entry: HistoryEntry = {
      at,
      status: change.to,
      detail: change.detail,
      ...(change.by ? { by: change.by } : {}),
    };
    const from = change.from ?? ALLOWED_FROM[change.to];
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = { ':to': change.to, ':entry': [entry], ':at': at };
    const set = [
      '#status = :to',
      'history = list_append(history, :entry)',
      'updatedAt = :at',
      'gsi1pk = :gsi1pk',
      'gsi1sk = :gsi1sk',
    ];
    Object.assign(values, statusIndexKeys(delivery.municipality, change.to, at, `${trackingId}.${targetId}`, ':'));
    const remove: string[] = [];
    from.forEach((s, i) => {
      values[`:from${i}`] = s;
    });
    const add: string[] = [];
    if (change.countAttempt) add.push('attempts :one');
    if (change.newRound) add.push('#round :one');
    if (add.length > 0) values[':one'] = 1;
    if (change.newRound) names['#round'] = 'round';
    const optional = { lastError: change.lastError, nextAttemptAt: change.nextAttemptAt };
    for (const [field, value] of Object.entries(optional)) {
      if (value === undefined) continue;
      if (value === null) remove.push(field);
      else {
        set.push(`${field} = :${field}`);
        values[`:${field}`] = value;
      }
    }
    if (change.references && Object.keys(change.references).length > 0) {
      set.push('#references = :references');
      names['#references'] = 'references';
      values[':references'] = change.references;
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
          ConditionExpression: `attribute_exists(pk) AND #status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return strip(Attributes ?? {}) as unknown as DeliveryRecord;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new StaleTransitionError(`${trackingId}.${targetId}`, change.to);
      throw error;
    }
  }
}

/** The index position of an item, as DynamoDB's LastEvaluatedKey would give it. */
function indexKey(item: Record<string, unknown>): Record<string, unknown> {
  return { pk: item.pk, sk: item.sk, gsi1pk: item.gsi1pk, gsi1sk: item.gsi1sk };
}

function strip(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, type: _type, gsi1pk: _g1, gsi1sk: _g2, ...rest } = item;
  return rest;
}
