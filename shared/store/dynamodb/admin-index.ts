import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DeliveryStatus } from '../../delivery/lifecycle.ts';
import type { DeliveryRecord } from '../records.ts';
import { indexKey, STATUS_INDEX, searchIndexKeys, statusIndexKeys, strip } from './keys.ts';

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

/** A page cursor that is not one this list handed out (or points into another list). */
export class InvalidCursorError extends Error {
  constructor() {
    super('Invalid cursor');
    this.name = 'InvalidCursorError';
  }
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
  cursor?: string;
}

export interface StatusPage {
  items: DeliveryRecord[];
  cursor?: string;
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

/**
 * The admin's reads over the status index: deliveries by municipality and status (oldest change first), counts per
 * status, and the search entries. Cursors are opaque strings (the index position, base64url), bound to their list.
 */
export class DynamoAdminIndex {
  private readonly db: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(db: DynamoDBDocumentClient, table: string) {
    this.db = db;
    this.table = table;
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
    let start = query.cursor ? decodeCursor(query.cursor, query.municipality, query.status) : undefined;
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
      ...(cursor ? { cursor: encodeCursor(cursor) } : {}),
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
}

const CURSOR_PK = /^SUB#[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CURSOR_SK = /^DELIVERY#[a-z0-9][a-z0-9-]{0,62}$/;
const CURSOR_GSI1SK = /^\d{4}-\d{2}-\d{2}T[\d:.]{8,12}Z#[0-9a-f-]{36}\.[a-z0-9][a-z0-9-]{0,62}$/;

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The index position a cursor holds, if it is one of this list's (municipality and status). */
function decodeCursor(text: string, municipality: string, status: DeliveryStatus): Record<string, unknown> {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  const k = key as Record<string, unknown>;
  // Shaped like the index position it claims to be: DynamoDB refuses an empty or overlong key value with an error.
  if (
    !k ||
    typeof k !== 'object' ||
    k.gsi1pk !== statusIndexKeys(municipality, status, '', '').gsi1pk ||
    Object.keys(k).length !== 4 ||
    typeof k.pk !== 'string' ||
    !CURSOR_PK.test(k.pk) ||
    typeof k.sk !== 'string' ||
    !CURSOR_SK.test(k.sk) ||
    typeof k.gsi1sk !== 'string' ||
    !CURSOR_GSI1SK.test(k.gsi1sk)
  ) {
    throw new InvalidCursorError();
  }
  return k;
}
