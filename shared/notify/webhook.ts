import { createHmac } from 'node:crypto';
import type { Registry } from '../config/registry.ts';
import { submissionStatus } from '../delivery/lifecycle.ts';
import type { DeliveryMessage } from '../queue/delivery-queue.ts';
import type { SecretStore } from '../secrets/store.ts';
import type { SubmissionStore } from '../store/submissions.ts';
import { isTransientStatus, redirectedTo } from '../targets/http-client.ts';

/** A notification that could not be delivered: `retryable` says whether the queue should try it again. */
export class WebhookError extends Error {
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebhookError';
    this.retryable = retryable;
  }
}

/** The signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as Stripe and others do it. */
export function signWebhook(secret: string, body: string, timestamp: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

/**
 * Tells the provider's webhook the current status of a delivery and of its submission. Sends the state as it is
 * now (not as it was when queued), so a late or repeated notification never tells an old story.
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
  if (!secret) throw new WebhookError(`Webhook-hemmeligheten er ikke satt (${webhook.secret.env}).`, false);
  const body = JSON.stringify({
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
        'x-skjemaflyt-signature': signWebhook(secret, body, timestamp),
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
    throw new WebhookError(
      `Webhooken svarte med en omdirigering (HTTP ${response.status}) til ${redirect}, som huben ikke følger.`,
      false,
    );
  }
  if (response.ok) return 'sent';
  if (isTransientStatus(response.status)) throw new WebhookError(`Webhooken svarte HTTP ${response.status}.`, true);
  throw new WebhookError(`Webhooken avviste varselet (HTTP ${response.status}).`, false);
}
