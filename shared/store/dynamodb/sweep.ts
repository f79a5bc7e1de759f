import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { STATUS_INDEX, UNQUEUED } from './keys.ts';

/** The sweep's read: submissions whose delivery messages a crash in receive may have left unqueued. */
export class DynamoSweep {
  private readonly db: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(db: DynamoDBDocumentClient, table: string) {
    this.db = db;
    this.table = table;
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
}
