/**
 * The delivery lifecycle: the statuses of the brief's public contract, the events that move a delivery, and the
 * one function that decides what an event does. Pure: no I/O, no clock (the time is passed in). The repository
 * applies a transition with a conditional write on `from` (and the round), so a late or repeated event that
 * arrives after another has moved the delivery is refused there as well as here.
 */

import { trimEndOf } from '../text/trim.ts';
import type { StoredFailure } from './failures.ts';

export type DeliveryStatus = 'PENDING' | 'QUEUED' | 'SENT' | 'RETRYING' | 'DELIVERED' | 'FAILED' | 'RESOLVED';

/**
 * The submission's overall status. `CLOSED`: every delivery is done, and a person closed at least one without
 * it being delivered (handled by hand): never shown to a citizen as delivered.
 */
export type SubmissionStatus = 'RECEIVED' | 'IN_PROGRESS' | 'DELIVERED' | 'CLOSED' | 'FAILED';

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = [
  'PENDING',
  'QUEUED',
  'SENT',
  'RETRYING',
  'DELIVERED',
  'FAILED',
  'RESOLVED',
];

/** Statuses nothing automatic moves a delivery out of (a person may reopen a RESOLVED one). */
export const FINAL_STATUSES: ReadonlySet<DeliveryStatus> = new Set(['DELIVERED', 'RESOLVED']);

export type References = Record<string, string>;

export interface HistoryEntry {
  at: string;
  status: DeliveryStatus;
  detail: string;
  /** Who did it, for actions by a person: their name */
  by?: string;
  /** …and their stable subject at the identity provider (a name is not unique) */
  bySubject?: string;
}

/** What the lifecycle reads of a delivery. */
export interface LifecycleState {
  status: DeliveryStatus;
  attempts: number;
  /** Incremented by each manual retry: a new round of attempts */
  round?: number;
  /**
   * Messages to a target that answers later that got no receipt, or an error answer: the next send must really
   * send again (part of the send step's idempotency key), where a crash before recording must not.
   */
  resends?: number;
  /** The message a target that answers later was sent, while the delivery waits for its receipt */
  sent?: SentMessage;
  /** Why the last attempt failed */
  failure?: StoredFailure;
  /** What the archive answered when asked for a reused folder (Fiks Arkiv `innsyn.mappe.hent`), this round */
  folder?: FolderLookup;
}

/** The archive's answer to a folder lookup: the mappe it has under the external key, or none (it is created). */
export type FolderLookup = { found: true; systemID: string; saksnummer?: string } | { found: false };

export interface SentMessage {
  /** The transport's id of the message sent (e.g. Fiks IO's meldingId), to correlate the receipt */
  messageId: string;
  /** After this, no receipt means a new attempt */
  receiptDeadline: string;
  /** What the message asked: absent for the record itself; `folder-lookup` for a lookup of a reused folder */
  step?: 'folder-lookup';
  /** Who it was sent to (the archive's Fiks IO account): only that account's replies may move the delivery */
  recipient?: string;
}

/** Who a person is in the history: their name (and subject, when the identity provider gives one). */
export interface Person {
  name: string;
  subject?: string;
}

export type DeliveryEvent =
  /** The archive delivery this one waited for is DELIVERED: queued, carrying the archive's references */
  | { type: 'released'; after: string; references?: References }
  /** A target that answers at once accepted the delivery */
  | { type: 'delivered'; targetName: string; references: References; round?: number }
  /** Handed to a target that answers later; the attempt counts now, the receipt comes later */
  | {
      type: 'sent';
      targetName: string;
      messageId: string;
      receiptDeadline: string;
      step?: 'folder-lookup';
      recipient?: string;
      round?: number;
    }
  /** The archive answered the folder lookup sent as `messageId`: the record itself is sent next (a new send) */
  | { type: 'folder-looked-up'; targetName: string; messageId: string; folder: FolderLookup; round?: number }
  /** The target said it received the message and is working on it (Fiks Arkiv `mottatt`) */
  | { type: 'receipt-acknowledged'; targetName: string; messageId: string }
  /** The target's receipt: the record exists (created now, or found as existing) */
  | { type: 'receipt-received'; targetName: string; messageId: string; references: References; existing?: boolean }
  /** An attempt failed at once (counted), or a target that answers later answered with an error (not counted again) */
  | {
      type: 'attempt-failed';
      failure: StoredFailure;
      /** The queue's receive count of this attempt, and the most there may be */
      attempt: number;
      maxAttempts: number;
      /** When a retryable failure is tried again; absent after the last attempt */
      nextAttemptAt?: string;
      /** False for an error answered later to a message already counted as sent */
      countsAttempt?: boolean;
      round?: number;
    }
  /** No receipt by the deadline: a new attempt, same message id */
  | { type: 'receipt-overdue'; nextAttemptAt: string; round?: number }
  /** The queue gave up: every attempt used */
  | { type: 'dead-lettered'; round?: number }
  | { type: 'retried-by-person'; by: Person; bulk?: boolean }
  /** A person sent a delivery that waits for its next automatic attempt now (a new round; the old one goes stale) */
  | { type: 'retried-now-by-person'; by: Person }
  /** A person reopened a delivery closed by mistake: it needs a person again */
  | { type: 'reopened-by-person'; by: Person; comment: string }
  /** A person corrected form values the mapping reads (kept beside the submission) and sent it again */
  | { type: 'corrected-by-person'; by: Person; changes: readonly CorrectedField[]; reason: string }
  | { type: 'resolved-by-person'; by: Person; comment: string };

/** One corrected form field, as the history tells it (staff only: the provider's view has no details). */
export interface CorrectedField {
  field: string;
  from: string | null;
  to: string;
}

/** A decided change: the repository writes it only while the delivery is still in one of `from`. */
export interface Transition {
  from: readonly DeliveryStatus[];
  to: DeliveryStatus;
  entry: HistoryEntry;
  countAttempt?: boolean;
  newRound?: boolean;
  /** The next attempt sends a new message (see LifecycleState.resends) */
  newSend?: boolean;
  /** Only while the delivery is in this round (events from queue messages of an earlier round are stale) */
  round?: number;
  /** Set, or cleared with null */
  failure?: StoredFailure | null;
  folder?: FolderLookup | null;
  nextAttemptAt?: string | null;
  sent?: SentMessage | null;
  references?: References;
}

export type Decision = { kind: 'transition'; transition: Transition } | { kind: 'stale'; reason: string };

/** Where each event may move a delivery from. Anything else is stale (a late, repeated or reordered event). */
const FROM: Record<DeliveryEvent['type'], readonly DeliveryStatus[]> = {
  released: ['PENDING'],
  delivered: ['QUEUED', 'RETRYING'],
  sent: ['QUEUED', 'RETRYING'],
  'folder-looked-up': ['SENT'],
  'receipt-acknowledged': ['SENT'],
  // A receipt that comes late is still the archive's word that the record exists: it ends a retry or a failure.
  'receipt-received': ['SENT', 'RETRYING', 'QUEUED', 'FAILED'],
  'attempt-failed': ['QUEUED', 'RETRYING', 'SENT'],
  'receipt-overdue': ['SENT'],
  'dead-lettered': ['QUEUED', 'RETRYING', 'SENT'],
  'retried-by-person': ['FAILED'],
  'corrected-by-person': ['FAILED'],
  'retried-now-by-person': ['RETRYING'],
  'reopened-by-person': ['RESOLVED'],
  'resolved-by-person': ['FAILED', 'RETRYING', 'QUEUED', 'PENDING', 'SENT'],
};

/** A person's actions: not bound to a round (a retry starts the next one). */
const PERSON_EVENTS: ReadonlySet<DeliveryEvent['type']> = new Set([
  'retried-by-person',
  'retried-now-by-person',
  'resolved-by-person',
  'reopened-by-person',
  'corrected-by-person',
]);

/** Decides what an event does to a delivery at `now`: a transition with its history text, or stale. */
export function decide(delivery: LifecycleState, event: DeliveryEvent, now: Date): Decision {
  const from = FROM[event.type];
  if (!from.includes(delivery.status)) {
    return { kind: 'stale', reason: `${event.type} does not apply to a delivery in ${delivery.status}` };
  }
  const round = delivery.round ?? 0;
  if ('round' in event && event.round !== undefined && event.round !== round) {
    return { kind: 'stale', reason: `${event.type} of round ${event.round}; the delivery is in round ${round}` };
  }
  const at = now.toISOString();
  const change = (t: Omit<Transition, 'from' | 'entry'> & { detail: string; by?: Person }): Decision => {
    const { detail, by, ...rest } = t;
    return {
      kind: 'transition',
      transition: {
        from,
        ...rest,
        ...(PERSON_EVENTS.has(event.type) ? {} : { round }),
        entry: {
          at,
          status: t.to,
          detail,
          ...(by ? { by: by.name, ...(by.subject ? { bySubject: by.subject } : {}) } : {}),
        },
      },
    };
  };
  switch (event.type) {
    case 'released': {
      const refs = referenceWords(event.references ?? {}, ['saksnummer', 'journalpostnummer']);
      return change({ to: 'QUEUED', detail: `Arkivert${refs ? ` (${refs})` : ''}; lagt i kø.` });
    }
    case 'delivered':
      return change({
        to: 'DELIVERED',
        detail: deliveredDetail(event.targetName, event.references, false),
        countAttempt: true,
        references: event.references,
        failure: null,
        nextAttemptAt: null,
        sent: null,
      });
    case 'sent':
      if (event.step === 'folder-lookup') {
        // A question, not the record: the attempt counts when the record is sent (or the question fails).
        return change({
          to: 'SENT',
          detail: `Spør ${event.targetName} om saksmappen finnes fra før, venter på svar.`,
          sent: { ...sentMessage(event), step: 'folder-lookup' },
          nextAttemptAt: event.receiptDeadline,
        });
      }
      return change({
        to: 'SENT',
        detail: `Sendt til ${event.targetName}, venter på kvittering.`,
        countAttempt: true,
        sent: sentMessage(event),
        nextAttemptAt: event.receiptDeadline,
      });
    case 'folder-looked-up': {
      // Only the answer to the lookup the delivery waits for: a late or repeated answer to an earlier one is stale.
      if (delivery.sent?.messageId !== event.messageId || delivery.sent.step !== 'folder-lookup') {
        return { kind: 'stale', reason: 'folder-looked-up for a message the delivery is not waiting on' };
      }
      const { folder } = event;
      return change({
        to: 'QUEUED',
        detail: folder.found
          ? `${event.targetName} har saksmappen fra før${folder.saksnummer ? ` (saksnummer ${folder.saksnummer})` : ''}; journalposten arkiveres i den.`
          : `${event.targetName} har ingen saksmappe for dette ennå; den opprettes sammen med journalposten.`,
        newSend: true,
        folder,
        sent: null,
        nextAttemptAt: null,
      });
    }
    case 'receipt-acknowledged':
      return change({ to: 'SENT', detail: `${event.targetName} har mottatt meldingen og behandler den.` });
    case 'receipt-received':
      return change({
        to: 'DELIVERED',
        detail: deliveredDetail(event.targetName, event.references, event.existing === true),
        references: event.references,
        failure: null,
        nextAttemptAt: null,
        sent: null,
      });
    case 'attempt-failed': {
      const counted = event.countsAttempt !== false;
      // An error answered to a sent message: the next attempt is a new send.
      const newSend = delivery.status === 'SENT' ? { newSend: true } : {};
      const attempt = `Forsøk ${event.attempt} av ${event.maxAttempts}`;
      if (!event.failure.retryable) {
        return change({
          to: 'FAILED',
          detail: `Avvist, krever manuell behandling: ${event.failure.message}`,
          countAttempt: counted,
          ...newSend,
          failure: event.failure,
          nextAttemptAt: null,
          sent: null,
        });
      }
      const last = event.nextAttemptAt === undefined;
      return change({
        to: 'RETRYING',
        detail: last
          ? `${attempt} feilet, ingen flere forsøk: ${event.failure.message}`
          : `${attempt} feilet: ${event.failure.message}`,
        countAttempt: counted,
        ...newSend,
        failure: event.failure,
        nextAttemptAt: event.nextAttemptAt ?? null,
        sent: null,
      });
    }
    case 'receipt-overdue':
      return change({
        to: 'RETRYING',
        newSend: true,
        detail: 'Ingen kvittering fra mottakeren innen fristen; sendes på nytt.',
        failure: {
          code: 'receipt-overdue',
          retryable: true,
          message: 'Ingen kvittering fra mottakeren innen fristen.',
          details: {},
        },
        nextAttemptAt: event.nextAttemptAt,
      });
    case 'dead-lettered': {
      const last = delivery.failure && trimEndOf(delivery.failure.message, '.');
      return change({
        to: 'FAILED',
        detail: `Ga opp etter ${delivery.attempts} forsøk${last ? `: ${last}` : ''}. Krever manuell behandling.`,
        nextAttemptAt: null,
        sent: null,
      });
    }
    case 'retried-by-person':
      return change({
        to: 'QUEUED',
        detail: event.bulk ? 'Sendt på nytt av en person (alle som passet et filter).' : 'Sendt på nytt av en person.',
        by: event.by,
        newRound: true,
        nextAttemptAt: null,
        sent: null,
        // A new round asks the archive again where the record belongs.
        folder: null,
      });
    case 'corrected-by-person': {
      const shown = (v: string | null) => (v === null ? '(tom)' : `«${v}»`);
      const changes = event.changes.map((c) => `${c.field} ${shown(c.from)} → ${shown(c.to)}`).join(', ');
      return change({
        to: 'QUEUED',
        detail: `Rettet av en person og sendt på nytt: ${changes}. Begrunnelse: ${trimEndOf(event.reason.trim(), '.')}.`,
        by: event.by,
        newRound: true,
        nextAttemptAt: null,
        sent: null,
      });
    }
    case 'retried-now-by-person':
      return change({
        to: 'QUEUED',
        detail: 'Prøvd nå av en person, i stedet for å vente på neste forsøk.',
        by: event.by,
        newRound: true,
        nextAttemptAt: null,
        sent: null,
      });
    case 'reopened-by-person':
      return change({
        to: 'FAILED',
        detail: `Gjenåpnet: ${trimEndOf(event.comment.trim(), '.')}. Trenger en person igjen.`,
        by: event.by,
        nextAttemptAt: null,
      });
    case 'resolved-by-person':
      return change({
        to: 'RESOLVED',
        detail: `Lukket: ${event.comment.trim()}`,
        by: event.by,
        nextAttemptAt: null,
        sent: null,
      });
  }
}

function sentMessage(event: Extract<DeliveryEvent, { type: 'sent' }>): SentMessage {
  return {
    messageId: event.messageId,
    receiptDeadline: event.receiptDeadline,
    ...(event.recipient ? { recipient: event.recipient } : {}),
  };
}

/** A delivery's state after a transition: what the repository's write does, as data (for tests and models). */
export function applyTransition<T extends LifecycleState & { history: HistoryEntry[]; references?: References }>(
  delivery: T,
  t: Transition,
): T {
  const next: T = { ...delivery, status: t.to, history: [...delivery.history, t.entry] };
  if (t.countAttempt) next.attempts = delivery.attempts + 1;
  if (t.newRound) next.round = (delivery.round ?? 0) + 1;
  if (t.newSend) next.resends = (delivery.resends ?? 0) + 1;
  if (t.references && Object.keys(t.references).length > 0) next.references = t.references;
  if (t.sent === null) delete next.sent;
  else if (t.sent) next.sent = t.sent;
  if (t.failure === null) delete next.failure;
  else if (t.failure) next.failure = t.failure;
  if (t.folder === null) delete next.folder;
  else if (t.folder) next.folder = t.folder;
  return next;
}

/** The submission's overall status, derived from its deliveries (never stored, so never stale). */
export function submissionStatus(deliveries: readonly Pick<LifecycleState, 'status' | 'attempts'>[]): SubmissionStatus {
  if (deliveries.some((d) => d.status === 'FAILED')) return 'FAILED';
  if (deliveries.length > 0 && deliveries.every((d) => d.status === 'DELIVERED')) return 'DELIVERED';
  if (deliveries.length > 0 && deliveries.every((d) => FINAL_STATUSES.has(d.status))) return 'CLOSED';
  if (
    deliveries.some(
      (d) => d.attempts > 0 || FINAL_STATUSES.has(d.status) || d.status === 'RETRYING' || d.status === 'SENT',
    )
  ) {
    return 'IN_PROGRESS';
  }
  return 'RECEIVED';
}

/** The first status and history entry of a delivery, at receipt. */
export function initialState(after: string | undefined, now: Date): { status: DeliveryStatus; entry: HistoryEntry } {
  const status: DeliveryStatus = after ? 'PENDING' : 'QUEUED';
  return {
    status,
    entry: {
      at: now.toISOString(),
      status,
      detail: after ? `Venter på leveranse til ${after}.` : 'Mottatt og lagt i kø.',
    },
  };
}

function referenceWords(references: References, keys: string[]): string {
  return keys
    .filter((k) => references[k])
    .map((k) => `${k} ${references[k]}`)
    .join(', ');
}

/** The references staff look for in the history, in this order. */
const SHOWN_REFERENCES = ['saksnummer', 'journalpostnummer', 'id', 'fil'];

function deliveredDetail(targetName: string, references: References, existing: boolean): string {
  const shown = SHOWN_REFERENCES.filter((k) => references[k])
    .map((k) => `${k}: ${references[k]}`)
    .join(', ');
  const found = existing || references.opprettetEllerEksisterende === 'Eksisterende';
  return `Levert til ${targetName}${shown ? ` (${shown})` : ''}${found ? '; fantes fra før i arkivet.' : '.'}`;
}
