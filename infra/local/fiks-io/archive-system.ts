/**
 * A simulated sak/arkiv system on its own Fiks IO account, answering Fiks Arkiv V1 the way the protocol says:
 * `arkivmelding.opprett` is decrypted and verified (signature, manifest), its arkivmelding.xml validated against the
 * official XSD and its referanseDokumentfil checked against the package, then answered `...opprett.mottatt` and
 * `...opprett.kvittering` with the archive's own numbers. It de-duplicates on referanseEksternNoekkel (a repeat is
 * `Eksisterende` with the first numbers), answers `innsyn.mappe.hent` by external key (`ikkefunnet` if none), and can
 * be told to misbehave: reject, server error, no reply, duplicate replies, replies out of order, redelivery.
 */
import { randomUUID } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import type { AsicFile } from '../../../shared/fiks-io/asic.ts';
import { createFiksIoSender, type FiksIoApi } from '../../../shared/fiks-io/client.ts';
import type { KeyPairIdentity } from '../../../shared/fiks-io/cms.ts';
import {
  type EksternNoekkel,
  esc,
  type FeilType,
  feilmeldingXml,
  MeldingType,
  PayloadFil,
  readMappeHent,
} from '../../../shared/fiks-io/fiks-arkiv.ts';
import type { TokenProvider } from '../../../shared/fiks-io/maskinporten.ts';
import { createFiksIoReceiver, type ReceivedMessage, type ReceiverLog } from '../../../shared/fiks-io/receiver.ts';
import { validateFiksArkivV1 } from '../../../shared/noark/validate.ts';

export type ArchiveFault =
  | 'ugyldigforespoersel'
  | 'serverfeil'
  | 'noReply'
  | 'duplicateReplies'
  | 'outOfOrder'
  | 'redeliver';

export interface ArchivedMappe {
  systemID: string;
  opprettetDato: string;
  saksaar: number;
  sakssekvensnummer: number;
  tittel: string;
  key?: string;
}

export interface ArchivedJournalpost {
  systemID: string;
  journalaar: number;
  journalsekvensnummer: number;
  journalpostnummer: number;
  tittel: string;
  key?: string;
  mappeSystemID?: string;
  dokumenter: string[];
  /** The Fiks IO message that created it. */
  meldingId: string;
}

export interface SimulatedArchiveOptions {
  api: FiksIoApi;
  amqpUrl: string;
  kontoId: string;
  integrasjonId: string;
  integrasjonPassord: string;
  tokens: TokenProvider;
  /** The account's key pair: decrypts requests, signs replies. */
  identity: KeyPairIdentity;
  /** Decide a fault for each incoming request (after the queue of `injectFaults`). */
  faultPolicy?: (message: ReceivedMessage) => ArchiveFault | undefined;
  log?: ReceiverLog;
  now?: () => Date;
}

export interface SimulatedArchive {
  start(): Promise<void>;
  close(): Promise<void>;
  /** The next incoming records (arkivmelding.opprett) get these faults, in order. */
  injectFaults(...faults: ArchiveFault[]): void;
  mapper(): ArchivedMappe[];
  journalposter(): ArchivedJournalpost[];
  /** Requests seen (every delivery, redeliveries included) and replies sent. */
  stats: { deliveries: number; redeliveries: number; replies: number; refused: number; lookups: number };
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => ['mappe', 'registrering', 'dokumentbeskrivelse', 'dokumentobjekt'].includes(name),
});

type Node = Record<string, unknown>;
const child = (n: unknown, k: string): unknown => (n && typeof n === 'object' ? (n as Node)[k] : undefined);
const text = (n: unknown): string | undefined =>
  typeof n === 'string' ? n.trim() || undefined : n && typeof n === 'object' ? text((n as Node)['#text']) : undefined;
const list = (n: unknown): unknown[] => (Array.isArray(n) ? n : n === undefined ? [] : [n]);

function keyOf(ref: unknown): string | undefined {
  const fagsystem = text(child(ref, 'fagsystem'));
  const noekkel = text(child(ref, 'noekkel'));
  return fagsystem && noekkel ? `${fagsystem}\u0000${noekkel}` : undefined;
}

class Rejection extends Error {
  readonly type: FeilType;
  constructor(type: FeilType, message: string) {
    super(message);
    this.type = type;
  }
}

class RedeliverOnce extends Error {}

/** The answer to `innsyn.mappe.hent`: the saksmappe as no.ks.fiks.arkiv.v1.innsyn.mappe.hent.resultat.xsd has it. */
export function mappeHentResultatXml(mappe: ArchivedMappe): string {
  const [fagsystem, noekkel] = mappe.key?.split('\u0000') ?? [];
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<mappeHentResultat xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/mappe/hent/resultat/v1" xmlns:a="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivstruktur/v1" xmlns:n5mdk="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1">\n` +
    `  <saksmappe>\n` +
    `    <a:systemID>${mappe.systemID}</a:systemID>\n` +
    `    <a:mappeID>${mappe.saksaar}/${mappe.sakssekvensnummer}</a:mappeID>\n` +
    `    <a:tittel>${esc(mappe.tittel)}</a:tittel>\n` +
    `    <a:opprettetDato>${mappe.opprettetDato}</a:opprettetDato>\n` +
    `    <a:opprettetAv>Simulert arkivsystem</a:opprettetAv>\n` +
    (fagsystem && noekkel
      ? `    <a:referanseEksternNoekkel>\n` +
        `      <n5mdk:fagsystem>${esc(fagsystem)}</n5mdk:fagsystem>\n` +
        `      <n5mdk:noekkel>${esc(noekkel)}</n5mdk:noekkel>\n` +
        `    </a:referanseEksternNoekkel>\n`
      : '') +
    `    <a:saksaar>${mappe.saksaar}</a:saksaar>\n` +
    `    <a:sakssekvensnummer>${mappe.sakssekvensnummer}</a:sakssekvensnummer>\n` +
    `    <a:saksdato>${mappe.opprettetDato.slice(0, 10)}</a:saksdato>\n` +
    `    <a:administrativEnhet><n5mdk:navn>Arkivet</n5mdk:navn></a:administrativEnhet>\n` +
    `    <a:saksansvarlig><n5mdk:navn>Arkivet</n5mdk:navn></a:saksansvarlig>\n` +
    `    <a:saksstatus><n5mdk:kode>B</n5mdk:kode></a:saksstatus>\n` +
    `  </saksmappe>\n` +
    `</mappeHentResultat>\n`
  );
}

export function createSimulatedArchive(options: SimulatedArchiveOptions): SimulatedArchive {
  const sender = createFiksIoSender({ api: options.api, kontoId: options.kontoId, signer: options.identity });
  const now = options.now ?? (() => new Date());
  const mapper = new Map<string, ArchivedMappe>();
  const mapperByKey = new Map<string, ArchivedMappe>();
  const journalposter = new Map<string, ArchivedJournalpost>();
  const journalposterByKey = new Map<string, ArchivedJournalpost>();
  const injected: ArchiveFault[] = [];
  const redelivering = new Set<string>();
  const stats = { deliveries: 0, redeliveries: 0, replies: 0, refused: 0, lookups: 0 };
  let saksSekvens = 0;
  let journalSekvens = 0;

  async function reply(request: ReceivedMessage, meldingType: string, files?: AsicFile[]): Promise<void> {
    await sender.send({
      mottakerKontoId: request.avsenderKontoId,
      meldingType,
      svarPaMelding: request.meldingId,
      ...(files ? { files } : {}),
      // KS's SvarSender passes the asker's correlation id back.
      ...(request.headere.klientKorrelasjonsId
        ? { headere: { klientKorrelasjonsId: request.headere.klientKorrelasjonsId } }
        : {}),
    });
    stats.replies++;
  }

  const feil = (type: FeilType, message: string): AsicFile[] => [
    { name: PayloadFil.feilmelding, data: Buffer.from(feilmeldingXml(type, randomUUID(), message)) },
  ];

  async function opprett(request: ReceivedMessage): Promise<AsicFile[]> {
    const xmlFile = request.files.find((f) => f.name === PayloadFil.arkivmelding);
    if (!xmlFile) throw new Rejection('ugyldigforespoersel', 'Meldingen mangler arkivmelding.xml');
    const xml = Buffer.from(xmlFile.data).toString('utf8');
    const validation = await validateFiksArkivV1(xml);
    if (!validation.valid)
      throw new Rejection(
        'ugyldigforespoersel',
        `arkivmelding.xml er ikke gyldig: ${validation.errors
          .map((e) => e.message)
          .join('; ')
          .slice(0, 400)}`,
      );
    const doc = child(parser.parse(xml), 'arkivmelding');
    const mapperIn = list(child(doc, 'mappe'));
    const registreringer = list(child(doc, 'registrering'));
    if (mapperIn.length > 1 || registreringer.length > 1 || mapperIn.length + registreringer.length === 0)
      throw new Rejection('ugyldigforespoersel', 'Én mappe og/eller én registrering per melding');
    const names = new Set(request.files.map((f) => f.name));
    for (const r of registreringer)
      for (const d of list(child(r, 'dokumentbeskrivelse')))
        for (const o of list(child(d, 'dokumentobjekt'))) {
          const ref = text(child(o, 'referanseDokumentfil'));
          if (!ref || !names.has(ref))
            throw new Rejection('ugyldigforespoersel', `Dokumentfilen ${ref ?? '(uten navn)'} finnes ikke i meldingen`);
        }

    const year = now().getFullYear();
    let mappeKvittering = '';
    let mappe: ArchivedMappe | undefined;
    const mappeIn = mapperIn[0];
    if (mappeIn) {
      const key = keyOf(child(mappeIn, 'referanseEksternNoekkel'));
      const existing = key ? mapperByKey.get(key) : undefined;
      mappe = existing ?? {
        systemID: randomUUID(),
        opprettetDato: now().toISOString(),
        saksaar: year,
        sakssekvensnummer: ++saksSekvens,
        tittel: text(child(mappeIn, 'tittel')) ?? '',
        ...(key ? { key } : {}),
      };
      if (!existing) {
        mapper.set(mappe.systemID, mappe);
        if (key) mapperByKey.set(key, mappe);
      }
      mappeKvittering =
        `  <mappeKvittering xsi:type="saksmappeKvittering">\n` +
        `    <systemID>${mappe.systemID}</systemID>\n` +
        `    <opprettetEllerEksisterende>${existing ? 'Eksisterende' : 'Opprettet'}</opprettetEllerEksisterende>\n` +
        `    <saksaar>${mappe.saksaar}</saksaar>\n` +
        `    <sakssekvensnummer>${mappe.sakssekvensnummer}</sakssekvensnummer>\n` +
        `  </mappeKvittering>\n`;
    }
    let registreringKvittering = '';
    const reg = registreringer[0];
    if (reg) {
      const parentKey = keyOf(child(child(reg, 'referanseForelderMappe'), 'referanseEksternNoekkel'));
      const parentSystemID = text(child(child(reg, 'referanseForelderMappe'), 'systemID'));
      const parent =
        mappe ?? (parentKey ? mapperByKey.get(parentKey) : parentSystemID ? mapper.get(parentSystemID) : undefined);
      if ((parentKey || parentSystemID) && !parent)
        throw new Rejection('ugyldigforespoersel', 'Fant ikke mappen journalposten skal ligge i');
      const key = keyOf(child(reg, 'referanseEksternNoekkel'));
      const existing = key ? journalposterByKey.get(key) : undefined;
      const jp: ArchivedJournalpost = existing ?? {
        systemID: randomUUID(),
        journalaar: year,
        journalsekvensnummer: ++journalSekvens,
        journalpostnummer: journalSekvens,
        tittel: text(child(reg, 'tittel')) ?? '',
        dokumenter: list(child(reg, 'dokumentbeskrivelse')).flatMap((d) =>
          list(child(d, 'dokumentobjekt')).map((o) => text(child(o, 'referanseDokumentfil')) ?? ''),
        ),
        meldingId: request.meldingId,
        ...(key ? { key } : {}),
        ...(parent ? { mappeSystemID: parent.systemID } : {}),
      };
      if (!existing) {
        journalposter.set(jp.systemID, jp);
        if (key) journalposterByKey.set(key, jp);
      }
      registreringKvittering =
        `  <registreringKvittering xsi:type="journalpostKvittering">\n` +
        `    <systemID>${jp.systemID}</systemID>\n` +
        `    <opprettetEllerEksisterende>${existing ? 'Eksisterende' : 'Opprettet'}</opprettetEllerEksisterende>\n` +
        `    <journalaar>${jp.journalaar}</journalaar>\n` +
        `    <journalsekvensnummer>${jp.journalsekvensnummer}</journalsekvensnummer>\n` +
        `    <journalpostnummer>${jp.journalpostnummer}</journalpostnummer>\n` +
        `  </registreringKvittering>\n`;
    }
    const kvittering =
      `<?xml version="1.0" encoding="UTF-8"?>\n` +
      `<arkivmeldingKvittering xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n` +
      mappeKvittering +
      registreringKvittering +
      `</arkivmeldingKvittering>\n`;
    return [{ name: PayloadFil.kvittering, data: Buffer.from(kvittering) }];
  }

  function mappeHent(request: ReceivedMessage): AsicFile[] {
    stats.lookups++;
    const xmlFile = request.files.find((f) => f.name === PayloadFil.mappeHent);
    const key: EksternNoekkel | undefined = xmlFile
      ? readMappeHent(Buffer.from(xmlFile.data).toString('utf8'))
      : undefined;
    if (!key) throw new Rejection('ugyldigforespoersel', 'mappe-hent.xml mangler referanseEksternNoekkel');
    const mappe = mapperByKey.get(`${key.fagsystem}\u0000${key.noekkel}`);
    if (!mappe) throw new Rejection('ikkefunnet', 'Fant ingen mappe med denne eksterne nøkkelen');
    const xml = mappeHentResultatXml(mappe);
    return [{ name: PayloadFil.mappeHentResultat, data: Buffer.from(xml) }];
  }

  async function onMessage(request: ReceivedMessage): Promise<void> {
    stats.deliveries++;
    if (request.redelivered) stats.redeliveries++;
    if (request.meldingType !== MeldingType.arkivmeldingOpprett && request.meldingType !== MeldingType.mappeHent) {
      await reply(request, MeldingType.ugyldigforespoersel, feil('ugyldigforespoersel', 'Ukjent meldingstype'));
      return;
    }
    // Injected faults are for the records (what a test sends); the policy may fault lookups as well.
    const record = request.meldingType === MeldingType.arkivmeldingOpprett;
    const fault = redelivering.has(request.meldingId)
      ? undefined
      : ((record ? injected.shift() : undefined) ?? options.faultPolicy?.(request));
    if (fault === 'redeliver') {
      // Fail this delivery without ack: the broker delivers it again (redelivered), and then it is handled.
      redelivering.add(request.meldingId);
      throw new RedeliverOnce('simulated crash before ack');
    }
    redelivering.delete(request.meldingId);
    if (fault === 'noReply') return;
    if (request.meldingType === MeldingType.mappeHent) {
      // An innsyn question: answered once (no mottatt), with the folder or ikkefunnet; it can fail like the rest.
      if (fault === 'serverfeil' || fault === 'ugyldigforespoersel') {
        await reply(request, MeldingType[fault], feil(fault, 'Arkivet kunne ikke svare på spørsmålet (simulert)'));
        return;
      }
      let answer: [string, AsicFile[]];
      try {
        answer = [MeldingType.mappeHentResultat, mappeHent(request)];
      } catch (error) {
        if (!(error instanceof Rejection)) throw error;
        answer = [MeldingType[error.type], feil(error.type, error.message)];
      }
      await reply(request, ...answer);
      if (fault === 'duplicateReplies') await reply(request, ...answer);
      return;
    }
    if (fault === 'serverfeil') {
      await reply(request, MeldingType.arkivmeldingOpprettMottatt);
      await reply(request, MeldingType.serverfeil, feil('serverfeil', 'Arkivet er midlertidig utilgjengelig'));
      return;
    }
    if (fault === 'ugyldigforespoersel') {
      await reply(
        request,
        MeldingType.ugyldigforespoersel,
        feil('ugyldigforespoersel', 'Avvist av arkivet (simulert)'),
      );
      return;
    }
    let kvittering: AsicFile[];
    try {
      kvittering = await opprett(request);
    } catch (error) {
      if (!(error instanceof Rejection)) throw error;
      await reply(request, MeldingType[error.type], feil(error.type, error.message));
      return;
    }
    if (fault === 'outOfOrder') {
      await reply(request, MeldingType.arkivmeldingOpprettKvittering, kvittering);
      await reply(request, MeldingType.arkivmeldingOpprettMottatt);
      return;
    }
    await reply(request, MeldingType.arkivmeldingOpprettMottatt);
    await reply(request, MeldingType.arkivmeldingOpprettKvittering, kvittering);
    if (fault === 'duplicateReplies') {
      await reply(request, MeldingType.arkivmeldingOpprettMottatt);
      await reply(request, MeldingType.arkivmeldingOpprettKvittering, kvittering);
    }
  }

  const receiver = createFiksIoReceiver({
    amqpUrl: options.amqpUrl,
    kontoId: options.kontoId,
    integrasjonId: options.integrasjonId,
    integrasjonPassord: options.integrasjonPassord,
    tokens: options.tokens,
    keys: [options.identity],
    api: options.api,
    onMessage,
    onRefused: () => {
      stats.refused++;
    },
    requeueDelayMs: 20,
    ...(options.log ? { log: options.log } : {}),
  });

  return {
    start: () => receiver.start(),
    close: () => receiver.close(),
    injectFaults(...faults) {
      injected.push(...faults);
    },
    mapper: () => [...mapper.values()],
    journalposter: () => [...journalposter.values()],
    stats,
  };
}
