import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredFailure } from '../../../shared/delivery/failures.ts';
import {
  applyTransition,
  DELIVERY_STATUSES,
  type DeliveryEvent,
  type DeliveryStatus,
  decide,
  FINAL_STATUSES,
  type HistoryEntry,
  type LifecycleState,
  submissionStatus,
} from '../../../shared/delivery/lifecycle.ts';

type Delivery = LifecycleState & { history: HistoryEntry[]; references?: Record<string, string> };

const NOW = new Date('2026-11-29T12:00:00.000Z');
const later = '2026-11-29T12:05:00.000Z';
const unavailable: StoredFailure = {
  code: 'target-unavailable',
  retryable: true,
  message: 'Arkivet er ikke tilgjengelig (HTTP 503).',
  details: { targetKind: 'archive', reason: 'status', status: 503 },
};
const rejected: StoredFailure = {
  code: 'target-rejected',
  retryable: false,
  message: 'Arkivet avviste arkivmeldingen (ugyldigforespoersel).',
  details: { targetKind: 'archive', errorType: 'ugyldigforespoersel', targetMessage: 'Tittel mangler' },
};
const kari = { name: 'Kari Arkivar', subject: 'kari' };

/** One event of every type (and both kinds of failure). */
const EVENTS: Record<string, DeliveryEvent> = {
  released: { type: 'released', after: 'halden-arkiv', references: { saksnummer: '2026/17' } },
  delivered: { type: 'delivered', targetName: 'Arkivet', references: { journalpostnummer: '5' } },
  sent: { type: 'sent', targetName: 'Arkivet', messageId: 'm-1', receiptDeadline: later },
  'receipt-acknowledged': { type: 'receipt-acknowledged', targetName: 'Arkivet', messageId: 'm-1' },
  'receipt-received': {
    type: 'receipt-received',
    targetName: 'Arkivet',
    messageId: 'm-1',
    references: { saksnummer: '2026/17' },
  },
  'attempt-failed (retryable)': {
    type: 'attempt-failed',
    failure: unavailable,
    attempt: 1,
    maxAttempts: 5,
    nextAttemptAt: later,
  },
  'attempt-failed (permanent)': { type: 'attempt-failed', failure: rejected, attempt: 1, maxAttempts: 5 },
  'receipt-overdue': { type: 'receipt-overdue', nextAttemptAt: later },
  'dead-lettered': { type: 'dead-lettered' },
  'retried-by-person': { type: 'retried-by-person', by: kari },
  'corrected-by-person': {
    type: 'corrected-by-person',
    by: kari,
    changes: [{ field: 'soker.adresse.postnummer', from: '0000', to: '1767' }],
    reason: 'Postnummeret fra søkerens brev.',
  },
  'resolved-by-person': { type: 'resolved-by-person', by: kari, comment: 'Journalført manuelt i Elements' },
  'retried-now-by-person': { type: 'retried-now-by-person', by: kari },
  'reopened-by-person': { type: 'reopened-by-person', by: kari, comment: 'Lukket ved en feil.' },
};

/** Every event from every status: where it goes, or "stale". */
const EXPECTED: Record<string, Partial<Record<DeliveryStatus, DeliveryStatus>>> = {
  released: { PENDING: 'QUEUED' },
  delivered: { QUEUED: 'DELIVERED', RETRYING: 'DELIVERED' },
  sent: { QUEUED: 'SENT', RETRYING: 'SENT' },
  'receipt-acknowledged': { SENT: 'SENT' },
  'receipt-received': { SENT: 'DELIVERED', RETRYING: 'DELIVERED', QUEUED: 'DELIVERED', FAILED: 'DELIVERED' },
  'attempt-failed (retryable)': { QUEUED: 'RETRYING', RETRYING: 'RETRYING', SENT: 'RETRYING' },
  'attempt-failed (permanent)': { QUEUED: 'FAILED', RETRYING: 'FAILED', SENT: 'FAILED' },
  'receipt-overdue': { SENT: 'RETRYING' },
  'dead-lettered': { QUEUED: 'FAILED', RETRYING: 'FAILED', SENT: 'FAILED' },
  'retried-by-person': { FAILED: 'QUEUED' },
  'corrected-by-person': { FAILED: 'QUEUED' },
  'retried-now-by-person': { RETRYING: 'QUEUED' },
  'reopened-by-person': { RESOLVED: 'FAILED' },
  'resolved-by-person': {
    FAILED: 'RESOLVED',
    RETRYING: 'RESOLVED',
    QUEUED: 'RESOLVED',
    PENDING: 'RESOLVED',
    SENT: 'RESOLVED',
  },
};

const delivery = (status: DeliveryStatus, extra: Partial<Delivery> = {}): Delivery => ({
  status,
  attempts: 1,
  round: 0,
  history: [{ at: '2026-11-29T11:00:00.000Z', status, detail: 'før' }],
  ...extra,
});

describe('decide: every event from every status', () => {
  for (const [name, event] of Object.entries(EVENTS)) {
    for (const status of DELIVERY_STATUSES) {
      const to = EXPECTED[name]?.[status];
      it(`${name} from ${status} → ${to ?? 'stale'}`, () => {
        const decision = decide(delivery(status), event, NOW);
        if (!to) {
          expect(decision.kind).toBe('stale');
          return;
        }
        expect(decision.kind).toBe('transition');
        if (decision.kind !== 'transition') return;
        expect(decision.transition.to).toBe(to);
        expect(decision.transition.from).toContain(status);
        expect(decision.transition.entry).toMatchObject({ at: NOW.toISOString(), status: to });
        expect(decision.transition.entry.detail.length).toBeGreaterThan(5);
      });
    }
  }
});

describe('what the history says', () => {
  it('a sent delivery waits for the receipt, with the message id and deadline kept', () => {
    const d = decide(delivery('QUEUED'), EVENTS.sent as DeliveryEvent, NOW);
    expect(d).toMatchObject({
      kind: 'transition',
      transition: {
        to: 'SENT',
        countAttempt: true,
        sent: { messageId: 'm-1', receiptDeadline: later },
        entry: { detail: 'Sendt til Arkivet, venter på kvittering.' },
      },
    });
  });

  it('a receipt for an existing record says so, once', () => {
    const d = decide(
      delivery('SENT'),
      {
        type: 'receipt-received',
        targetName: 'Arkivet',
        messageId: 'm-1',
        references: { saksnummer: '2026/17' },
        existing: true,
      },
      NOW,
    );
    expect(d.kind === 'transition' && d.transition.entry.detail).toBe(
      'Levert til Arkivet (saksnummer: 2026/17); fantes fra før i arkivet.',
    );
  });

  it('a person’s actions name the person', () => {
    const d = decide(delivery('FAILED'), EVENTS['resolved-by-person'] as DeliveryEvent, NOW);
    expect(d.kind === 'transition' && d.transition.entry).toMatchObject({
      by: 'Kari Arkivar',
      detail: 'Lukket: Journalført manuelt i Elements',
    });
  });

  it('a correction names the person, each field with its old and new value, and why; it starts a new round', () => {
    const d = decide(
      delivery('FAILED', { round: 2 }),
      {
        type: 'corrected-by-person',
        by: kari,
        changes: [
          { field: 'soker.adresse.postnummer', from: '0000', to: '1767' },
          { field: 'soker.adresse.poststed', from: null, to: 'Halden' },
        ],
        reason: ' Postnummeret fra søkerens brev. ',
      },
      NOW,
    );
    expect(d.kind === 'transition' && d.transition).toMatchObject({
      to: 'QUEUED',
      newRound: true,
      nextAttemptAt: null,
      entry: {
        by: 'Kari Arkivar',
        detail:
          'Rettet av en person og sendt på nytt: soker.adresse.postnummer «0000» → «1767», ' +
          'soker.adresse.poststed (tom) → «Halden». Begrunnelse: Postnummeret fra søkerens brev.',
      },
    });
    // Not bound to the round it was decided in (a person's action starts the next one).
    expect(d.kind === 'transition' && d.transition.round).toBeUndefined();
  });

  it('"prøv nå" starts a new round at once (the waiting attempt goes stale); a reopen needs a person again, with why', () => {
    const now = decide(delivery('RETRYING', { round: 1 }), EVENTS['retried-now-by-person'] as DeliveryEvent, NOW);
    expect(now.kind === 'transition' && now.transition).toMatchObject({
      to: 'QUEUED',
      newRound: true,
      nextAttemptAt: null,
      entry: { by: 'Kari Arkivar', detail: 'Prøvd nå av en person, i stedet for å vente på neste forsøk.' },
    });
    const after = model(delivery('RETRYING', { round: 1 }), EVENTS['retried-now-by-person'] as DeliveryEvent);
    expect(decide(after, { type: 'dead-lettered', round: 1 }, NOW).kind).toBe('stale');
    const reopened = decide(delivery('RESOLVED'), EVENTS['reopened-by-person'] as DeliveryEvent, NOW);
    expect(reopened.kind === 'transition' && reopened.transition.entry).toMatchObject({
      status: 'FAILED',
      by: 'Kari Arkivar',
      detail: 'Gjenåpnet: Lukket ved en feil. Trenger en person igjen.',
    });
  });

  it('the last failed attempt says no more attempts come; the dead letter carries the last failure', () => {
    const last = decide(
      delivery('RETRYING'),
      { type: 'attempt-failed', failure: unavailable, attempt: 5, maxAttempts: 5 },
      NOW,
    );
    expect(last.kind === 'transition' && last.transition.entry.detail).toBe(
      'Forsøk 5 av 5 feilet, ingen flere forsøk: Arkivet er ikke tilgjengelig (HTTP 503).',
    );
    const dead = decide(delivery('RETRYING', { attempts: 5, failure: unavailable }), { type: 'dead-lettered' }, NOW);
    expect(dead.kind === 'transition' && dead.transition.entry.detail).toBe(
      'Ga opp etter 5 forsøk: Arkivet er ikke tilgjengelig (HTTP 503). Krever manuell behandling.',
    );
  });

  it('an event of an earlier round (before a person retried) is stale', () => {
    expect(decide(delivery('RETRYING', { round: 1 }), { type: 'dead-lettered', round: 0 }, NOW).kind).toBe('stale');
    expect(decide(delivery('RETRYING', { round: 1 }), { type: 'dead-lettered', round: 1 }, NOW).kind).toBe(
      'transition',
    );
  });
});

describe('submissionStatus', () => {
  const s = (...statuses: DeliveryStatus[]) => submissionStatus(statuses.map((status) => ({ status, attempts: 0 })));
  it('is FAILED while any delivery is failed (not final: a person may retry)', () => {
    expect(s('DELIVERED', 'FAILED')).toBe('FAILED');
  });
  it('is DELIVERED only when every delivery was delivered', () => {
    expect(s('DELIVERED', 'DELIVERED')).toBe('DELIVERED');
  });
  it('is CLOSED, never DELIVERED, when a person closed one without delivering it', () => {
    expect(s('DELIVERED', 'RESOLVED')).toBe('CLOSED');
  });
  it('is IN_PROGRESS while one is sent and waiting, RECEIVED before anything happened', () => {
    expect(s('SENT', 'PENDING')).toBe('IN_PROGRESS');
    expect(s('QUEUED', 'PENDING')).toBe('RECEIVED');
  });
});

/** The repository's write, as a model: applied only from `from` (and the round), like the conditional write. */
function model(d: Delivery, event: DeliveryEvent, counted?: { attempts: number }): Delivery {
  const decision = decide(d, event, NOW);
  if (decision.kind === 'stale') return d;
  const t = decision.transition;
  if (!t.from.includes(d.status) || (t.round !== undefined && t.round !== (d.round ?? 0))) return d;
  if (counted && t.countAttempt) counted.attempts++;
  return applyTransition(d, t);
}

/** What happens without a person deciding to reopen (a reopen is the one way out of RESOLVED, on purpose). */
const eventArb: fc.Arbitrary<DeliveryEvent> = fc.oneof(
  fc.constantFrom(...Object.values(EVENTS).filter((e) => e.type !== 'reopened-by-person')),
  fc.integer({ min: 0, max: 3 }).map((round): DeliveryEvent => ({ type: 'dead-lettered', round })),
  fc
    .integer({ min: 0, max: 3 })
    .map((round): DeliveryEvent => ({ type: 'delivered', targetName: 'A', references: { id: `r${round}` }, round })),
  fc.integer({ min: 0, max: 3 }).map(
    (round): DeliveryEvent => ({
      type: 'attempt-failed',
      failure: unavailable,
      attempt: 2,
      maxAttempts: 5,
      nextAttemptAt: later,
      round,
    }),
  ),
);

describe('properties: duplicate, late and reordered events', () => {
  it('nothing but a person’s reopen takes a delivery out of DELIVERED or RESOLVED, and no attempt is lost', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<DeliveryStatus>('PENDING', 'QUEUED'),
        fc.array(eventArb, { maxLength: 40 }),
        (start, events) => {
          let d = delivery(start, { attempts: 0 });
          let final: DeliveryStatus | undefined;
          const counted = { attempts: 0 };
          for (const event of events) {
            const next = model(d, event, counted);
            // Attempts only grow, by at most one per event; the history only grows, by exactly one per change.
            expect(next.attempts).toBeGreaterThanOrEqual(d.attempts);
            expect(next.attempts - d.attempts).toBeLessThanOrEqual(1);
            expect(next.history.length - d.history.length).toBe(next === d ? 0 : 1);
            if (final) expect(next.status).toBe(final);
            if (FINAL_STATUSES.has(next.status)) final = next.status;
            d = next;
          }
          // Every attempt an applied change counted is on the delivery.
          expect(d.attempts).toBe(counted.attempts);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a repeated event changes nothing the second time, except history-only acknowledgements', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DELIVERY_STATUSES), eventArb, (status, event) => {
        const once = model(delivery(status), event);
        const twice = model(once, event);
        if (event.type === 'attempt-failed' || event.type === 'receipt-acknowledged') return; // a new attempt, a new note
        expect(twice.status).toBe(once.status);
        if (event.type !== 'released') expect(twice.attempts).toBe(once.attempts);
      }),
    );
  });
});
