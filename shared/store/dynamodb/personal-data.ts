import { DeleteCommand, type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredDocument } from '../../submission/types.ts';
import type { AuditEntry } from '../records.ts';
import { TABLE_TTL_ATTRIBUTE } from '../table.ts';
import { deliveryKey, STATUS_INDEX, submissionKey } from './keys.ts';
import { partitionItems } from './partition.ts';

/**
 * The personal data the table keeps about a submission (the submitter's name on each delivery, the documents'
 * titles and file names, and the name-search entries FIND#<term>), and its removal once the form type's
 * personal-data retention has passed (shared/retention). Statuses, ids, times and references stay.
 *
 * A submission due for removal is in the overloaded index under PERSONAL_DATA (gsi1sk = <due>#<trackingId>): the
 * submission item's index keys are free once its messages are queued (UNQUEUED is removed then). The search entries
 * also carry the due time as their DynamoDB TTL attribute, so they go even if no retention run gets to them.
 */
export const PERSONAL_DATA_INDEX_PK = 'PERSONAL_DATA';
/** The table's TTL attribute (epoch seconds): whole items that may simply expire (search entries). */

export class DynamoPersonalData {
  private readonly db: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(db: DynamoDBDocumentClient, table: string) {
    this.db = db;
    this.table = table;
  }

  /** Plans the removal at `due` (idempotent; a submission already cleared stays so). */
  async schedule(trackingId: string, due: Date): Promise<void> {
    const at = due.toISOString();
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: submissionKey(trackingId),
          UpdateExpression: 'SET gsi1pk = :pk, gsi1sk = :sk, personalDataUntil = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(personalDataRemovedAt)',
          ExpressionAttributeValues: { ':pk': PERSONAL_DATA_INDEX_PK, ':sk': `${at}#${trackingId}`, ':at': at },
        }),
      )
      .catch(ignoreConditionFailed);
    const expiresAt = Math.ceil(due.getTime() / 1000);
    for (const item of await this.items(trackingId, 'FIND#')) {
      await this.db
        .send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk: item.pk, sk: item.sk },
            UpdateExpression: 'SET #ttl = :t',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#ttl': TABLE_TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ':t': expiresAt },
          }),
        )
        .catch(ignoreConditionFailed);
    }
  }

  /** Submissions whose removal is due at `now`, oldest first. */
  async listDue(now: Date, limit = 100): Promise<string[]> {
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: STATUS_INDEX,
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :until',
        ExpressionAttributeValues: { ':pk': PERSONAL_DATA_INDEX_PK, ':until': `${now.toISOString()}#~` },
        ProjectionExpression: 'trackingId',
        Limit: limit,
      }),
    );
    return (page.Items ?? []).map((i) => String(i.trackingId));
  }

  /**
   * Removes the submission's personal data: the search entries, the submitter's name on each delivery (with a note
   * for staff), the documents' titles and file names. Safe to repeat.
   */
  async remove(trackingId: string, note: AuditEntry): Promise<void> {
    const items = await this.items(trackingId);
    for (const item of items.filter((i) => String(i.sk).startsWith('FIND#'))) {
      await this.db.send(new DeleteCommand({ TableName: this.table, Key: { pk: item.pk, sk: item.sk } }));
    }
    for (const item of items.filter((i) => String(i.sk).startsWith('DELIVERY#'))) {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: deliveryKey(trackingId, String(item.target)),
          UpdateExpression: 'REMOVE submitter SET audit = list_append(if_not_exists(audit, :none), :note)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':none': [], ':note': [note] },
        }),
      );
    }
    const submission = items.find((i) => i.sk === 'SUBMISSION');
    if (!submission) return;
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: submissionKey(trackingId),
        UpdateExpression: 'SET documents = :documents, personalDataRemovedAt = :at REMOVE gsi1pk, gsi1sk',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: {
          ':documents': anonymousDocuments((submission.documents ?? []) as StoredDocument[]),
          ':at': note.at,
        },
      }),
    );
  }

  private items(trackingId: string, skPrefix?: string): Promise<Record<string, unknown>[]> {
    return partitionItems(this.db, this.table, trackingId, skPrefix);
  }
}

/** Titles and file names (and so the keys) can name the person ("Legeerklæring for Kari Østby-Lærum"): numbered instead. */
export function anonymousDocuments(documents: StoredDocument[]): StoredDocument[] {
  return documents.map((d, i) => {
    const extension = /\.[A-Za-z0-9]{1,8}$/.exec(d.filename)?.[0] ?? '';
    const filename = `dokument-${i + 1}${extension.toLowerCase()}`;
    // The object (named after the file) is gone already: its key keeps the folder, not the name.
    const key = `${d.key.slice(0, d.key.lastIndexOf('/') + 1)}${filename}`;
    return { ...d, title: `Dokument ${i + 1}`, filename, key };
  });
}

function ignoreConditionFailed(error: unknown): void {
  if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return;
  throw error;
}
