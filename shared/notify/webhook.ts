import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Registry } from '../config/registry.ts';
import { submissionStatus } from '../delivery/lifecycle.ts';
import type { DeliveryMessage } from '../queue/delivery-queue.ts';
import type { SecretStore } from '../secrets/store.ts';
import type { SubmissionStore } from '../store/submissions.ts';
import { redirectedTo } from '../targets/http-client.ts';
import { WEBHOOK_TOLERANCE_SECONDS } from './schedule.ts';

/** A notification that could not be delivered: `retryable` says whether the queue should try it again. */
export class WebhookError extends Error {
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebhookError';
    this.retryable = retryable;
  }
}

/** The version of the event's shape: fields may be added within a version, never removed or changed. */
export const WEBHOOK_EVENT_VERSION = 1;

/**
 * The signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as Stripe and others do it.
 * During a secret's rotation there is one `v1=` per secret (the current one first): a receiver accepts the
 * notification when any of them matches a secret it holds, so it may switch secrets whenever it likes.
 */
export function signWebhook(secrets: string | readonly string[], body: string, timestamp: number): string {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  const signatures = list.map(
    (secret) => `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`,
  );
  return [`t=${timestamp}`, ...signatures].join(',');
}

/**
 * What a receiver does with the header (the reference for docs/api.md): the timestamp within the tolerance of its
 * own clock (a replayed notification is refused), and a `v1` that matches one of its secrets, compared in constant
 * time.
 */
export function verifyWebhook(
  header: string,
  body: string,
  secrets: readonly string[],
  options: { now?: Date; toleranceSeconds?: number } = {},
): 'valid' | 'bad-signature' | 'too-old' | 'malformed' {
  const parts = header.split(',').map((p) => p.trim());
  const t = parts.find((p) => p.startsWith('t='))?.slice(2);
  const v1s = parts.filter((p) => p.startsWith('v1=')).map((p) => p.slice(3));
  if (!t || !/^\d{1,12}$/.test(t) || v1s.length === 0) return 'malformed';
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - Number(t)) > (options.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS)) return 'too-old';
  for (const secret of secrets) {
    const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
    for (const v1 of v1s) {
      const given = Buffer.from(v1);
      if (given.length === expected.length && timingSafeEqual(given, expected)) return 'valid';
    }
  }
  return 'bad-signature';
}

/**
 * Tells the provider's webhook the current status of a delivery and of its submission. Sends the state as it is
 * now (not as it was when queued), so a late or repeated notification never tells an old story; the event's id
 * names that state (the delivery and how many changes it has had), so a receiver that has seen the id may drop it.
 * Any answer but 2xx is tried again on the schedule (shared/notify/schedule.ts), except 410 Gone: the receiver
 * says it wants no more of these.
 */
export async function sendStatusNotification(
  message: DeliveryMessage,
  deps: {
    registry: Registry;
    store: Pick<SubmissionStore, 'get'>;
    /** The webhook secrets, by variable name, read at run time (shared/secrets) */
    secrets: SecretStore;
    now?: () => Date;
    timeoutMs?: number;
  },
): Promise<'sent' | 'skipped'> {
  const found = await deps.store.get(message.trackingId);
  const delivery = found?.deliveries.find((d) => d.target === message.targetId);
  const webhook = found && deps.registry.provider(found.submission.providerId)?.webhook;
  if (!found || !delivery || !webhook) return 'skipped';
  const secret = await deps.secrets.get(webhook.secret.env);
  // Not set: an operator's mistake the queue's retries give time to fix (the notification is not dropped).
  if (!secret) throw new WebhookError(`Webhook-hemmeligheten er ikke satt (${webhook.secret.env}).`, true);
  const previous = webhook.previousSecret ? await deps.secrets.get(webhook.previousSecret.env) : undefined;
  const id = `${delivery.id}.${delivery.history.length}`;
  const body = JSON.stringify({
    id,
    version: WEBHOOK_EVENT_VERSION,
    event: 'delivery.status',
    trackingId: found.submission.trackingId,
    submissionId: found.submission.submissionId,
    submissionStatus: submissionStatus(found.deliveries),
    delivery: {
      id: delivery.id,
      target: delivery.target,
      status: delivery.status,
      references: delivery.references ?? {},
    },
    at: delivery.updatedAt,
  });
  const timestamp = Math.floor((deps.now?.() ?? new Date()).getTime() / 1000);
  let response: Response;
  try {
    response = await fetch(webhook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-skjemaflyt-signature': signWebhook(previous ? [secret, previous] : [secret], body, timestamp),
        'x-skjemaflyt-event-id': id,
        'x-skjemaflyt-delivery': delivery.id,
      },
      body,
      // Never to another address than the configured one: the signed notification is not for anyone else.
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.timeoutMs ?? 5000),
    });
  } catch (error) {
    throw new WebhookError('Webhooken svarte ikke.', true, { cause: error });
  }
  const redirect = redirectedTo(response, webhook.url);
  if (redirect) {
    // Not followed, but tried again: the provider may put its receiver back where it was.
    throw new WebhookError(
      `Webhooken svarte med en omdirigering (HTTP ${response.status}) til ${redirect}, som huben ikke følger.`,
      true,
    );
  }
  void response.body?.cancel().catch(() => {});
  if (response.ok) return 'sent';
  if (response.status === 410) throw new WebhookError('Webhooken svarte 410 Gone: ingen flere varsler.', false);
  throw new WebhookError(`Webhooken svarte HTTP ${response.status}.`, true);
}
