import { describe, expect, it } from 'vitest';
import { DEFAULT_RETENTION_DAYS, deletableFrom, retentionVerdict } from '../../shared/retention/rule.ts';
import type { DeliveryRecord } from '../../shared/store/records.ts';
import { deliveryRecord } from '../support/factories.ts';

const day = 24 * 3600 * 1000;
const t0 = Date.parse('2026-11-24T10:00:00Z');
const at = (days: number) => new Date(t0 + days * day);

function delivery(
  target: string,
  targetKind: 'archive' | 'fagsystem',
  history: [DeliveryRecord['status'], number][],
): DeliveryRecord {
  const last = history.at(-1) ?? ['QUEUED', 0];
  return deliveryRecord({
    trackingId: 't',
    target,
    targetKind,
    status: last[0],
    attempts: 1,
    history: history.map(([status, days]) => ({ at: at(days).toISOString(), status, detail: '' })),
    updatedAt: at(last[1]).toISOString(),
  });
}

describe('retention of originals and documents', () => {
  it('starts the clock when the archive has confirmed and every other delivery is done', () => {
    const archive = delivery('arkiv', 'archive', [
      ['QUEUED', 0],
      ['DELIVERED', 1],
    ]);
    const lonn = delivery('lonn', 'fagsystem', [
      ['QUEUED', 0],
      ['RETRYING', 1],
      ['DELIVERED', 3],
    ]);
    expect(deletableFrom([archive, lonn], 30)).toEqual(at(33));
    expect(deletableFrom([archive], 7)).toEqual(at(8));
  });

  it('keeps everything while a delivery is under way, failed or waiting for the archive', () => {
    const archive = delivery('arkiv', 'archive', [
      ['QUEUED', 0],
      ['DELIVERED', 1],
    ]);
    for (const status of ['PENDING', 'QUEUED', 'RETRYING', 'FAILED'] as const) {
      expect(deletableFrom([archive, delivery('byggesak', 'fagsystem', [[status, 2]])], 0), status).toBeUndefined();
    }
  });

  it('never deletes what the archive has not confirmed, even when a person closed the delivery', () => {
    const resolved = delivery('arkiv', 'archive', [
      ['FAILED', 1],
      ['RESOLVED', 2],
    ]);
    expect(deletableFrom([resolved], 0)).toBeUndefined();
    expect(retentionVerdict({ deliveries: [resolved] }, { retentionDays: 0 }, at(0), at(400))).toEqual({
      action: 'keep',
      reason: 'not-archived',
    });
  });

  it('without an archive delivery, starts when the specialist systems are done (resolved counts)', () => {
    const order = delivery('driftsordre', 'fagsystem', [
      ['FAILED', 1],
      ['RESOLVED', 4],
    ]);
    expect(deletableFrom([order], 10)).toEqual(at(14));
  });

  it('decides per form type, with a default', () => {
    const archived = {
      deliveries: [
        delivery('arkiv', 'archive', [
          ['QUEUED', 0],
          ['DELIVERED', 0],
        ]),
      ],
    };
    expect(retentionVerdict(archived, undefined, at(0), at(DEFAULT_RETENTION_DAYS - 1))).toMatchObject({
      action: 'keep',
      reason: 'not-yet',
    });
    expect(retentionVerdict(archived, undefined, at(0), at(DEFAULT_RETENTION_DAYS))).toEqual({
      action: 'delete',
      reason: 'retention-passed',
    });
    expect(retentionVerdict(archived, { retentionDays: 90 }, at(0), at(60)).action).toBe('keep');
    expect(retentionVerdict(archived, { retentionDays: 0 }, at(0), at(0)).action).toBe('delete');
  });

  it('deletes objects no submission owns (a receive that stopped half-way) after a day', () => {
    expect(retentionVerdict(undefined, undefined, at(0), at(0.5)).action).toBe('keep');
    expect(retentionVerdict(undefined, undefined, at(0), at(1))).toEqual({ action: 'delete', reason: 'orphan' });
  });
});
