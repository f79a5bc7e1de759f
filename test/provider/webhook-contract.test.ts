import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_PATH, loadHubConfig } from '../../shared/config/load.ts';
import { NOTIFICATIONS, planHub } from '../../shared/config/plan.ts';
import { WEBHOOK_MAX_ATTEMPTS, WEBHOOK_TOLERANCE_SECONDS, webhookSchedule } from '../../shared/notify/schedule.ts';
import { signWebhook, verifyWebhook } from '../../shared/notify/webhook.ts';

/** What docs/api.md promises a webhook receiver is what the hub does: the schedule, the tolerance, the signature. */
const DOCS = resolve(import.meta.dirname, '../../docs/api.md');

describe('the webhook contract', () => {
  it('the schedule in the guide is the one the notifications queue runs: 20 attempts, the last 75 h after the first', async () => {
    const at = webhookSchedule();
    expect(at).toHaveLength(20);
    expect(at.slice(0, 9)).toEqual([0, 10, 40, 130, 400, 1210, 3640, 10930, 32530]);
    expect(at.at(-1)).toBe(75 * 3600 + 130);
    const docs = await readFile(DOCS, 'utf8');
    expect(docs).toContain('the last **75 h**');
    expect(docs).toContain(`**${WEBHOOK_TOLERANCE_SECONDS} seconds**`);
    // The queue dead-letters after exactly that many receives.
    const plan = planHub(await loadHubConfig(DEFAULT_CONFIG_PATH), { tableName: 't', bucketName: 'b' });
    expect(plan.queues.find((q) => q.targetId === NOTIFICATIONS)?.settings.maxAttempts).toBe(WEBHOOK_MAX_ATTEMPTS);
  });

  it('a receiver accepts any one of the rotation’s signatures, and refuses a stale or a forged one', () => {
    const body = '{"id":"x"}';
    const now = new Date('2026-11-30T08:00:00Z');
    const t = Math.floor(now.getTime() / 1000);
    const header = signWebhook(['ny', 'gammel'], body, t);
    expect(header.split(',')).toHaveLength(3);
    expect(verifyWebhook(header, body, ['ny'], { now })).toBe('valid');
    expect(verifyWebhook(header, body, ['gammel'], { now })).toBe('valid');
    expect(verifyWebhook(header, `${body} `, ['ny'], { now })).toBe('bad-signature');
    expect(verifyWebhook(header, body, ['ny'], { now: new Date(now.getTime() + 301_000) })).toBe('too-old');
    expect(verifyWebhook(header, body, ['ny'], { now: new Date(now.getTime() + 299_000) })).toBe('valid');
    expect(verifyWebhook('v1=abc', body, ['ny'], { now })).toBe('malformed');
  });
});
