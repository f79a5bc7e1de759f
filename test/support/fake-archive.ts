import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { validateFiksArkivV1 } from '../../shared/noark/validate.ts';

/**
 * A real HTTP archive for tests: receives multipart arkivmeldinger, validates each against the Fiks Arkiv V1 XSD,
 * keeps what it receives, de-duplicates on the journalpost's referanseEksternNoekkel, files under the case folder's
 * key, answers with an `arkivmeldingKvittering`, and can be told to fail.
 */
export type Fault = 'ok' | 'unavailable' | 'serverfeil' | 'timeout' | 'reject' | 'drop-after-accept' | 'redirect';

export interface StoredJournalpost {
  key: string;
  saksnummer: string;
  journalpostnummer: number;
  arkivmelding: string;
  files: string[];
  authorization: string | undefined;
  receivedTimes: number;
}

const KVITTERING_NS = 'https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1';
const MDK_NS = 'https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1';
const FEIL_NS = 'https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1';
const parser = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false });

export async function startFakeArchive(options: { hangMs?: number } = {}) {
  const journalposts = new Map<string, StoredJournalpost>();
  const folders = new Map<string, { saksnummer: string; systemID: string; count: number }>();
  let sequence = { sak: 0, journal: 0 };
  let decide: (call: number) => Fault = () => 'ok';
  let calls = 0;
  const faultsSeen: Record<Fault, number> = {
    ok: 0,
    unavailable: 0,
    serverfeil: 0,
    timeout: 0,
    reject: 0,
    'drop-after-accept': 0,
    redirect: 0,
  };
  /** Where a 'redirect' answer (307) points */
  let redirectLocation = 'http://127.0.0.1:9/';
  const hangMs = options.hangMs ?? 60_000;
  /** When set, any other Authorization header is answered 401 (a rotated token) */
  let acceptedAuthorization: string | undefined;

  const server = createServer(async (req, res) => {
    const call = ++calls;
    try {
      if (acceptedAuthorization !== undefined && req.headers.authorization !== acceptedAuthorization) {
        req.resume();
        return send(res, 401, 'text/plain', 'Ugyldig nøkkel');
      }
      const fault = decide(call);
      faultsSeen[fault]++;
      if (fault === 'unavailable') return send(res, 503, 'text/plain', 'Arkivet er nede for vedlikehold');
      if (fault === 'redirect') {
        res.writeHead(307, { location: redirectLocation });
        res.end();
        return;
      }
      if (fault === 'serverfeil') return send(res, 500, 'application/xml', feil('serverfeil', 'Databasen svarer ikke'));
      const body = await readBody(req);
      const form = await new Request('http://archive/', {
        method: 'POST',
        headers: { 'content-type': req.headers['content-type'] ?? '' },
        body,
      }).formData();
      const melding = form.get('arkivmelding');
      if (!(melding instanceof Blob))
        return send(res, 400, 'application/xml', feil('ugyldigforespoersel', 'Mangler arkivmelding'));
      const xml = await melding.text();
      if (fault === 'reject') {
        return send(
          res,
          400,
          'application/xml',
          feil('ugyldigforespoersel', 'Mottakers postnummer mangler på korrespondansepart'),
        );
      }
      const validation = await validateFiksArkivV1(xml);
      if (!validation.valid) {
        return send(
          res,
          400,
          'application/xml',
          feil('ugyldigforespoersel', `Ugyldig arkivmelding: ${validation.errors[0]?.message}`),
        );
      }
      const files = form.getAll('dokument').map((f) => (f as File).name);
      const receipt = store(xml, files, req.headers.authorization);
      if (fault === 'drop-after-accept') {
        req.socket.destroy();
        return;
      }
      if (fault === 'timeout') {
        setTimeout(() => send(res, 200, 'application/xml', receipt), hangMs).unref();
        return;
      }
      send(res, 200, 'application/xml', receipt);
    } catch (error) {
      send(res, 500, 'application/xml', feil('serverfeil', (error as Error).message));
    }
  });

  function store(xml: string, files: string[], authorization: string | undefined): string {
    const doc = parser.parse(xml).arkivmelding;
    const jp = doc.registrering;
    const key = `${jp.referanseEksternNoekkel.fagsystem}/${jp.referanseEksternNoekkel.noekkel}`;
    const folderKey = doc.mappe
      ? `${doc.mappe.referanseEksternNoekkel.fagsystem}/${doc.mappe.referanseEksternNoekkel.noekkel}`
      : key;
    const existing = journalposts.get(key);
    if (existing) {
      existing.receivedTimes++;
      return kvittering(existing, folders.get(folderKey), 'Eksisterende', 'Eksisterende');
    }
    let folder = folders.get(folderKey);
    const folderStatus = folder ? 'Eksisterende' : 'Opprettet';
    if (!folder) {
      sequence = { ...sequence, sak: sequence.sak + 1 };
      folder = { saksnummer: `2026/${sequence.sak}`, systemID: randomUUID(), count: 0 };
      folders.set(folderKey, folder);
    }
    folder.count++;
    sequence = { ...sequence, journal: sequence.journal + 1 };
    const record: StoredJournalpost = {
      key,
      saksnummer: folder.saksnummer,
      journalpostnummer: folder.count,
      arkivmelding: xml,
      files,
      authorization,
      receivedTimes: 1,
    };
    journalposts.set(key, record);
    return kvittering(record, folder, folderStatus, 'Opprettet');
  }

  function kvittering(
    record: StoredJournalpost,
    folder: { saksnummer: string; systemID: string } | undefined,
    folderStatus: string,
    status: string,
  ): string {
    const [saksaar, sakssekvensnummer] = record.saksnummer.split('/');
    const [fagsystem, ...rest] = record.key.split('/');
    return `<?xml version="1.0" encoding="utf-8"?>
<arkivmeldingKvittering xmlns="${KVITTERING_NS}" xmlns:n5mdk="${MDK_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <mappeKvittering xsi:type="saksmappeKvittering">
    <systemID>${folder?.systemID ?? randomUUID()}</systemID>
    <opprettetEllerEksisterende>${folderStatus}</opprettetEllerEksisterende>
    <saksaar>${saksaar}</saksaar>
    <sakssekvensnummer>${sakssekvensnummer}</sakssekvensnummer>
  </mappeKvittering>
  <registreringKvittering xsi:type="journalpostKvittering">
    <systemID>${randomUUID()}</systemID>
    <referanseEksternNoekkel>
      <n5mdk:fagsystem>${fagsystem}</n5mdk:fagsystem>
      <n5mdk:noekkel>${rest.join('/')}</n5mdk:noekkel>
    </referanseEksternNoekkel>
    <opprettetEllerEksisterende>${status}</opprettetEllerEksisterende>
    <journalaar>${saksaar}</journalaar>
    <journalsekvensnummer>${record.journalpostnummer + 1000}</journalsekvensnummer>
    <journalpostnummer>${record.journalpostnummer}</journalpostnummer>
  </registreringKvittering>
</arkivmeldingKvittering>`;
  }

  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/arkivmelding`,
    journalposts,
    faultsSeen,
    get calls() {
      return calls;
    },
    /** Decide the fault of each call (1-based call number); default: every call succeeds. */
    behave(next: (call: number) => Fault) {
      decide = next;
    },
    /** Accept only this Authorization header (others get 401), as after a rotation; undefined accepts any. */
    acceptOnly(authorization: string | undefined) {
      acceptedAuthorization = authorization;
    },
    /** A 'redirect' answers 307 with this Location. */
    redirectTo(location: string) {
      redirectLocation = location;
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

export type FakeArchive = Awaited<ReturnType<typeof startFakeArchive>>;

function feil(type: 'ugyldigforespoersel' | 'serverfeil', message: string): string {
  const ns = `https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/${type}/v1`;
  return `<?xml version="1.0" encoding="utf-8"?>
<${type} xmlns="${ns}" xmlns:f="${FEIL_NS}"><f:feilId>${randomUUID()}</f:feilId><f:feilmelding>${message
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')}</f:feilmelding></${type}>`;
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': `${contentType}; charset=utf-8` });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
