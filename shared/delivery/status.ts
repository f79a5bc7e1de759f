/**
 * Delivery and submission statuses (the brief's public contract) and the transitions between them.
 * A status never goes backwards by accident: every write names the statuses it may come from.
 */
export type DeliveryStatus = 'PENDING' | 'QUEUED' | 'RETRYING' | 'DELIVERED' | 'FAILED' | 'RESOLVED';
export type SubmissionStatus = 'RECEIVED' | 'IN_PROGRESS' | 'DELIVERED' | 'FAILED';

/** For each new status, the statuses it may be reached from. */
export const ALLOWED_FROM: Record<DeliveryStatus, DeliveryStatus[]> = {
  PENDING: [],
  QUEUED: ['PENDING', 'FAILED'],
  RETRYING: ['QUEUED', 'RETRYING'],
  DELIVERED: ['QUEUED', 'RETRYING'],
  FAILED: ['QUEUED', 'RETRYING'],
  RESOLVED: ['FAILED', 'RETRYING', 'QUEUED', 'PENDING'],
};

export const FINAL_STATUSES: ReadonlySet<DeliveryStatus> = new Set(['DELIVERED', 'RESOLVED']);

/** The submission's overall status, derived from its deliveries (never stored, so never stale). */
export function submissionStatus(deliveries: { status: DeliveryStatus; attempts: number }[]): SubmissionStatus {
  if (deliveries.some((d) => d.status === 'FAILED')) return 'FAILED';
  if (deliveries.every((d) => FINAL_STATUSES.has(d.status))) return 'DELIVERED';
  if (deliveries.some((d) => d.attempts > 0 || FINAL_STATUSES.has(d.status) || d.status === 'RETRYING')) {
    return 'IN_PROGRESS';
  }
  return 'RECEIVED';
}
