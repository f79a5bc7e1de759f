import type { FieldError } from '../domain/rejection.ts';

/** A provider's clock may run a little ahead of ours; more than this is a submission dated in the future. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * The submission time is what the archive records as the document's date: one in the future (beyond a small clock
 * skew) is refused, naming the field, instead of giving the archive a date that has not happened yet.
 */
export function checkSubmittedAt(submittedAt: string, now: Date): FieldError[] {
  const at = Date.parse(submittedAt);
  if (Number.isNaN(at) || at <= now.getTime() + CLOCK_SKEW_MS) return [];
  return [
    {
      path: '/submittedAt',
      code: 'in-the-future',
      message: 'Innsendingstidspunktet er fram i tid. Send skjemaet med tidspunktet det faktisk ble sendt inn.',
    },
  ];
}
