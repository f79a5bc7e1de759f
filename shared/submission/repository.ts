import type { DeliveryRecord, SubmissionRecord } from '../store/records.ts';
import type { PersonTerms } from '../store/search-terms.ts';

export interface Receipt {
  trackingId: string;
  contentHash: string;
}

/** Where receive stores what it accepted: the provider's receipt, the submission and its deliveries, at once. */
export interface IntakeRepository {
  findReceipt(providerId: string, submissionId: string): Promise<Receipt | undefined>;
  /** All of it or nothing; throws DuplicateSubmissionError when the provider already sent this submissionId */
  create(submission: SubmissionRecord, deliveries: DeliveryRecord[], person?: PersonTerms): Promise<void>;
  /** Every delivery message of the submission is on its queue */
  markEnqueued(trackingId: string, at: string): Promise<void>;
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
