import type { FailureCode } from '../delivery/failures.ts';
import type { DeliveryStatus, HistoryEntry } from '../delivery/lifecycle.ts';

/**
 * What a form provider (and through it, a citizen) may read of a delivery's story: the statuses and times, in
 * plain words of our own. Never a staff member's name or comment, nor a target's own answer: those are for the
 * municipality (the admin view has them).
 */
const PUBLIC_DETAIL: Record<DeliveryStatus, string> = {
  PENDING: 'Venter på arkivet.',
  QUEUED: 'Lagt i kø for levering.',
  SENT: 'Sendt til mottakeren; venter på kvittering.',
  RETRYING: 'Et forsøk feilet; nytt forsøk kommer automatisk.',
  DELIVERED: 'Levert.',
  FAILED: 'Leveransen feilet; kommunen følger den opp.',
  RESOLVED: 'Lukket av kommunen uten levering.',
};

/** The kind of failure, in words a provider can act on (or pass on), without the details. */
const PUBLIC_FAILURE: Record<FailureCode, string> = {
  'mapping-failed': 'Skjemadataene kunne ikke gjøres om til mottakerens format.',
  'record-format': 'Mottakerens format kan ikke uttrykke innsendingen.',
  'xsd-invalid': 'Arkivmeldingen ble ikke gyldig.',
  'target-rejected': 'Mottakeren avviste innsendingen.',
  'target-server-error': 'Mottakeren meldte en feil hos seg selv.',
  'target-unavailable': 'Mottakeren var ikke tilgjengelig.',
  'target-redirected': 'Mottakerens adresse må rettes av kommunen.',
  'auth-refused': 'Mottakeren godtok ikke påloggingen; kommunen retter det.',
  'configuration-missing': 'Oppsettet hos kommunen er ufullstendig.',
  'receipt-overdue': 'Mottakeren har ikke kvittert ennå.',
  internal: 'En uventet feil; prøves igjen automatisk.',
};

export function publicHistory(history: HistoryEntry[]): { at: string; status: DeliveryStatus; detail: string }[] {
  return history.map((h) => ({ at: h.at, status: h.status, detail: PUBLIC_DETAIL[h.status] }));
}

export function publicFailure(code: FailureCode | undefined): string | null {
  return code ? PUBLIC_FAILURE[code] : null;
}
