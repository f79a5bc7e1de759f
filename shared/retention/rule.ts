import type { FormType } from '../config/types.ts';
import { FINAL_STATUSES } from '../delivery/lifecycle.ts';
import type { DeliveryRecord } from '../store/records.ts';

/**
 * How long the hub keeps a submission's original and documents: it is a post room, not a second archive.
 * The clock starts when the archive has confirmed the record and every other delivery is done; until then
 * nothing is deleted (a retry, or a specialist system waiting for the archive, still reads them).
 */
export const DEFAULT_RETENTION_DAYS = 30;

/** S3 objects under a prefix with no submission in the table (a receive that stopped half-way) go after this. */
export const ORPHAN_GRACE_DAYS = 1;

const DAY_MS = 24 * 3600 * 1000;

export function retentionDaysFor(formType: Pick<FormType, 'retentionDays'> | undefined): number {
  return formType?.retentionDays ?? DEFAULT_RETENTION_DAYS;
}

/**
 * How long the table keeps a submission's personal data (the submitter's name, document titles, the name-search
 * entries) after the same point as the documents' clock: a year, so the service desk can still find last
 * season's application by name; then statuses, ids and references stay, without the person.
 */
export const DEFAULT_PERSONAL_DATA_RETENTION_DAYS = 365;

export function personalDataRetentionDaysFor(
  formType: Pick<FormType, 'personalDataRetentionDays'> | undefined,
): number {
  return formType?.personalDataRetentionDays ?? DEFAULT_PERSONAL_DATA_RETENTION_DAYS;
}

/**
 * From when the originals and documents may be deleted, or undefined while they are still needed:
 * - every delivery DELIVERED or RESOLVED, and every archive delivery DELIVERED (confirmed by the archive;
 *   one a person closed without archiving keeps its documents until someone archives them by hand);
 * - then `retentionDays` after the last of them finished.
 */
export function deletableFrom(deliveries: DeliveryRecord[], retentionDays: number): Date | undefined {
  if (deliveries.length === 0) return undefined;
  if (!deliveries.every((d) => FINAL_STATUSES.has(d.status))) return undefined;
  if (deliveries.some((d) => d.targetKind === 'archive' && d.status !== 'DELIVERED')) return undefined;
  const finished = Math.max(...deliveries.map(finishedAt));
  return new Date(finished + retentionDays * DAY_MS);
}

/** When the delivery reached its current (final) status, from its history. */
function finishedAt(delivery: DeliveryRecord): number {
  const entry = delivery.history.findLast((h) => h.status === delivery.status);
  return Date.parse(entry?.at ?? delivery.updatedAt);
}

export type RetentionVerdict =
  | { action: 'keep'; reason: 'in-progress' | 'not-yet' | 'not-archived'; deleteAfter?: string }
  | { action: 'delete'; reason: 'retention-passed' | 'orphan' };

/**
 * The decision for one submission's objects. `found` is the table's record (undefined: none), `storedAt`
 * when its oldest object was written (for orphans).
 */
export function retentionVerdict(
  found: { deliveries: DeliveryRecord[] } | undefined,
  formType: Pick<FormType, 'retentionDays'> | undefined,
  storedAt: Date,
  now: Date,
): RetentionVerdict {
  if (!found) {
    return now.getTime() - storedAt.getTime() >= ORPHAN_GRACE_DAYS * DAY_MS
      ? { action: 'delete', reason: 'orphan' }
      : { action: 'keep', reason: 'in-progress' };
  }
  const from = deletableFrom(found.deliveries, retentionDaysFor(formType));
  if (!from) {
    const closedWithoutArchive = found.deliveries.every((d) => FINAL_STATUSES.has(d.status));
    return { action: 'keep', reason: closedWithoutArchive ? 'not-archived' : 'in-progress' };
  }
  return from.getTime() <= now.getTime()
    ? { action: 'delete', reason: 'retention-passed' }
    : { action: 'keep', reason: 'not-yet', deleteAfter: from.toISOString() };
}
