import type { Logger } from '@aws-lambda-powertools/logger';
import type { Registry } from '../config/registry.ts';
import type { DeliveryMessage } from '../queue/delivery-queue.ts';
import type { References } from '../store/records.ts';
import { retryDelaySeconds } from './backoff.ts';
import { fail } from './failures.ts';
import type { DeliveryEvent } from './lifecycle.ts';
import { record, releaseDependents } from './process.ts';
import { type DeliveryRepository, StaleTransitionError } from './repository.ts';

/**
 * What an archive that answers later says about a message the hub sent (Fiks Arkiv V1 over Fiks IO): received,
 * archived (with its numbers), or an error of the protocol's types. `inReplyTo` is the id of the message sent.
 */
export type ArchiveReply =
  | { kind: 'mottatt'; inReplyTo: string }
  | { kind: 'kvittering'; inReplyTo: string; references: References; existing: boolean }
  | { kind: 'feil'; inReplyTo: string; type: 'ugyldigforespoersel' | 'serverfeil' | 'ikkefunnet'; feilmelding: string };

export interface ReceiptDeps {
  registry: Registry;
  store: DeliveryRepository;
  queue: { send(messages: DeliveryMessage[]): Promise<void> };
  logger: Logger;
  now?: () => Date;
}

export type ReplyOutcome = 'recorded' | 'stale' | 'unknown';

/**
 * Moves the delivery a reply is about. A reply to a message the hub does not know, or to a delivery that has
 * moved on (already delivered, closed by a person), changes nothing and is reported so the caller can ack it.
 */
export async function recordArchiveReply(reply: ArchiveReply, deps: ReceiptDeps): Promise<ReplyOutcome> {
  const now = (deps.now ?? (() => new Date()))();
  const ref = await deps.store.findBySentMessage(reply.inReplyTo);
  const found = ref && (await deps.store.get(ref.trackingId));
  const delivery = found?.deliveries.find((d) => d.target === ref?.target);
  if (!found || !delivery) {
    deps.logger.warn('Reply to a message the hub does not know; ignored', { reply: reply.kind });
    return 'unknown';
  }
  const log = { trackingId: delivery.trackingId, target: delivery.target, reply: reply.kind };
  const target = deps.registry.target(delivery.target);
  const event = eventFor(reply, target.name, delivery.attempts, target.delivery, now);
  try {
    const updated = await record(delivery, event, deps, now);
    deps.logger.info('Archive reply recorded', { ...log, status: updated.status });
    if (updated.status === 'DELIVERED') await releaseDependents(found.deliveries, updated, deps, now);
    // A server error on the archive's side: try again after the backoff, without waiting for the deadline.
    if (updated.status === 'RETRYING') {
      await deps.queue.send([
        { trackingId: delivery.trackingId, targetId: delivery.target, round: delivery.round ?? 0 },
      ]);
    }
    return 'recorded';
  } catch (error) {
    if (!(error instanceof StaleTransitionError)) throw error;
    deps.logger.info('Reply for a delivery that has moved on; ignored', { ...log, status: delivery.status });
    return 'stale';
  }
}

function eventFor(
  reply: ArchiveReply,
  targetName: string,
  attempts: number,
  settings: { maxAttempts: number; retry?: Parameters<typeof retryDelaySeconds>[1] },
  now: Date,
): DeliveryEvent {
  switch (reply.kind) {
    case 'mottatt':
      return { type: 'receipt-acknowledged', targetName, messageId: reply.inReplyTo };
    case 'kvittering':
      return {
        type: 'receipt-received',
        targetName,
        messageId: reply.inReplyTo,
        references: reply.references,
        existing: reply.existing,
      };
    case 'feil': {
      const details = { errorType: reply.type, targetMessage: reply.feilmelding };
      const failure =
        reply.type === 'serverfeil'
          ? fail.serverError(
              'archive',
              `Arkivet meldte en feil hos seg selv (serverfeil): ${reply.feilmelding}`,
              details,
            )
          : fail.rejected('archive', `Arkivet avviste arkivmeldingen (${reply.type}): ${reply.feilmelding}`, details);
      const last = attempts >= settings.maxAttempts;
      const delay = retryDelaySeconds(Math.max(1, attempts), settings.retry);
      return {
        type: 'attempt-failed',
        failure: failure.toStored(),
        attempt: attempts,
        maxAttempts: settings.maxAttempts,
        // Counted when it was sent.
        countsAttempt: false,
        ...(last ? {} : { nextAttemptAt: new Date(now.getTime() + delay * 1000).toISOString() }),
      };
    }
  }
}
