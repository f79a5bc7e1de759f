import type { AuditEntry, DeliveryRecord, SubmissionRecord } from '../store/records.ts';
import type { DeliveryStatus, Transition } from './lifecycle.ts';

/** What identifies a delivery for a status change (the municipality keys the admin index). */
export type DeliveryRef = Pick<DeliveryRecord, 'trackingId' | 'target' | 'municipality'>;

export interface SubmissionWithDeliveries {
  submission: SubmissionRecord;
  deliveries: DeliveryRecord[];
}

/**
 * Where deliveries and their statuses are kept. `transition` writes a decided lifecycle transition only while the
 * delivery is still in one of its `from` statuses (and round): otherwise it throws StaleTransitionError.
 */
export interface DeliveryRepository {
  get(trackingId: string): Promise<SubmissionWithDeliveries | undefined>;
  getDelivery(trackingId: string, targetId: string): Promise<DeliveryRecord | undefined>;
  transition(delivery: DeliveryRef, transition: Transition): Promise<DeliveryRecord>;
  /** Notes a look at personal data (or another act that changes no status) on the delivery */
  recordAudit(delivery: DeliveryRef, entry: AuditEntry): Promise<void>;
  /** The delivery a message was sent for (a transition to SENT keeps the message id), to correlate a receipt */
  findBySentMessage(messageId: string): Promise<SentMessageRef | undefined>;
}

/**
 * A message the hub sent: for which delivery, to whom (the only account whose replies count), and what it asked
 * (a folder lookup's `ikkefunnet` is an answer, a record's is a rejection, whatever the delivery is doing by then).
 */
export type SentMessageRef = Pick<DeliveryRef, 'trackingId' | 'target'> & {
  recipient?: string;
  step?: 'folder-lookup';
};

/** The delivery was not in a status (or round) this change may come from: a late, repeated or reordered event. */
export class StaleTransitionError extends Error {
  constructor(id: string, to: DeliveryStatus) {
    super(`Delivery ${id} cannot move to ${to} from its current status`);
    this.name = 'StaleTransitionError';
  }
}
