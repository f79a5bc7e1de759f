/**
 * Fiks IO over HTTPS, as KS's clients call it (fiks-io-send-klient, fiks-io-klient-java, fiks-io-client-dotnet):
 * - send: POST <api>/fiks-io/api/v1/send, multipart `metadata` (JSON) + `data` (octet-stream), answered 202 with the
 *   message as Fiks IO stored it (`meldingId`);
 * - catalog: GET <api>/fiks-io/katalog/api/v1/kontoer/{id}/offentligNokkel (public; JSON, PEM in `nokkel`),
 *   /kontoer/{id} and /lookup?identifikator=&meldingProtokoll=&sikkerhetsniva= (authenticated);
 * - Dokumentlager: GET <api>/dokumentlager/nedlasting/{id} for payloads too large to travel in the AMQP message.
 * Authenticated calls carry `Authorization: Bearer <Maskinporten token, scope ks:fiks>`, `IntegrasjonId` and
 * `IntegrasjonPassord`.
 */

import { trimEndOf } from '../text/trim.ts';
import type { AsicFile } from './asic.ts';
import { type KeyPairIdentity, readCertificate } from './cms.ts';
import type { TokenProvider } from './maskinporten.ts';
import { sealPayload } from './payload.ts';

export const FIKS_SCOPE = 'ks:fiks';
/** Custom header a sender sets so a retry of the same message can be recognised (KS: Melding.HeaderKlientMeldingId). */
export const KLIENT_MELDING_ID = 'klientMeldingId';

export interface FiksIoApiConfig {
  /** e.g. https://api.fiks.ks.no (production), https://api.fiks.test.ks.no (test). */
  apiBaseUrl: string;
  integrasjonId: string;
  integrasjonPassord: string;
  tokens: TokenProvider;
  scope?: string;
  fetch?: typeof fetch;
}

/** The send call's `metadata` part (KS: MeldingSpesifikasjonApiModel). */
export interface MeldingSpesifikasjon {
  avsenderKontoId: string;
  mottakerKontoId: string;
  meldingType: string;
  svarPaMelding?: string;
  /** Milliseconds. */
  ttl?: number;
  headere?: Record<string, string>;
}

/** The send call's answer (KS: SendtMeldingApiModel). */
export interface SendtMelding {
  meldingId: string;
  meldingType: string;
  avsenderKontoId: string;
  mottakerKontoId: string;
  ttl?: number;
  dokumentlagerId?: string;
  svarPaMelding?: string;
  headere?: Record<string, string>;
}

/** A catalog account (KS: KatalogKonto). */
export interface Konto {
  kontoId: string;
  kontoNavn: string;
  fiksOrgId: string;
  fiksOrgNavn: string;
  organisasjonsnummer?: string;
  kommunenummer?: string;
  status: { gyldigAvsender: boolean; gyldigMottaker: boolean; antallKonsumenter?: number; melding?: string };
}

export interface LookupRequest {
  /** e.g. `ORG_NO.<orgnr>` or `KOMMUNENUMMER.<nr>`. */
  identifikator: string;
  meldingProtokoll: string;
  sikkerhetsniva: number;
}

export type FiksIoErrorCode =
  | 'fiksio_unavailable'
  | 'fiksio_unauthorized'
  | 'fiksio_refused'
  | 'fiksio_not_found'
  | 'fiksio_bad_answer';

/** A failed Fiks IO call. `retryable`: the same call may succeed later (outage, throttling, token expiry). */
export class FiksIoError extends Error {
  readonly code: FiksIoErrorCode;
  readonly retryable: boolean;
  readonly status?: number;
  constructor(code: FiksIoErrorCode, message: string, retryable: boolean, status?: number) {
    super(message);
    this.name = 'FiksIoError';
    this.code = code;
    this.retryable = retryable;
    if (status !== undefined) this.status = status;
  }
}

export interface FiksIoApi {
  send(metadata: MeldingSpesifikasjon, data?: Uint8Array): Promise<SendtMelding>;
  /** The account's encryption certificate (PEM), or undefined if the account has none / does not exist. */
  publicKey(kontoId: string): Promise<string | undefined>;
  konto(kontoId: string): Promise<Konto | undefined>;
  lookup(request: LookupRequest): Promise<Konto | undefined>;
  download(dokumentlagerId: string): Promise<Uint8Array>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createFiksIoApi(config: FiksIoApiConfig): FiksIoApi {
  const base = trimEndOf(config.apiBaseUrl, '/');
  const doFetch = config.fetch ?? fetch;
  const scope = config.scope ?? FIKS_SCOPE;

  async function authHeaders(): Promise<Record<string, string>> {
    return {
      authorization: `Bearer ${await config.tokens.token(scope)}`,
      IntegrasjonId: config.integrasjonId,
      IntegrasjonPassord: config.integrasjonPassord,
    };
  }

  async function call(what: string, url: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await doFetch(url, init);
    } catch (error) {
      throw new FiksIoError('fiksio_unavailable', `${what}: Fiks IO unreachable (${String(error)})`, true);
    }
    if (response.ok) return response;
    // The body is Fiks IO's own words about our request (no content of ours): short, for the log and the delivery.
    const detail = (await response.text().catch(() => '')).slice(0, 300);
    const message = `${what}: Fiks IO answered ${response.status}${detail ? ` ${detail}` : ''}`;
    if (response.status === 404) throw new FiksIoError('fiksio_not_found', message, false, 404);
    if (response.status === 401 || response.status === 403)
      // 401 can be an expired token (a new one is fetched on retry); 403 is a missing grant: staff must act.
      throw new FiksIoError('fiksio_unauthorized', message, response.status === 401, response.status);
    const retryable = response.status >= 500 || response.status === 429 || response.status === 408;
    throw new FiksIoError(retryable ? 'fiksio_unavailable' : 'fiksio_refused', message, retryable, response.status);
  }

  async function json<T>(what: string, response: Response): Promise<T> {
    try {
      return (await response.json()) as T;
    } catch {
      throw new FiksIoError('fiksio_bad_answer', `${what}: answer is not JSON`, true, response.status);
    }
  }

  async function getOptional<T>(what: string, url: string, authenticated: boolean): Promise<T | undefined> {
    try {
      const response = await call(what, url, {
        headers: { accept: 'application/json', ...(authenticated ? await authHeaders() : {}) },
      });
      return await json<T>(what, response);
    } catch (error) {
      if (error instanceof FiksIoError && error.code === 'fiksio_not_found') return undefined;
      throw error;
    }
  }

  return {
    async send(metadata, data) {
      for (const id of [metadata.avsenderKontoId, metadata.mottakerKontoId, metadata.svarPaMelding]) {
        if (id !== undefined && !UUID.test(id))
          throw new FiksIoError('fiksio_refused', 'send: account or message id is not a UUID', false);
      }
      const form = new FormData();
      form.append('metadata', new Blob([JSON.stringify(metadata)], { type: 'application/json' }), 'metadata.json');
      if (data && data.byteLength > 0)
        form.append(
          'data',
          new Blob([data as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }),
          crypto.randomUUID(),
        );
      const response = await call('send', `${base}/fiks-io/api/v1/send`, {
        method: 'POST',
        headers: { accept: 'application/json', ...(await authHeaders()) },
        body: form,
      });
      const sent = await json<SendtMelding>('send', response);
      if (typeof sent?.meldingId !== 'string' || !UUID.test(sent.meldingId))
        throw new FiksIoError('fiksio_bad_answer', 'send: answer has no meldingId', true, response.status);
      return sent;
    },

    async publicKey(kontoId) {
      checkUuid(kontoId);
      const body = await getOptional<{ nokkel?: unknown; Nokkel?: unknown }>(
        'public key',
        `${base}/fiks-io/katalog/api/v1/kontoer/${kontoId}/offentligNokkel`,
        false,
      );
      const pem = body?.nokkel ?? body?.Nokkel;
      return typeof pem === 'string' && pem.includes('BEGIN CERTIFICATE') ? pem : undefined;
    },

    async konto(kontoId) {
      checkUuid(kontoId);
      return getOptional<Konto>('account', `${base}/fiks-io/katalog/api/v1/kontoer/${kontoId}`, true);
    },

    async lookup(request) {
      const query = new URLSearchParams({
        identifikator: request.identifikator,
        meldingProtokoll: request.meldingProtokoll,
        sikkerhetsniva: String(request.sikkerhetsniva),
      });
      return getOptional<Konto>('lookup', `${base}/fiks-io/katalog/api/v1/lookup?${query}`, true);
    },

    async download(dokumentlagerId) {
      checkUuid(dokumentlagerId);
      const response = await call('download', `${base}/dokumentlager/nedlasting/${dokumentlagerId}`, {
        headers: { accept: 'application/octet-stream', ...(await authHeaders()) },
      });
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (bytes.byteLength === 0) throw new FiksIoError('fiksio_bad_answer', 'download: empty document', true);
      return bytes;
    },
  };
}

function checkUuid(id: string): void {
  if (!UUID.test(id)) throw new FiksIoError('fiksio_refused', 'account or document id is not a UUID', false);
}

export interface FiksIoSenderConfig {
  api: FiksIoApi;
  /** The hub's own account (avsender). */
  kontoId: string;
  /** Signs each package (the virksomhetssertifikat, or the account's certificate). */
  signer: KeyPairIdentity;
  /** How long a recipient's catalog certificate is reused. Default 10 minutes (as KS's Java client). */
  publicKeyCacheMs?: number;
  now?: () => number;
}

export interface OutgoingMessage {
  mottakerKontoId: string;
  meldingType: string;
  /** Packed, signed and encrypted for the recipient; none for a message without payload (e.g. `mottatt`). */
  files?: AsicFile[];
  svarPaMelding?: string;
  ttlMs?: number;
  /** Sent as the `klientMeldingId` header: the same for every retry of one logical message. */
  klientMeldingId?: string;
  headere?: Record<string, string>;
}

export interface FiksIoSender {
  send(message: OutgoingMessage): Promise<SendtMelding>;
}

/** Sends messages from one account: fetches (and caches) the recipient's certificate, seals the files, sends. */
export function createFiksIoSender(config: FiksIoSenderConfig): FiksIoSender {
  const cacheMs = config.publicKeyCacheMs ?? 10 * 60 * 1000;
  const now = config.now ?? Date.now;
  const keys = new Map<string, { pem: string; until: number }>();

  async function recipientCertificate(kontoId: string) {
    const hit = keys.get(kontoId);
    if (hit && now() < hit.until) return readCertificate(hit.pem);
    const pem = await config.api.publicKey(kontoId);
    if (!pem) throw new FiksIoError('fiksio_not_found', 'recipient account has no public key in the catalog', false);
    keys.set(kontoId, { pem, until: now() + cacheMs });
    return readCertificate(pem);
  }

  return {
    async send(message) {
      const headere = { ...(message.headere ?? {}) };
      if (message.klientMeldingId) headere[KLIENT_MELDING_ID] = message.klientMeldingId;
      const data =
        message.files && message.files.length > 0
          ? await sealPayload(message.files, config.signer, await recipientCertificate(message.mottakerKontoId))
          : undefined;
      return config.api.send(
        {
          avsenderKontoId: config.kontoId,
          mottakerKontoId: message.mottakerKontoId,
          meldingType: message.meldingType,
          ...(message.svarPaMelding ? { svarPaMelding: message.svarPaMelding } : {}),
          ...(message.ttlMs !== undefined ? { ttl: message.ttlMs } : {}),
          ...(Object.keys(headere).length > 0 ? { headere } : {}),
        },
        data,
      );
    },
  };
}
