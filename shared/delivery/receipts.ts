import type { Logger } from '@aws-lambda-powertools/logger';
import type { Registry } from '../config/registry.ts';
import type { Transport } from '../config/types.ts';
import type { DeliveryMessage } from '../queue/delivery-queue.ts';
import type { DeliveryRecord, References } from '../store/records.ts';
import { retryDelaySeconds } from './backoff.ts';
import { fail } from './failures.ts';
import type { DeliveryEvent } from './lifecycle.ts';
import { record, releaseDependents } from './process.ts';
import { type DeliveryRepository, StaleTransitionError } from './repository.ts';

/**
 * What an archive that answers later says about a message the hub sent (Fiks Arkiv V1 over Fiks IO): received,
 * archived (with its numbers), the folder asked for (found), or an error of the protocol's types. `inReplyTo` is
 * the id of the message sent; `from` the account that answered (Fiks IO's `avsender-id`), when the transport says.
 */
export type ArchiveReply = (
  | { kind: 'mottatt'; inReplyTo: string }
  | { kind: 'kvittering'; inReplyTo: string; references: References; existing: boolean }
  | { kind: 'folder'; inReplyTo: string; folder: { systemID: string; saksnummer?: string } }
  | { kind: 'feil'; inReplyTo: string; type: 'ugyldigforespoersel' | 'serverfeil' | 'ikkefunnet'; feilmelding: string }
) & { from?: string };

export interface ReceiptDeps {
  registry: Registry;
  store: DeliveryRepository;
  queue: { send(messages: DeliveryMessage[]): Promise<void> };
  logger: Logger;
  now?: () => Date;
}

/**
 * `refused`: the reply came from another account than the one the message was sent to. `early`: the delivery has not
 * been recorded as having sent that message yet (the archive answered before the hub's SENT write); only with
 * `{ early: 'wait' }`, so the caller can look again shortly.
 */
export type ReplyOutcome = 'recorded' | 'stale' | 'unknown' | 'refused' | 'early';

/**
 * Moves the delivery a reply is about. A reply to a message the hub does not know, or to a delivery that has
 * moved on (already delivered, closed by a person), changes nothing and is reported so the caller can ack it.
 */
export async function recordArchiveReply(
  reply: ArchiveReply,
  deps: ReceiptDeps,
  options: { early?: 'wait' | 'record' } = {},
): Promise<ReplyOutcome> {
  const now = (deps.now ?? (() => new Date()))();
  const ref = await deps.store.findBySentMessage(reply.inReplyTo);
  const found = ref && (await deps.store.get(ref.trackingId));
  const delivery = found?.deliveries.find((d) => d.target === ref?.target);
  const wait = options.early === 'wait';
  if (!found || !delivery) {
    if (wait) return 'early';
    deps.logger.warn('Reply to a message the hub does not know; ignored', { reply: reply.kind });
    return 'unknown';
  }
  // Sent, but SENT not written yet (or the send is being recorded right now): the caller may look again.
  if (wait && delivery.sent?.messageId !== reply.inReplyTo && ['QUEUED', 'RETRYING'].includes(delivery.status)) {
    return 'early';
  }
  const log = { trackingId: delivery.trackingId, target: delivery.target, reply: reply.kind };
  const target = deps.registry.target(delivery.target);
  // Only the account the message went to may answer for it: anyone on Fiks IO can send the hub a message.
  const expected = ref?.recipient ?? configuredRecipient(target.transport);
  if (reply.from !== undefined && expected !== undefined && reply.from.toLowerCase() !== expected.toLowerCase()) {
    deps.logger.warn('Reply from another account than the message was sent to; refused', {
      ...log,
      from: reply.from,
      expected,
    });
    return 'refused';
  }
  const lookup = ref?.step === 'folder-lookup';
  const current = delivery.sent?.messageId === reply.inReplyTo;
  // An error answer to a lookup the delivery no longer waits on (a duplicate, or one asked again since): nothing.
  if (lookup && !current && reply.kind === 'feil' && reply.type !== 'ikkefunnet') {
    deps.logger.info('Reply for a delivery that has moved on; ignored', { ...log, status: delivery.status });
    return 'stale';
  }
  const event = eventFor(reply, delivery, lookup, target.name, target.delivery, now);
  const queueAgain = () =>
    deps.queue.send([{ trackingId: delivery.trackingId, targetId: delivery.target, round: delivery.round ?? 0 }]);
  try {
    const updated = await record(delivery, event, deps, now);
    deps.logger.info('Archive reply recorded', { ...log, status: updated.status });
    if (updated.status === 'DELIVERED') await releaseDependents(found.deliveries, updated, deps, now);
    // A server error on the archive's side: try again after the backoff, without waiting for the deadline. The
    // folder found (or not): the record itself is sent now.
    if (updated.status === 'RETRYING' || updated.status === 'QUEUED') await queueAgain();
    return 'recorded';
  } catch (error) {
    if (!(error instanceof StaleTransitionError)) throw error;
    // The same answer again after its write, when the queue message may not have gone out (a crash in between).
    if (event.type === 'folder-looked-up' && delivery.status === 'QUEUED' && delivery.folder) await queueAgain();
    deps.logger.info('Reply for a delivery that has moved on; ignored', { ...log, status: delivery.status });
    return 'stale';
  }
}

/** The archive's account as configured on the target, when it is given by id (not looked up). */
function configuredRecipient(transport: Transport): string | undefined {
  return transport.type === 'fiks-io' && 'kontoId' in transport.archive ? transport.archive.kontoId : undefined;
}

function eventFor(
  reply: ArchiveReply,
  delivery: DeliveryRecord,
  /** The message answered was the lookup of a reused folder (known from the message, not the delivery's state) */
  lookup: boolean,
  targetName: string,
  settings: { maxAttempts: number; retry?: Parameters<typeof retryDelaySeconds>[1] },
  now: Date,
): DeliveryEvent {
  const round = delivery.round ?? 0;
  // `ikkefunnet` to a lookup is its answer (decide() lets only the lookup the delivery waits on move it).
  if (lookup && reply.kind === 'feil' && reply.type === 'ikkefunnet') {
    return { type: 'folder-looked-up', targetName, messageId: reply.inReplyTo, folder: { found: false }, round };
  }
  switch (reply.kind) {
    case 'folder':
      return {
        type: 'folder-looked-up',
        targetName,
        messageId: reply.inReplyTo,
        folder: { found: true, ...reply.folder },
        round,
      };
    case 'mottatt':
      return { type: 'receipt-acknowledged', targetName, messageId: reply.inReplyTo };
    case 'kvittering': {
      // Filed into a mappe found by lookup, the receipt names only the journalpost: the mappe's numbers come from
      // the lookup's answer.
      const folder = delivery.folder?.found ? delivery.folder : undefined;
      const fromFolder = folder
        ? { mappeSystemID: folder.systemID, ...(folder.saksnummer ? { saksnummer: folder.saksnummer } : {}) }
        : {};
      return {
        type: 'receipt-received',
        targetName,
        messageId: reply.inReplyTo,
        references: { ...fromFolder, ...reply.references },
        existing: reply.existing,
      };
    }
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
      // A record's attempt was counted when it was sent; a lookup's is counted when it fails.
      const attempts = delivery.attempts + (lookup ? 1 : 0);
      const last = attempts >= settings.maxAttempts;
      const delay = retryDelaySeconds(Math.max(1, attempts), settings.retry);
      return {
        type: 'attempt-failed',
        failure: failure.toStored(),
        attempt: attempts,
        maxAttempts: settings.maxAttempts,
        countsAttempt: lookup,
        ...(last ? {} : { nextAttemptAt: new Date(now.getTime() + delay * 1000).toISOString() }),
      };
    }
  }
}
