/**
 * A local Fiks IO with the real service's contract (as KS's clients use it), on a real RabbitMQ:
 * - POST /fiks-io/api/v1/send: Bearer token (scope ks:fiks) + IntegrasjonId/IntegrasjonPassord; the integration must
 *   have the sending account; multipart `metadata` + optional `data`; the message goes into the recipient's queue
 *   `fiksio.konto.<id>` with Fiks IO's headers and TTL as AMQP expiration; 202 with the stored message. A payload over
 *   the Dokumentlager threshold (5 MB, as Fiks IO) is kept here and the AMQP message carries `dokumentlager-id`.
 * - GET /fiks-io/katalog/api/v1/kontoer/{id}/offentligNokkel (public), /kontoer/{id}, /lookup (authenticated).
 * - GET /dokumentlager/nedlasting/{id} (authenticated).
 * - POST /amqp-auth/{user,vhost,resource,topic}: RabbitMQ's HTTP auth backend. An integration logs in with the
 *   password "<IntegrasjonPassord> <token>" and may only read its own accounts' queues (no publishing, no declaring).
 * Everything listens on 127.0.0.1.
 */
import { randomUUID, X509Certificate } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import amqp from 'amqplib';
import type { Konto, MeldingSpesifikasjon, SendtMelding } from '../../../shared/fiks-io/client.ts';
import { EGENDEFINERT_HEADER_PREFIX, queueName } from '../../../shared/fiks-io/receiver.ts';

export interface LocalAccount {
  kontoId: string;
  kontoNavn: string;
  fiksOrgId: string;
  fiksOrgNavn: string;
  organisasjonsnummer?: string;
  kommunenummer?: string;
  /** The account's public certificate (PEM) in the catalog. */
  certificatePem: string;
  /** Protocols the account is registered for (for lookup). */
  protokoller?: { meldingProtokoll: string; sikkerhetsniva: number }[];
}

export interface LocalIntegration {
  integrasjonId: string;
  integrasjonPassord: string;
  /** The accounts this integration may send from and receive on. */
  kontoer: string[];
}

export interface FiksIoServiceOptions {
  /** The broker's guest URL (the service's own connection). */
  brokerAdminUrl: string;
  accounts: LocalAccount[];
  integrations: LocalIntegration[];
  /** Checks a Maskinporten access token: valid, and granted scope ks:fiks. */
  verifyToken: (token: string) => Promise<boolean>;
  /** Payloads larger than this go to Dokumentlager. Default 5 MB. */
  dokumentlagerThresholdBytes?: number;
  /** Largest request body accepted. Default 100 MB. */
  maxRequestBytes?: number;
  port?: number;
}

export interface SentRecord extends SendtMelding {
  /** Size of the encrypted payload. */
  bytes: number;
}

export interface FiksIoService {
  /** http://127.0.0.1:<port> (the Fiks API base URL). */
  url: string;
  /** For the broker's HTTP auth backend. */
  authUrl: string;
  /** Every message accepted, in order (metadata only). */
  sent: SentRecord[];
  /** Declares the accounts' queues (call once the broker is up). */
  connect(): Promise<void>;
  close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export function createFiksIoService(options: FiksIoServiceOptions): Promise<FiksIoService> {
  const accounts = new Map(options.accounts.map((a) => [a.kontoId.toLowerCase(), a]));
  const integrations = new Map(options.integrations.map((i) => [i.integrasjonId.toLowerCase(), i]));
  const threshold = options.dokumentlagerThresholdBytes ?? 5 * 1024 * 1024;
  const maxBytes = options.maxRequestBytes ?? 100 * 1024 * 1024;
  const dokumentlager = new Map<string, { data: Uint8Array; mottakerKontoId: string }>();
  const sent: SentRecord[] = [];
  let model: amqp.ChannelModel | undefined;
  let channel: amqp.ConfirmChannel | undefined;

  async function authenticate(req: IncomingMessage): Promise<LocalIntegration> {
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (!token || !(await options.verifyToken(token))) throw new HttpError(401, 'Ugyldig eller manglende token');
    const id = String(req.headers.integrasjonid ?? '').toLowerCase();
    const integration = integrations.get(id);
    if (!integration || integration.integrasjonPassord !== req.headers.integrasjonpassord)
      throw new HttpError(401, 'Ugyldig integrasjon eller passord');
    return integration;
  }

  async function readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) throw new HttpError(413, 'For stor melding');
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  async function send(req: IncomingMessage): Promise<[number, unknown]> {
    const integration = await authenticate(req);
    const body = await readBody(req);
    let form: FormData;
    try {
      form = await new Request('http://local/send', {
        method: 'POST',
        headers: { 'content-type': String(req.headers['content-type'] ?? '') },
        body,
      }).formData();
    } catch {
      throw new HttpError(400, 'Forventet multipart/form-data');
    }
    const metaPart = form.get('metadata');
    if (!metaPart) throw new HttpError(400, 'Mangler metadata');
    let meta: MeldingSpesifikasjon;
    try {
      meta = JSON.parse(typeof metaPart === 'string' ? metaPart : await metaPart.text()) as MeldingSpesifikasjon;
    } catch {
      throw new HttpError(400, 'metadata er ikke JSON');
    }
    const avsender = String(meta.avsenderKontoId ?? '').toLowerCase();
    const mottaker = String(meta.mottakerKontoId ?? '').toLowerCase();
    if (!UUID.test(avsender) || !UUID.test(mottaker))
      throw new HttpError(400, 'avsenderKontoId/mottakerKontoId må være UUID');
    if (typeof meta.meldingType !== 'string' || meta.meldingType.trim() === '')
      throw new HttpError(400, 'Mangler meldingType');
    if (meta.svarPaMelding !== undefined && meta.svarPaMelding !== null && !UUID.test(String(meta.svarPaMelding)))
      throw new HttpError(400, 'svarPaMelding må være UUID');
    if (meta.ttl !== undefined && meta.ttl !== null && !(Number.isInteger(meta.ttl) && meta.ttl > 0))
      throw new HttpError(400, 'ttl må være et positivt heltall (ms)');
    const headere = meta.headere ?? {};
    if (typeof headere !== 'object' || Object.values(headere).some((v) => typeof v !== 'string'))
      throw new HttpError(400, 'headere må være tekst');
    if (!integration.kontoer.map((k) => k.toLowerCase()).includes(avsender))
      throw new HttpError(403, 'Integrasjonen har ikke tilgang til avsenderkontoen');
    if (!accounts.has(mottaker)) throw new HttpError(400, 'Ukjent mottakerkonto');

    const dataPart = form.get('data');
    const data = dataPart && typeof dataPart !== 'string' ? new Uint8Array(await dataPart.arrayBuffer()) : undefined;
    const meldingId = randomUUID();
    let dokumentlagerId: string | undefined;
    let content = Buffer.from(data ?? new Uint8Array());
    if (data && data.byteLength > threshold) {
      dokumentlagerId = randomUUID();
      dokumentlager.set(dokumentlagerId, { data, mottakerKontoId: mottaker });
      content = Buffer.alloc(0);
    }
    const headers: Record<string, string> = {
      'avsender-id': avsender,
      'melding-id': meldingId,
      type: meta.meldingType,
    };
    if (meta.svarPaMelding) headers['svar-til'] = String(meta.svarPaMelding).toLowerCase();
    if (dokumentlagerId) headers['dokumentlager-id'] = dokumentlagerId;
    for (const [k, v] of Object.entries(headere)) headers[`${EGENDEFINERT_HEADER_PREFIX}${k}`] = v;
    const answer: SendtMelding = {
      meldingId,
      meldingType: meta.meldingType,
      avsenderKontoId: avsender,
      mottakerKontoId: mottaker,
      ...(meta.ttl ? { ttl: meta.ttl } : {}),
      ...(dokumentlagerId ? { dokumentlagerId } : {}),
      ...(meta.svarPaMelding ? { svarPaMelding: String(meta.svarPaMelding).toLowerCase() } : {}),
      headere,
    };
    // Recorded before it is published: the recipient may read it before the broker's confirm comes back.
    const ch = channel;
    if (!ch) throw new HttpError(503, 'Fiks IO er ikke klar');
    const record = { ...answer, bytes: data?.byteLength ?? 0 };
    sent.push(record);
    // Accepted means stored: answer only after the broker confirmed the message.
    await new Promise<void>((resolve, reject) => {
      ch.sendToQueue(
        queueName(mottaker),
        content,
        {
          persistent: true,
          headers,
          messageId: meldingId,
          ...(meta.ttl ? { expiration: String(meta.ttl) } : {}),
        },
        (err) => {
          if (!err) return resolve();
          sent.splice(sent.indexOf(record), 1);
          reject(new HttpError(503, 'Meldingen kunne ikke lagres'));
        },
      );
    });
    return [202, answer];
  }

  function katalogKonto(a: LocalAccount): Konto {
    return {
      kontoId: a.kontoId,
      kontoNavn: a.kontoNavn,
      fiksOrgId: a.fiksOrgId,
      fiksOrgNavn: a.fiksOrgNavn,
      ...(a.organisasjonsnummer ? { organisasjonsnummer: a.organisasjonsnummer } : {}),
      ...(a.kommunenummer ? { kommunenummer: a.kommunenummer } : {}),
      status: { gyldigAvsender: true, gyldigMottaker: true, antallKonsumenter: 1 },
    };
  }

  async function route(req: IncomingMessage, url: URL): Promise<[number, unknown, string?]> {
    const path = url.pathname;
    if (req.method === 'POST' && path === '/fiks-io/api/v1/send') return send(req);
    let m = /^\/fiks-io\/katalog\/api\/v1\/kontoer\/([^/]+)\/offentligNokkel$/.exec(path);
    if (req.method === 'GET' && m) {
      const a = accounts.get(String(m[1]).toLowerCase());
      if (!a) throw new HttpError(404, 'Ukjent konto');
      const x509 = new X509Certificate(a.certificatePem);
      return [
        200,
        {
          nokkel: a.certificatePem,
          validFrom: new Date(x509.validFrom).toISOString(),
          validTo: new Date(x509.validTo).toISOString(),
          serial: x509.serialNumber,
          subjectDN: x509.subject.replace(/\n/g, ', '),
          issuerDN: x509.issuer.replace(/\n/g, ', '),
        },
      ];
    }
    m = /^\/fiks-io\/katalog\/api\/v1\/kontoer\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && m) {
      await authenticate(req);
      const a = accounts.get(String(m[1]).toLowerCase());
      if (!a) throw new HttpError(404, 'Ukjent konto');
      return [200, katalogKonto(a)];
    }
    if (req.method === 'GET' && path === '/fiks-io/katalog/api/v1/lookup') {
      await authenticate(req);
      const identifikator = url.searchParams.get('identifikator') ?? '';
      const protokoll = url.searchParams.get('meldingProtokoll') ?? '';
      const niva = Number(url.searchParams.get('sikkerhetsniva'));
      const [type, value] = identifikator.split('.', 2);
      const found = options.accounts.find(
        (a) =>
          ((type === 'ORG_NO' && a.organisasjonsnummer === value) ||
            (type === 'KOMMUNENUMMER' && a.kommunenummer === value)) &&
          (a.protokoller ?? []).some((p) => p.meldingProtokoll === protokoll && p.sikkerhetsniva >= niva),
      );
      if (!found) throw new HttpError(404, 'Fant ingen konto');
      return [200, katalogKonto(found)];
    }
    m = /^\/dokumentlager\/nedlasting\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && m) {
      const integration = await authenticate(req);
      const doc = dokumentlager.get(String(m[1]).toLowerCase());
      if (!doc || !integration.kontoer.map((k) => k.toLowerCase()).includes(doc.mottakerKontoId))
        throw new HttpError(404, 'Ukjent dokument');
      return [200, doc.data, 'application/octet-stream'];
    }
    m = /^\/amqp-auth\/(user|vhost|resource|topic)$/.exec(path);
    if (req.method === 'POST' && m) return [200, await amqpAuth(String(m[1]), await readBody(req)), 'text/plain'];
    throw new HttpError(404, 'Ukjent adresse');
  }

  /** RabbitMQ's HTTP auth backend: "allow" or "deny" for a login, a vhost, a resource. */
  async function amqpAuth(kind: string, body: Buffer): Promise<string> {
    const p = new URLSearchParams(body.toString());
    const integration = integrations.get(String(p.get('username')).toLowerCase());
    if (!integration) return 'deny';
    if (kind === 'user') {
      const password = p.get('password') ?? '';
      const space = password.indexOf(' ');
      if (space < 0 || password.slice(0, space) !== integration.integrasjonPassord) return 'deny';
      return (await options.verifyToken(password.slice(space + 1))) ? 'allow' : 'deny';
    }
    if (kind === 'vhost') return p.get('vhost') === '/' ? 'allow' : 'deny';
    if (kind === 'resource') {
      const own = integration.kontoer.map((k) => queueName(k.toLowerCase()));
      // Consume (and basic.get) need `read` on the queue; nothing else is granted.
      return p.get('resource') === 'queue' && p.get('permission') === 'read' && own.includes(String(p.get('name')))
        ? 'allow'
        : 'deny';
    }
    return 'deny';
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    route(req, url)
      .then(([status, body, type]) => {
        if (body instanceof Uint8Array) {
          res.writeHead(status, {
            'content-type': type ?? 'application/octet-stream',
            'content-length': body.byteLength,
          });
          res.end(body);
        } else if (type === 'text/plain') {
          res.writeHead(status, { 'content-type': 'text/plain' });
          res.end(String(body));
        } else {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        }
      })
      .catch((error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status, melding: error instanceof HttpError ? error.message : 'Intern feil' }));
      });
  });

  return new Promise((resolve) => {
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      const url = `http://127.0.0.1:${port}`;
      resolve({
        url,
        authUrl: `${url}/amqp-auth`,
        sent,
        async connect() {
          model = await amqp.connect(options.brokerAdminUrl);
          channel = await model.createConfirmChannel();
          for (const a of options.accounts)
            await channel.assertQueue(queueName(a.kontoId.toLowerCase()), { durable: true });
        },
        async close() {
          await new Promise<void>((r) => {
            server.close(() => r());
            server.closeAllConnections();
          });
          await model?.close().catch(() => undefined);
        },
      });
    });
  });
}
