/**
 * The archive's replies over Fiks IO, read from the hub's own account queue: each message (decrypted and verified
 * by the receiver) becomes an ArchiveReply by its meldingType and moves the delivery it answers (`svar-til`). The
 * receiver acks a message only after `handleFiksIoMessage` resolves, so only after the delivery is written; a
 * reply the hub cannot use (unknown type, no `svar-til`, an unreadable receipt, a message it never sent, a delivery
 * already finished) is logged by ids and acked, never retried and never a crash. A reply whose `avsender-id` is not
 * the account the message was sent to (anyone on Fiks IO can send to the hub's account) is refused the same way.
 *
 * On AWS a scheduled function drains the queue (functions/fiks-io-receiver); locally the hub consumes continuously.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { FiksIoTransport, HubConfig } from '../config/types.ts';
import { MeldingType, PayloadFil, readMappeHentResultat } from '../fiks-io/fiks-arkiv.ts';
import { createFiksIoReceiver, type FiksIoReceiver, type ReceivedMessage } from '../fiks-io/receiver.ts';
import { readFiksArkivAnswer } from '../targets/fiks-arkiv-receipt.ts';
import { accountKey, fiksIoConnection, type SecretReader } from '../targets/fiks-io-connection.ts';
import { type ArchiveReply, type ReceiptDeps, type ReplyOutcome, recordArchiveReply } from './receipts.ts';

export type Understood = { kind: 'reply'; reply: ArchiveReply } | { kind: 'ignored'; reason: string };

const FEIL_TYPES = {
  [MeldingType.ugyldigforespoersel]: 'ugyldigforespoersel',
  [MeldingType.serverfeil]: 'serverfeil',
  [MeldingType.ikkefunnet]: 'ikkefunnet',
} as const;

/** What a Fiks IO message says about an arkivmelding (or a folder lookup) the hub sent, and who says it. Pure. */
export function understand(message: ReceivedMessage): Understood {
  const understood = understandContent(message);
  if (understood.kind === 'ignored') return understood;
  return { kind: 'reply', reply: { ...understood.reply, from: message.avsenderKontoId } };
}

function understandContent(message: ReceivedMessage): Understood {
  const inReplyTo = message.svarPaMelding;
  if (!inReplyTo) return { kind: 'ignored', reason: 'no-svar-til' };
  const file = (name: string) => {
    const found = message.files.find((f) => f.name === name);
    return found ? Buffer.from(found.data).toString('utf8') : undefined;
  };
  if (message.meldingType === MeldingType.mappeHentResultat) {
    const xml = file(PayloadFil.mappeHentResultat);
    const found = xml ? readMappeHentResultat(xml) : undefined;
    if (!found) return { kind: 'ignored', reason: 'mappe-resultat-unreadable' };
    const folder = { systemID: found.systemID, ...(found.saksnummer ? { saksnummer: found.saksnummer } : {}) };
    return { kind: 'reply', reply: { kind: 'folder', inReplyTo, folder } };
  }
  if (message.meldingType === MeldingType.arkivmeldingOpprettMottatt) {
    return { kind: 'reply', reply: { kind: 'mottatt', inReplyTo } };
  }
  if (message.meldingType === MeldingType.arkivmeldingOpprettKvittering) {
    const xml = file(PayloadFil.kvittering);
    if (!xml) return { kind: 'ignored', reason: 'kvittering-without-file' };
    const answer = readFiksArkivAnswer(xml);
    if (answer.kind === 'kvittering') {
      return {
        kind: 'reply',
        reply: { kind: 'kvittering', inReplyTo, references: answer.references, existing: answer.existing },
      };
    }
    if (answer.kind === 'feil') {
      // A receipt that says the registration or folder failed: the archive refused this record.
      const type = answer.type === 'serverfeil' || answer.type === 'ikkefunnet' ? answer.type : 'ugyldigforespoersel';
      return { kind: 'reply', reply: { kind: 'feil', inReplyTo, type, feilmelding: answer.feilmelding } };
    }
    return { kind: 'ignored', reason: 'kvittering-unreadable' };
  }
  const feilType = FEIL_TYPES[message.meldingType as keyof typeof FEIL_TYPES];
  if (feilType) {
    const xml = file(PayloadFil.feilmelding);
    const answer = xml ? readFiksArkivAnswer(xml) : undefined;
    const feilmelding = answer?.kind === 'feil' ? answer.feilmelding : `Arkivet svarte ${feilType} uten feilmelding`;
    return { kind: 'reply', reply: { kind: 'feil', inReplyTo, type: feilType, feilmelding } };
  }
  return { kind: 'ignored', reason: 'unknown-meldingtype' };
}

/** Records one reply. Throws only when the write failed (then the message goes back to the queue). */
export async function handleFiksIoMessage(
  message: ReceivedMessage,
  deps: ReceiptDeps,
): Promise<ReplyOutcome | 'ignored'> {
  const ids = { meldingId: message.meldingId, meldingType: message.meldingType, svarTil: message.svarPaMelding };
  const understood = understand(message);
  if (understood.kind === 'ignored') {
    deps.logger.warn('Fiks IO message not understood as an archive reply; acked', {
      ...ids,
      reason: understood.reason,
    });
    return 'ignored';
  }
  // The archive can answer before the hub has written that it sent (the send returns, then SENT is written): a
  // reply to a message not known yet, or whose delivery is still between sending and SENT, is looked at again a
  // few times over a second or two before it is recorded (or dropped). One read per look, the same as recording.
  let outcome: ReplyOutcome = 'early';
  for (const pause of UNKNOWN_REPLY_PAUSES_MS) {
    outcome = await recordArchiveReply(understood.reply, deps, { early: 'wait' });
    if (outcome !== 'early') break;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  if (outcome === 'early') outcome = await recordArchiveReply(understood.reply, deps);
  if (outcome === 'refused') {
    // Someone else on Fiks IO answering for the archive: refused, and worth a look (warn, with the accounts only).
    deps.logger.warn('Fiks IO reply refused: not from the account the message was sent to; acked', {
      ...ids,
      from: message.avsenderKontoId,
      outcome,
    });
  } else if (outcome !== 'recorded') deps.logger.info('Fiks IO reply changed nothing; acked', { ...ids, outcome });
  return outcome;
}

/** Pauses before asking again about a reply to a message not (yet) recorded as sent. */
const UNKNOWN_REPLY_PAUSES_MS = [100, 300, 600, 1000];

/** The hub's Fiks IO accounts in a configuration: one receiver each (targets may share an account). */
export function fiksIoAccounts(config: HubConfig): FiksIoTransport[] {
  const accounts = new Map<string, FiksIoTransport>();
  for (const deployment of config.deployments) {
    for (const target of deployment.targets) {
      if (target.transport.type !== 'fiks-io') continue;
      const key = accountKey(target.transport);
      if (!accounts.has(key)) accounts.set(key, target.transport);
    }
  }
  return [...accounts.values()];
}

export interface ReplyReceiversOptions {
  /** The accounts' certificates, keys and passwords */
  secrets: SecretReader;
  /** Pause before a message whose write failed goes back to the queue */
  requeueDelayMs?: number;
  /** Replies handled at once (AMQP prefetch); default REPLY_PREFETCH */
  prefetch?: number;
}

/**
 * Replies handled at once (those to one message still one after the other, see `orderBy`). Not one at a time: a
 * reply that waits for its SENT write (UNKNOWN_REPLY_PAUSES_MS) must not hold up the others, and every write is
 * conditional on the delivery's status anyway. One at a time, a soak of 1,000 deliveries with 30% faults left
 * hundreds of replies queued behind such waits.
 */
export const REPLY_PREFETCH = 16;

/** A receiver per hub account, each handing what it reads to handleFiksIoMessage. */
export async function createReplyReceivers(
  config: HubConfig,
  deps: ReceiptDeps & { logger: Logger },
  options: ReplyReceiversOptions,
): Promise<FiksIoReceiver[]> {
  const receivers: FiksIoReceiver[] = [];
  for (const transport of fiksIoAccounts(config)) {
    const connection = await fiksIoConnection(transport, options.secrets);
    receivers.push(
      createFiksIoReceiver({
        amqpUrl: transport.amqpUrl,
        kontoId: transport.kontoId,
        integrasjonId: transport.integration.id,
        integrasjonPassord: connection.integrasjonPassord,
        tokens: connection.tokens,
        keys: [connection.identity],
        api: connection.api,
        onMessage: async (message) => {
          await handleFiksIoMessage(message, deps);
        },
        prefetch: options.prefetch ?? REPLY_PREFETCH,
        // The replies to one message in the order the archive sent them: its mottatt before its kvittering.
        orderBy: (headers) => {
          const svarTil = headers['svar-til'];
          return typeof svarTil === 'string' ? svarTil : Buffer.isBuffer(svarTil) ? svarTil.toString() : undefined;
        },
        log: {
          info: (text, extra) => deps.logger.info(text, extra ?? {}),
          warn: (text, extra) => deps.logger.warn(text, extra ?? {}),
          error: (text, extra) => deps.logger.error(text, extra ?? {}),
        },
        ...(options.requeueDelayMs !== undefined ? { requeueDelayMs: options.requeueDelayMs } : {}),
      }),
    );
  }
  return receivers;
}
