import type { StoredFailure } from '../delivery/failures.ts';
import type { DeliveryStatus, FolderLookup, HistoryEntry, References, SentMessage } from '../delivery/lifecycle.ts';
import type { StoredDocument } from '../submission/types.ts';

export type { HistoryEntry, References } from '../delivery/lifecycle.ts';

export interface SubmissionRecord {
  trackingId: string;
  submissionId: string;
  providerId: string;
  formType: string;
  municipality: string;
  submittedAt: string;
  receivedAt: string;
  contentHash: string;
  /** S3 key of the request body exactly as received (replayable) */
  originalKey: string;
  formDataContentType: 'application/xml' | 'application/json';
  documents: StoredDocument[];
  /** Set once every delivery message is on its queue (see receive). */
  enqueuedAt?: string;
}

export interface DeliveryRecord {
  /** `<trackingId>.<targetId>` */
  id: string;
  trackingId: string;
  target: string;
  targetKind: 'archive' | 'fagsystem';
  /** Integration model 3: the archive delivery this one waits for */
  after?: string;
  municipality: string;
  formType: string;
  /** The provider's own id, for finding it again */
  submissionId?: string;
  /** Who sent it (for notifications) */
  providerId?: string;
  /** Who sent it, so the service desk can find it by name (personal data: the key keeps it out of logs) */
  submitter?: { name: string };
  status: DeliveryStatus;
  /** Attempts so far, over all rounds */
  attempts: number;
  /** Incremented by each manual retry: a new round of attempts, with its own idempotency key */
  round?: number;
  /** Sent messages that got no receipt or an error answer: each makes the next send a new one */
  resends?: number;
  /** Why the last attempt failed (typed: shared/delivery/failures.ts); cleared when delivered */
  failure?: StoredFailure;
  /** Handed to a target that answers later: the message to correlate its receipt with, and the deadline */
  sent?: SentMessage;
  /** The archive's answer when asked for a reused folder before the record was sent (Fiks IO) */
  folder?: FolderLookup;
  nextAttemptAt?: string;
  references: References;
  history: HistoryEntry[];
  /** Looks at personal data by staff (e.g. the fødselsnummer shown in the console): kept apart from the status history */
  audit?: AuditEntry[];
  updatedAt: string;
}

export interface AuditEntry {
  at: string;
  by: string;
  /** The person's subject (sub) at the staff's identity provider */
  bySubject?: string;
  /** What was done, e.g. `national-id-shown` */
  action: string;
  detail: string;
}

export function deliveryId(trackingId: string, targetId: string): string {
  return `${trackingId}.${targetId}`;
}

export function parseDeliveryId(id: string): { trackingId: string; targetId: string } | undefined {
  const dot = id.indexOf('.');
  if (dot <= 0 || dot === id.length - 1) return undefined;
  return { trackingId: id.slice(0, dot), targetId: id.slice(dot + 1) };
}
