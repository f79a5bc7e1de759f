import type { Principal } from '../auth/claims.ts';
import { submissionStatus } from '../delivery/lifecycle.ts';
import { reject } from '../domain/rejection.ts';
import type { DeliveryRecord, SubmissionRecord } from '../store/records.ts';
import { publicFailure, publicHistory } from './provider-view.ts';

/** GET /v1/submissions/{trackingId}: what the provider (or the municipality's admin) may see. */
export function statusView(
  principal: Principal,
  found: { submission: SubmissionRecord; deliveries: DeliveryRecord[] } | undefined,
) {
  // Someone else's submission answers like a missing one: tracking ids are not to be probed.
  const allowed =
    found &&
    ((principal.kind === 'provider' && principal.providerId === found.submission.providerId) ||
      (principal.kind === 'admin' && principal.municipalities.includes(found.submission.municipality)));
  if (!found || !allowed) throw reject.notFound('Ingen innsending med denne sporingsidentifikatoren.');
  const { submission, deliveries } = found;
  // Staff see the whole story; a provider sees statuses, times, references and the kind of failure only.
  const staff = principal.kind === 'admin';
  return {
    trackingId: submission.trackingId,
    submissionId: submission.submissionId,
    formType: submission.formType,
    municipality: submission.municipality,
    receivedAt: submission.receivedAt,
    status: submissionStatus(deliveries),
    deliveries: deliveries.map((d) => ({
      id: d.id,
      target: d.target,
      status: d.status,
      attempts: d.attempts,
      lastError: staff ? (d.failure?.message ?? null) : publicFailure(d.failure?.code),
      ...(d.failure ? { reason: d.failure.code } : {}),
      ...(d.nextAttemptAt ? { nextAttemptAt: d.nextAttemptAt } : {}),
      ...(d.after ? { waitsFor: d.after } : {}),
      references: d.references ?? {},
      history: staff ? d.history : publicHistory(d.history),
    })),
  };
}
