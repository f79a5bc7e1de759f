import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidCursorError } from './admin-index.ts';
import { PROVIDER_INDEX, providerIndexKeys } from './keys.ts';

export interface FeedEntry {
  trackingId: string;
  /** The delivery's last change */
  updatedAt: string;
}

export interface FeedPage {
  entries: FeedEntry[];
  /** Opaque: where the next page starts; absent at the end of the feed */
  cursor?: string;
}

/**
 * The provider's feed over the byProviderUpdated index: the deliveries of one provider's submissions changed at or
 * after `since`, oldest change first. One entry per changed delivery; a submission whose deliveries changed at
 * different times appears once per page (the caller folds them). Cursors are bound to the provider.
 */
export class DynamoProviderFeed {
  private readonly db: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(db: DynamoDBDocumentClient, table: string) {
    this.db = db;
    this.table = table;
  }

  async changedSince(providerId: string, since: string, limit: number, cursor?: string): Promise<FeedPage> {
    const pk = providerIndexKeys(providerId, '', '').gsi2pk;
    const start = cursor ? decodeFeedCursor(cursor, String(pk)) : undefined;
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: PROVIDER_INDEX,
        KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk >= :since',
        ExpressionAttributeValues: { ':pk': pk, ':since': since },
        Limit: limit,
        ExclusiveStartKey: start,
      }),
    );
    return {
      entries: (page.Items ?? []).map((i) => ({ trackingId: String(i.trackingId), updatedAt: String(i.updatedAt) })),
      ...(page.LastEvaluatedKey
        ? { cursor: Buffer.from(JSON.stringify(page.LastEvaluatedKey)).toString('base64url') }
        : {}),
    };
  }
}

const CURSOR_PK = /^SUB#[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CURSOR_SK = /^DELIVERY#[a-z0-9][a-z0-9-]{0,62}$/;
const CURSOR_GSI2SK = /^\d{4}-\d{2}-\d{2}T[\d:.]{8,12}Z#[0-9a-f-]{36}\.[a-z0-9][a-z0-9-]{0,62}$/;

/** The index position a cursor holds, if it is one of this provider's feed (another's is refused, not followed). */
function decodeFeedCursor(text: string, gsi2pk: string): Record<string, unknown> {
  let key: Record<string, unknown>;
  try {
    key = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (
    !key ||
    typeof key !== 'object' ||
    key.gsi2pk !== gsi2pk ||
    Object.keys(key).length !== 4 ||
    typeof key.pk !== 'string' ||
    !CURSOR_PK.test(key.pk) ||
    typeof key.sk !== 'string' ||
    !CURSOR_SK.test(key.sk) ||
    typeof key.gsi2sk !== 'string' ||
    !CURSOR_GSI2SK.test(key.gsi2sk)
  ) {
    throw new InvalidCursorError();
  }
  return key;
}
