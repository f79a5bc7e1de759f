import type { Principal } from '../auth/claims.ts';
import { submissionStatus } from '../delivery/lifecycle.ts';
import { problems } from '../http/problem.ts';
import type { DeliveryRecord, SubmissionRecord } from '../store/records.ts';

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
  if (!found || !allowed) throw problems.notFound('Ingen innsending med denne sporingsidentifikatoren.');
  const { submission, deliveries } = found;
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
      lastError: d.failure?.message ?? null,
      ...(d.nextAttemptAt ? { nextAttemptAt: d.nextAttemptAt } : {}),
      ...(d.after ? { waitsFor: d.after } : {}),
      references: d.references ?? {},
      history: d.history,
    })),
  };
}
