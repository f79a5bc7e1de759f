import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DuplicateSubmissionError, type IntakeRepository, type Receipt } from '../../submission/repository.ts';
import type { DeliveryRecord, SubmissionRecord } from '../records.ts';
import { type PersonTerms, searchTerms } from '../search-terms.ts';
import {
  deliveryKey,
  providerIndexKeys,
  receiptKey,
  searchIndexKeys,
  statusIndexKeys,
  submissionKey,
  UNQUEUED,
} from './keys.ts';

/** Intake: the provider's receipt, the submission, its deliveries and search entries, written in one transaction. */
export class DynamoIntake implements IntakeRepository {
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
  async create(submission: SubmissionRecord, deliveries: DeliveryRecord[], person?: PersonTerms): Promise<void> {
    const receipt = receiptKey(submission.providerId, submission.submissionId);
    // Name words and submissionId; both ids backwards too, so the end of an id is found.
    // And who the form is about (its name words, keyed fødselsnummer terms: never the number).
    const terms = searchTerms(deliveries[0]?.submitter?.name, submission.submissionId, submission.trackingId, person);
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
                  ...(d.providerId ? providerIndexKeys(d.providerId, d.updatedAt, d.id) : {}),
                  type: 'delivery',
                  ...d,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            })),
            ...terms.map((term) => ({
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
}
