import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { UploadRecord } from '../../uploads/uploads.ts';
import { strip, uploadKey } from './keys.ts';

/** Uploads announced by providers (POST /v1/uploads): what each declared, so receive can check the bytes. */
export class DynamoUploads {
  private readonly db: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(db: DynamoDBDocumentClient, table: string) {
    this.db = db;
    this.table = table;
  }

  async put(record: UploadRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...uploadKey(record.uploadId), type: 'upload', ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(uploadId: string): Promise<UploadRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: uploadKey(uploadId), ConsistentRead: true }),
    );
    return Item ? (strip(Item) as unknown as UploadRecord) : undefined;
  }
}
