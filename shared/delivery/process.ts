import type { Logger } from '@aws-lambda-powertools/logger';
import type { Registry } from '../config/registry.ts';
import type { FormType, Target } from '../config/types.ts';
import type { MappingInput } from '../mapping/context.ts';
import type { DeliveryMessage } from '../queue/delivery-queue.ts';
import { loggableError } from '../runtime/safe-error.ts';
import { DocumentStore } from '../store/documents.ts';
import type { DeliveryRecord, References, SubmissionRecord } from '../store/records.ts';
import { parseFormData } from '../submission/form-data.ts';
import type { SubmissionEnvelope } from '../submission/types.ts';
import type { SecretReader } from '../targets/fiks-io-connection.ts';
import type { Secrets } from '../targets/http-client.ts';
import { AwaitingReceipt } from './awaiting-receipt.ts';
import { retryDelaySeconds } from './backoff.ts';
import { applyCorrections, type Correction, correctionsKey, parseCorrections } from './corrections.ts';
import { fail, toFailure } from './failures.ts';
import { type DeliveryEvent, decide, FINAL_STATUSES } from './lifecycle.ts';
import { producedFile, producedKey } from './produced.ts';
import { type DeliveryRepository, StaleTransitionError } from './repository.ts';

export interface DeliveryDeps {
  registry: Registry;
  store: DeliveryRepository;
  documents: DocumentStore;
  queue: { send(messages: DeliveryMessage[]): Promise<void> };
  logger: Logger;
  /**
   * Runs the send step at most once per key (Powertools idempotency): a crash between "sent" and "recorded"
   * replays the stored answer instead of sending again.
   */
  once: <T>(key: string, send: () => Promise<T>) => Promise<T>;
  /** The targets' secrets (`transport.auth.secret.env`), read at run time (shared/secrets) */
  secrets: Secrets;
  /** A Fiks IO target's certificates, keys and password (on AWS from Secrets Manager); without, from `secrets` */
  fiksIoSecrets?: SecretReader;
  now?: () => Date;
}

/**
 * What a target kind does with one delivery: map and send. A target that answers at once gives its references;
 * one that answers later (Fiks IO) gives the id of the message sent, and the delivery waits as SENT.
 */
export type Deliverer = (job: DeliveryJob, deps: DeliveryDeps) => Promise<DeliveryResult>;

export type DeliveryResult =
  | { kind: 'delivered'; references: References }
  | { kind: 'sent'; messageId: string; receiptDeadline: string; step?: 'folder-lookup'; recipient?: string };

export interface DeliveryJob {
  submission: SubmissionRecord;
  delivery: DeliveryRecord;
  target: Target;
  formType: FormType;
  input: MappingInput;
  /** Keeps what the deliverer built (arkivmelding, payload) for the console, before it is checked or sent. */
  keep?: (body: string) => Promise<void>;
}

/** The queue's side of one message: how often it was received, and a way to put off its next attempt. */
export interface MessageControl {
  receiveCount: number;
  retryAfter(seconds: number): Promise<void>;
}

export type Outcome = 'delivered' | 'sent' | 'skipped' | 'failed' | 'retrying';

/** Another copy of the same message is being processed right now; try again later, record nothing. */
export class DeliveryInProgressError extends Error {
  constructor() {
    super('The same delivery is in progress elsewhere');
    this.name = 'DeliveryInProgressError';
  }
}

/**
 * Delivers one queued delivery and records the outcome. Safe to run twice for the same message: a delivery
 * already DELIVERED is not sent again, the send step is idempotent on the delivery id, targets de-duplicate on
 * the trackingId, and every status write is conditional. A transient fault is recorded as RETRYING, the
 * message's next attempt is put off by the backoff, and the error is re-thrown so the queue keeps the message;
 * after the last attempt it dead-letters and becomes FAILED. A permanent fault is FAILED at once.
 */
export async function processDelivery(
  message: DeliveryMessage,
  control: MessageControl,
  deliver: Deliverer,
  deps: DeliveryDeps,
): Promise<Outcome> {
  const now = deps.now ?? (() => new Date());
  const { trackingId, targetId } = message;
  const log = { trackingId, target: targetId, receiveCount: control.receiveCount };
  // The stored form is read while the delivery is looked up (it needs only the trackingId); awaited only if used.
  const form = readForm(trackingId, deps.documents);
  form.catch(() => {});
  const found = await deps.store.get(trackingId);
  const delivery = found?.deliveries.find((d) => d.target === targetId);
  if (!found || !delivery) {
    deps.logger.warn('Delivery message for an unknown delivery; dropped', log);
    return 'skipped';
  }
  if (FINAL_STATUSES.has(delivery.status)) {
    // Redelivered after success (e.g. a crash before the message was deleted): only make sure dependents go on.
    if (delivery.status === 'DELIVERED') await releaseDependents(found.deliveries, delivery, deps, now());
    deps.logger.info('Delivery already done; message ignored', { ...log, status: delivery.status });
    return 'skipped';
  }
  if (delivery.status === 'PENDING' || delivery.status === 'FAILED' || (message.round ?? 0) < (delivery.round ?? 0)) {
    deps.logger.info('Delivery not waiting for this message; ignored', { ...log, status: delivery.status });
    return 'skipped';
  }

  const target = deps.registry.target(targetId);
  let current = delivery;
  if (delivery.status === 'SENT') {
    const left = secondsUntil(delivery.sent?.receiptDeadline, now());
    if (left > 0) {
      // Early (a duplicate, or the queue's own timing): keep waiting for the receipt.
      await control.retryAfter(left);
      throw new AwaitingReceipt();
    }
    // No receipt by the deadline: a new attempt now, with the same message (the archive de-duplicates).
    try {
      current = await record(
        delivery,
        { type: 'receipt-overdue', nextAttemptAt: now().toISOString(), round: delivery.round ?? 0 },
        deps,
        now(),
      );
      deps.logger.warn('No receipt by the deadline; sending again', log);
    } catch (error) {
      if (error instanceof StaleTransitionError) return 'skipped';
      throw error;
    }
  }
  try {
    const formType = deps.registry.formType(found.submission.municipality, found.submission.formType);
    if (!formType) {
      throw fail.configuration(
        'form-type',
        found.submission.formType,
        `Skjematypen ${found.submission.formType} er ikke lenger konfigurert.`,
      );
    }
    // A person's corrections (console) start a new round: only then are there any to read.
    const corrections = found.deliveries.some((d) => (d.round ?? 0) > 0)
      ? await readCorrections(trackingId, deps.documents)
      : [];
    const input = mappingInput(found.submission, await form, found.deliveries, current, corrections);
    const keep = (body: string) => keepProduced(trackingId, target, body, deps);
    const job = { submission: found.submission, delivery: current, target, formType, input, keep };
    // At most once per round (and per resend of a message that got no receipt): a crash, or a failed write, between
    // sending and recording replays the stored answer instead of sending again.
    const key = `${current.id}#${current.round ?? 0}${current.resends ? `#${current.resends}` : ''}`;
    const result = await deps.once(key, () => deliver(job, deps));
    const round = current.round ?? 0;
    if (result.kind === 'sent') {
      await record(current, { type: 'sent', targetName: target.name, ...result, round }, deps, now());
      deps.logger.info('Sent; waiting for the receipt', log);
      await control.retryAfter(Math.max(1, secondsUntil(result.receiptDeadline, now())));
      throw new AwaitingReceipt();
    }
    const done = await record(
      current,
      { type: 'delivered', targetName: target.name, references: result.references, round },
      deps,
      now(),
    );
    deps.logger.info('Delivered', log);
    await releaseDependents(found.deliveries, done, deps, now());
    return 'delivered';
  } catch (error) {
    if (error instanceof AwaitingReceipt) throw error;
    if (error instanceof StaleTransitionError) {
      deps.logger.info('Delivery changed status meanwhile; outcome not recorded', log);
      return 'skipped';
    }
    if (error instanceof DeliveryInProgressError) {
      await control.retryAfter(target.delivery.visibilityTimeoutSeconds);
      throw error;
    }
    return recordFailure(error, target, current, control, deps, now());
  }
}

async function recordFailure(
  error: unknown,
  target: Target,
  delivery: DeliveryRecord,
  control: MessageControl,
  deps: DeliveryDeps,
  at: Date,
): Promise<Outcome> {
  const failure = toFailure(error);
  const log = { trackingId: delivery.trackingId, target: target.id, receiveCount: control.receiveCount };
  deps.logger.warn(failure.retryable ? 'Delivery attempt failed' : 'Delivery failed permanently', {
    ...log,
    failure: failure.code,
    ...loggableError(error),
  });
  const { maxAttempts, retry } = target.delivery;
  const last = control.receiveCount >= maxAttempts;
  const delay = last ? 0 : retryDelaySeconds(control.receiveCount, retry);
  await record(
    delivery,
    {
      type: 'attempt-failed',
      failure,
      attempt: control.receiveCount,
      maxAttempts,
      ...(last ? {} : { nextAttemptAt: new Date(at.getTime() + delay * 1000).toISOString() }),
      round: delivery.round ?? 0,
    },
    deps,
    at,
  ).catch((recordError) => {
    if (!(recordError instanceof StaleTransitionError)) throw recordError;
  });
  if (!failure.retryable) return 'failed';
  // After the last attempt the message comes back once more at the queue's visibility timeout, and SQS moves it
  // to the dead-letter queue instead of handing it out.
  if (!last) await control.retryAfter(delay);
  throw error;
}

/** Decides what an event does to the delivery and writes it; a stale event throws StaleTransitionError. */
export async function record(
  delivery: DeliveryRecord,
  event: DeliveryEvent,
  deps: { store: Pick<DeliveryRepository, 'transition'> },
  at: Date,
): Promise<DeliveryRecord> {
  const decision = decide(delivery, event, at);
  if (decision.kind === 'stale') throw new StaleTransitionError(delivery.id, delivery.status);
  return deps.store.transition(delivery, decision.transition);
}

/** Whole seconds from `now` until an ISO time (0 when it is past or missing); capped at SQS's 12 hours. */
function secondsUntil(iso: string | undefined, now: Date): number {
  if (!iso) return 0;
  return Math.min(12 * 3600, Math.max(0, Math.ceil((Date.parse(iso) - now.getTime()) / 1000)));
}

/** Saving the produced payload is for people to read later: a failure to save must not fail the delivery. */
async function keepProduced(trackingId: string, target: Target, body: string, deps: DeliveryDeps): Promise<void> {
  try {
    await deps.documents.put(producedKey(trackingId, target), body, producedFile(target).contentType);
  } catch (error) {
    deps.logger.warn('Could not keep the produced payload', { trackingId, target: target.id, ...loggableError(error) });
  }
}

/** The envelope as stored at receipt (without the attachments' content). */
async function readForm(
  trackingId: string,
  documents: DocumentStore,
): Promise<Omit<SubmissionEnvelope, 'attachments'>> {
  const bytes = await documents.get(DocumentStore.formKey(trackingId));
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as Omit<SubmissionEnvelope, 'attachments'>;
}

/** The corrections a person made in the console (none when there is no file). */
async function readCorrections(trackingId: string, documents: DocumentStore): Promise<Correction[]> {
  try {
    return parseCorrections(await documents.get(correctionsKey(trackingId)));
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NotFound') return [];
    throw error;
  }
}

function mappingInput(
  submission: SubmissionRecord,
  envelope: Omit<SubmissionEnvelope, 'attachments'>,
  deliveries: DeliveryRecord[],
  delivery: DeliveryRecord,
  corrections: readonly Correction[] = [],
): MappingInput {
  const parsed = parseFormData(envelope.formData.contentType, envelope.formData.content);
  parsed.data = applyCorrections(parsed.data, corrections);
  const archive = delivery.after ? deliveries.find((d) => d.target === delivery.after)?.references : undefined;
  return {
    trackingId: submission.trackingId,
    receivedAt: submission.receivedAt,
    envelope,
    formData: parsed.data,
    ...(archive ? { archive } : {}),
  };
}

/** Integration model 3: deliveries waiting for this one are queued, carrying its references. */
export async function releaseDependents(
  deliveries: DeliveryRecord[],
  done: DeliveryRecord,
  deps: Pick<DeliveryDeps, 'store' | 'queue'>,
  at: Date,
): Promise<void> {
  const waiting = deliveries.filter(
    (d) => d.after === done.target && (d.status === 'PENDING' || d.status === 'QUEUED'),
  );
  if (waiting.length === 0) return;
  for (const dependent of waiting) {
    if (dependent.status === 'PENDING') {
      await record(
        dependent,
        { type: 'released', after: done.target, references: done.references ?? {} },
        deps,
        at,
      ).catch((error) => {
        if (!(error instanceof StaleTransitionError)) throw error;
      });
    }
  }
  // Also re-sent for those already QUEUED: a crash between the status write and this send must not strand them.
  await deps.queue.send(waiting.map((d) => ({ trackingId: d.trackingId, targetId: d.target, round: d.round ?? 0 })));
}
