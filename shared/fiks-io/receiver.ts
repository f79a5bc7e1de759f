/**
 * Receiving Fiks IO messages from the account's AMQP 0-9-1 queue `fiksio.konto.<kontoId>`, as KS's clients do:
 * username = IntegrasjonId, password = "<IntegrasjonPassord> <Maskinporten token>", consume with manual ack. Each
 * message's metadata is in string headers (`avsender-id`, `melding-id`, `type`, `svar-til`, `dokumentlager-id`,
 * `egendefinert-header.<name>`); the body is the encrypted payload, or empty when it lies in Dokumentlager or there is
 * none. The message is decrypted and verified, handed to `onMessage`, and acked only after that resolves.
 *
 * A message that cannot be a valid Fiks IO message for us (headers missing, not encrypted for us, bad signature,
 * unknown META-INF file, zip bomb, too large) is *refused*: logged by reason code and ids only, passed to `onRefused`,
 * and acked, so it neither crashes the receiver nor comes back. A failing `onMessage` (our storage down) leaves the
 * message to the broker: it is requeued after a pause, to be handled again.
 *
 * Two ways to run: `start()` consumes continuously (the local hub), `drain()` takes messages one by one until the
 * queue is empty or a deadline passes (a scheduled Lambda: it cannot subscribe to a broker outside Amazon MQ).
 */
import amqp from 'amqplib';
import type { OpenedAsic } from './asic.ts';
import type { FiksIoApi } from './client.ts';
import { FIKS_SCOPE, KLIENT_MELDING_ID } from './client.ts';
import type { KeyPairIdentity, VerifiedSignature } from './cms.ts';
import type { TokenProvider } from './maskinporten.ts';
import { type OpenPayloadOptions, openPayload, refusalCode } from './payload.ts';

export const EGENDEFINERT_HEADER_PREFIX = 'egendefinert-header.';

export function queueName(kontoId: string): string {
  return `fiksio.konto.${kontoId}`;
}

export interface MessageMetadata {
  meldingId: string;
  meldingType: string;
  avsenderKontoId: string;
  mottakerKontoId: string;
  /** The meldingId this message answers. */
  svarPaMelding?: string;
  /** Time to live in ms (the AMQP expiration), if set. */
  ttlMs?: number;
  dokumentlagerId?: string;
  /** The sender's custom headers, without the `egendefinert-header.` prefix. */
  headere: Record<string, string>;
  klientMeldingId?: string;
  /** The broker delivered it before (unacked): it may already have been handled. */
  redelivered: boolean;
}

export interface ReceivedMessage extends MessageMetadata {
  /** The package's files, verified; empty for a message without payload (e.g. `...mottatt`). */
  files: OpenedAsic['files'];
  signer?: VerifiedSignature;
}

export interface Refusal {
  /** Why (safe to log: a code, no content). */
  reason: string;
  /** Whatever metadata could be read. */
  metadata: Partial<MessageMetadata>;
}

/** Compatible with Powertools' Logger. Only ids and codes are ever passed. */
export interface ReceiverLog {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface FiksIoReceiverConfig {
  /** amqps://io.fiks.ks.no:5671 (production), or the local broker; credentials are added here. */
  amqpUrl: string;
  kontoId: string;
  integrasjonId: string;
  integrasjonPassord: string;
  tokens: TokenProvider;
  scope?: string;
  /** The account's private keys (several during a key change). */
  keys: KeyPairIdentity[];
  /** For payloads in Dokumentlager. */
  api?: FiksIoApi;
  onMessage: (message: ReceivedMessage) => Promise<void>;
  onRefused?: (refusal: Refusal) => Promise<void> | void;
  /** For a redelivered message: true if it was already handled (then it is acked without handling again). */
  alreadyHandled?: (meldingId: string) => Promise<boolean> | boolean;
  /** Decide whether a sender's (valid) signing certificate is acceptable. Default: any valid signature. */
  trustSigner?: (signer: VerifiedSignature, metadata: MessageMetadata) => Promise<boolean> | boolean;
  payload?: Omit<OpenPayloadOptions, 'trustSigner'>;
  /** Messages in flight at once (AMQP prefetch). Default 10, as KS's clients. */
  prefetch?: number;
  /**
   * Messages with the same key are handled one after the other, in the queue's order (others at once): e.g. the
   * replies to one message (`svar-til`), so its mottatt is recorded before its kvittering.
   */
  orderBy?: (headers: Record<string, unknown>) => string | undefined;
  /** Pause before a message whose handling failed goes back to the queue. Default 1 s. */
  requeueDelayMs?: number;
  log?: ReceiverLog;
  socketOptions?: Record<string, unknown>;
}

export interface DrainResult {
  handled: number;
  refused: number;
  /** Messages whose handling failed and went back to the queue (the drain stopped at the first). */
  failed: number;
  /** The queue was empty when the drain stopped (not the deadline). */
  empty: boolean;
}

export interface FiksIoReceiver {
  /** Consume continuously; reconnects (with a fresh token) when the connection drops. */
  start(): Promise<void>;
  /** Take messages one at a time until the queue is empty or `deadline` (epoch ms) passes. */
  drain(options: { deadline: number; now?: () => number }): Promise<DrainResult>;
  close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const silent: ReceiverLog = { info() {}, warn() {}, error() {} };

class Refused extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

/** Reads Fiks IO's headers. Throws Refused when a required one is missing or malformed. */
export function readMetadata(message: amqp.Message, mottakerKontoId: string): MessageMetadata {
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  const str = (name: string): string | undefined => {
    const v = headers[name];
    if (typeof v === 'string') return v;
    if (Buffer.isBuffer(v)) return v.toString('utf8');
    return undefined;
  };
  const uuid = (name: string, required: boolean): string | undefined => {
    const v = str(name);
    if (v === undefined) {
      if (required) throw new Refused(`header_missing:${name}`);
      return undefined;
    }
    if (!UUID.test(v)) throw new Refused(`header_malformed:${name}`);
    return v.toLowerCase();
  };
  const meldingId = uuid('melding-id', true) as string;
  const avsenderKontoId = uuid('avsender-id', true) as string;
  const meldingType = str('type');
  if (!meldingType) throw new Refused('header_missing:type');
  const svarPaMelding = uuid('svar-til', false);
  const dokumentlagerId = uuid('dokumentlager-id', false);
  const headere: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    if (!name.startsWith(EGENDEFINERT_HEADER_PREFIX)) continue;
    const v = str(name);
    if (v !== undefined) headere[name.slice(EGENDEFINERT_HEADER_PREFIX.length)] = v;
  }
  const ttl = Number(message.properties.expiration);
  return {
    meldingId,
    meldingType,
    avsenderKontoId,
    mottakerKontoId,
    headere,
    redelivered: message.fields.redelivered === true,
    ...(svarPaMelding ? { svarPaMelding } : {}),
    ...(dokumentlagerId ? { dokumentlagerId } : {}),
    ...(Number.isFinite(ttl) && ttl > 0 ? { ttlMs: ttl } : {}),
    ...(headere[KLIENT_MELDING_ID] ? { klientMeldingId: headere[KLIENT_MELDING_ID] } : {}),
  };
}

type Outcome = 'handled' | 'refused' | 'failed';

export function createFiksIoReceiver(config: FiksIoReceiverConfig): FiksIoReceiver {
  const log = config.log ?? silent;
  const queue = queueName(config.kontoId);
  const requeueDelay = config.requeueDelayMs ?? 1000;
  let model: amqp.ChannelModel | undefined;
  let channel: amqp.Channel | undefined;
  let closing = false;
  let consuming = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  const timers = new Set<NodeJS.Timeout>();
  const chains = new Map<string, Promise<unknown>>();

  /** Runs `work` after everything before it with the same key. */
  function inOrder(key: string, work: () => Promise<unknown>): void {
    const next = (chains.get(key) ?? Promise.resolve()).then(work, work);
    chains.set(key, next);
    void next.finally(() => {
      if (chains.get(key) === next) chains.delete(key);
    });
  }

  async function connect(): Promise<amqp.Channel> {
    const url = new URL(config.amqpUrl);
    const password = `${config.integrasjonPassord} ${await config.tokens.token(config.scope ?? FIKS_SCOPE)}`;
    const m = await amqp.connect(
      {
        protocol: url.protocol.replace(':', ''),
        hostname: url.hostname,
        port: url.port ? Number(url.port) : url.protocol === 'amqps:' ? 5671 : 5672,
        username: config.integrasjonId,
        password,
        vhost: decodeURIComponent(url.pathname.replace(/^\//, '')) || '/',
        heartbeat: 30,
      },
      { servername: url.hostname, ...(config.socketOptions ?? {}) },
    );
    const ch = await m.createChannel();
    await ch.prefetch(config.prefetch ?? 10);
    m.on('error', (error: Error) => log.warn('Fiks IO AMQP connection error', { error: error.message }));
    ch.on('error', (error: Error) => log.warn('Fiks IO AMQP channel error', { error: error.message }));
    m.on('close', () => {
      if (model === m) {
        model = undefined;
        channel = undefined;
      }
      if (!closing && consuming) scheduleReconnect(1);
    });
    model = m;
    channel = ch;
    return ch;
  }

  function scheduleReconnect(attempt: number): void {
    if (closing || reconnectTimer) return;
    const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      consume().catch((error: unknown) => {
        log.warn('Fiks IO AMQP reconnect failed', { attempt, error: String(error) });
        scheduleReconnect(attempt + 1);
      });
    }, delay);
  }

  async function consume(): Promise<void> {
    const ch = await connect();
    await ch.consume(
      queue,
      (message) => {
        if (!message) {
          // The broker cancelled the consumer (queue deleted): try again later.
          if (!closing) scheduleReconnect(1);
          return;
        }
        const key = config.orderBy?.((message.properties.headers ?? {}) as Record<string, unknown>);
        if (key) inOrder(key, () => handle(ch, message));
        else void handle(ch, message);
      },
      { noAck: false },
    );
  }

  async function payloadOf(meta: MessageMetadata, body: Buffer): Promise<Uint8Array | undefined> {
    if (meta.dokumentlagerId) {
      if (!config.api) throw new Error('payload in Dokumentlager, but no Fiks IO API configured');
      return config.api.download(meta.dokumentlagerId);
    }
    return body.length > 0 ? body : undefined;
  }

  /** Handles one delivery and settles it with the broker. Never throws. */
  async function handle(ch: amqp.Channel, message: amqp.Message): Promise<Outcome> {
    let meta: MessageMetadata | undefined;
    try {
      meta = readMetadata(message, config.kontoId);
      if (meta.redelivered && config.alreadyHandled && (await config.alreadyHandled(meta.meldingId))) {
        log.info('Fiks IO message already handled; acked', ids(meta));
        ch.ack(message);
        return 'handled';
      }
      const encrypted = await payloadOf(meta, message.content);
      let received: ReceivedMessage = { ...meta, files: [] };
      if (encrypted) {
        const current = meta;
        const opened = await openPayload(encrypted, config.keys, {
          ...(config.payload ?? {}),
          ...(config.trustSigner
            ? { trustSigner: (s: VerifiedSignature) => config.trustSigner?.(s, current) ?? true }
            : {}),
        });
        received = { ...meta, files: opened.files, signer: opened.signer };
      }
      await config.onMessage(received);
      ch.ack(message);
      return 'handled';
    } catch (error) {
      const reason = error instanceof Refused ? error.reason : refusalCode(error);
      if (reason) {
        log.warn('Fiks IO message refused', { reason, ...ids(meta) });
        try {
          await config.onRefused?.({ reason, metadata: meta ?? {} });
        } catch (hookError) {
          log.error('Fiks IO onRefused failed', { error: String(hookError), ...ids(meta) });
        }
        safely(() => ch.ack(message));
        return 'refused';
      }
      // Our side failed (storage, Dokumentlager unreachable): the message goes back, to be handled again.
      log.error('Fiks IO message handling failed; requeued', {
        error: error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : 'unknown',
        ...ids(meta),
      });
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          resolve();
        }, requeueDelay);
        timers.add(t);
      });
      safely(() => ch.nack(message, false, true));
      return 'failed';
    }
  }

  return {
    async start() {
      consuming = true;
      closing = false;
      await consume();
    },

    async drain({ deadline, now = Date.now }) {
      const ch = channel ?? (await connect());
      const result: DrainResult = { handled: 0, refused: 0, failed: 0, empty: false };
      while (now() < deadline) {
        const message = await ch.get(queue, { noAck: false });
        if (!message) {
          result.empty = true;
          break;
        }
        const outcome = await handle(ch, message);
        result[outcome]++;
        if (outcome === 'failed') break;
      }
      return result;
    },

    async close() {
      closing = true;
      consuming = false;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      for (const t of timers) clearTimeout(t);
      const m = model;
      model = undefined;
      channel = undefined;
      if (m) await m.close().catch(() => undefined);
    },
  };
}

function ids(meta: Partial<MessageMetadata> | undefined): Record<string, unknown> {
  if (!meta) return {};
  return {
    meldingId: meta.meldingId,
    meldingType: meta.meldingType,
    avsenderKontoId: meta.avsenderKontoId,
    svarPaMelding: meta.svarPaMelding,
    redelivered: meta.redelivered,
  };
}

function safely(f: () => void): void {
  try {
    f();
  } catch {
    // The channel closed under us: the broker requeues unacked messages by itself.
  }
}
