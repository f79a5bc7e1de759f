import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeliveryStatus, Transition } from '../delivery/lifecycle.ts';
import type { DeliveryRef, DeliveryRepository } from '../delivery/repository.ts';
import type { IntakeRepository } from '../submission/repository.ts';
import { DynamoAdminIndex, type StatusQuery } from './dynamodb/admin-index.ts';
import { DynamoDeliveryStatus } from './dynamodb/delivery-status.ts';
import { DynamoIntake } from './dynamodb/intake.ts';
import { DynamoPersonalData } from './dynamodb/personal-data.ts';
import { DynamoProviderFeed } from './dynamodb/provider-feed.ts';
import { DynamoSweep } from './dynamodb/sweep.ts';
import type { AuditEntry, DeliveryRecord, SubmissionRecord } from './records.ts';
import type { PersonTerms } from './search-terms.ts';

export type { StatusPage, StatusQuery, StatusSummary } from './dynamodb/admin-index.ts';
export { InvalidCursorError } from './dynamodb/admin-index.ts';
export type { FeedEntry, FeedPage } from './dynamodb/provider-feed.ts';

/**
 * The hub's one table, seen through each access pattern's own module (shared/store/dynamodb/): intake, delivery
 * status, the admin index and the sweep. One object for the handlers to build and pass on; each caller types
 * what it uses against the narrow interface (DeliveryRepository, IntakeRepository …).
 */
export class SubmissionStore implements DeliveryRepository, IntakeRepository {
  readonly intake: DynamoIntake;
  readonly deliveries: DynamoDeliveryStatus;
  readonly adminIndex: DynamoAdminIndex;
  readonly sweep: DynamoSweep;
  readonly providerFeed: DynamoProviderFeed;
  /** The submitter's name, document titles and search entries, and their removal (shared/retention) */
  readonly personalData: DynamoPersonalData;

  constructor(db: DynamoDBDocumentClient, table: string) {
    this.intake = new DynamoIntake(db, table);
    this.deliveries = new DynamoDeliveryStatus(db, table);
    this.adminIndex = new DynamoAdminIndex(db, table);
    this.sweep = new DynamoSweep(db, table);
    this.providerFeed = new DynamoProviderFeed(db, table);
    this.personalData = new DynamoPersonalData(db, table);
  }

  findReceipt(providerId: string, submissionId: string) {
    return this.intake.findReceipt(providerId, submissionId);
  }
  create(submission: SubmissionRecord, deliveries: DeliveryRecord[], person?: PersonTerms) {
    return this.intake.create(submission, deliveries, person);
  }
  markEnqueued(trackingId: string, at: string) {
    return this.intake.markEnqueued(trackingId, at);
  }
  get(trackingId: string) {
    return this.deliveries.get(trackingId);
  }
  getDelivery(trackingId: string, targetId: string) {
    return this.deliveries.getDelivery(trackingId, targetId);
  }
  transition(delivery: DeliveryRef, transition: Transition) {
    return this.deliveries.transition(delivery, transition);
  }
  recordAudit(delivery: DeliveryRef, entry: AuditEntry) {
    return this.deliveries.recordAudit(delivery, entry);
  }
  findBySentMessage(messageId: string) {
    return this.deliveries.findBySentMessage(messageId);
  }
  listByStatus(query: StatusQuery) {
    return this.adminIndex.listByStatus(query);
  }
  summarize(
    municipality: string,
    status: DeliveryStatus,
    options?: { from?: string; to?: string; target?: string; formType?: string; maxItems?: number },
  ) {
    return this.adminIndex.summarize(municipality, status, options);
  }
  findByTerm(municipality: string, prefix: string, limit: number) {
    return this.adminIndex.findByTerm(municipality, prefix, limit);
  }
  changedSince(providerId: string, since: string, limit: number, cursor?: string) {
    return this.providerFeed.changedSince(providerId, since, limit, cursor);
  }
  listUnqueued(before: string, limit?: number) {
    return this.sweep.listUnqueued(before, limit);
  }
}
