/**
 * Fiks Arkiv V1 over Fiks IO: the message types (schemas/fiks-arkiv-v1/meldingstyper.json, KS's
 * fiks-arkiv-specification) and the small documents of the `innsyn.mappe.hent` exchange, used to find a folder by
 * its external key before creating it (what KS's own integration tests do for a reused folder).
 * The receipt itself is read by shared/targets/fiks-arkiv-receipt.ts.
 */
import { XMLParser } from 'fast-xml-parser';

export const FIKS_ARKIV_PROTOKOLL = 'no.ks.fiks.arkiv.v1';

export const MeldingType = {
  arkivmeldingOpprett: 'no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett',
  arkivmeldingOpprettMottatt: 'no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.mottatt',
  arkivmeldingOpprettKvittering: 'no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering',
  mappeHent: 'no.ks.fiks.arkiv.v1.innsyn.mappe.hent',
  mappeHentResultat: 'no.ks.fiks.arkiv.v1.innsyn.mappe.hent.resultat',
  ugyldigforespoersel: 'no.ks.fiks.arkiv.v1.feilmelding.ugyldigforespoersel',
  serverfeil: 'no.ks.fiks.arkiv.v1.feilmelding.serverfeil',
  ikkefunnet: 'no.ks.fiks.arkiv.v1.feilmelding.ikkefunnet',
} as const;

/** Payload file names, per message type. */
export const PayloadFil = {
  arkivmelding: 'arkivmelding.xml',
  kvittering: 'arkivmelding-kvittering.xml',
  mappeHent: 'mappe-hent.xml',
  /** KS.Fiks.Arkiv.Models: FiksArkivPayloadHelper names every innsyn result `resultat.xml` */
  mappeHentResultat: 'resultat.xml',
  feilmelding: 'feilmelding.xml',
} as const;

const NS = {
  mappeHent: 'https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/mappe/hent/v1',
  metadata: 'https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1',
  feil: {
    ugyldigforespoersel: 'https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/ugyldigforespoersel/v1',
    serverfeil: 'https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/serverfeil/v1',
    ikkefunnet: 'https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/ikkefunnet/v1',
  },
} as const;

export interface EksternNoekkel {
  fagsystem: string;
  noekkel: string;
}

/**
 * `mappe-hent.xml` (no.ks.fiks.arkiv.v1.innsyn.mappe.hent.xsd): fetch a mappe by its external key. `system` names
 * the asking system. `referanseTilMappe` is the metadatakatalog's type, so its children are in that namespace.
 */
export function mappeHentXml(system: string, key: EksternNoekkel): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<mappeHent xmlns="${NS.mappeHent}" xmlns:n5mdk="${NS.metadata}">\n` +
    `  <system>${esc(system)}</system>\n` +
    `  <referanseTilMappe>\n` +
    `    <n5mdk:referanseEksternNoekkel>\n` +
    `      <n5mdk:fagsystem>${esc(key.fagsystem)}</n5mdk:fagsystem>\n` +
    `      <n5mdk:noekkel>${esc(key.noekkel)}</n5mdk:noekkel>\n` +
    `    </n5mdk:referanseEksternNoekkel>\n` +
    `  </referanseTilMappe>\n` +
    `</mappeHent>\n`
  );
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  processEntities: true,
  htmlEntities: false,
});

function parse(xml: string): Record<string, unknown> | undefined {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) return undefined;
  try {
    return parser.parse(xml) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function child(node: unknown, key: string): unknown {
  return node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
}

function text(node: unknown): string | undefined {
  if (typeof node === 'string') return node.trim() || undefined;
  if (node && typeof node === 'object') return text((node as Record<string, unknown>)['#text']);
  return undefined;
}

/** The external key asked for in a `mappe-hent.xml`, if it asks by one. */
export function readMappeHent(xml: string): EksternNoekkel | undefined {
  const key = child(child(child(parse(xml), 'mappeHent'), 'referanseTilMappe'), 'referanseEksternNoekkel');
  const fagsystem = text(child(key, 'fagsystem'));
  const noekkel = text(child(key, 'noekkel'));
  return fagsystem && noekkel ? { fagsystem, noekkel } : undefined;
}

export interface FunnetMappe {
  systemID: string;
  saksnummer?: string;
  tittel?: string;
}

/** A `mappe.xml` (mappeHentResultat) answer: the folder found, saksmappe or mappe. */
export function readMappeHentResultat(xml: string): FunnetMappe | undefined {
  const resultat = child(parse(xml), 'mappeHentResultat');
  const mappe = child(resultat, 'saksmappe') ?? child(resultat, 'mappe');
  const systemID = text(child(mappe, 'systemID'));
  if (!systemID) return undefined;
  const saksaar = text(child(mappe, 'saksaar'));
  const sekvens = text(child(mappe, 'sakssekvensnummer'));
  const tittel = text(child(mappe, 'tittel'));
  return {
    systemID,
    ...(saksaar && sekvens ? { saksnummer: `${saksaar}/${sekvens}` } : {}),
    ...(tittel ? { tittel } : {}),
  };
}

/** The new mappe's external key in an arkivmelding (the folder a reused-folder form type files into), if any. */
export function mappeKeyOf(arkivmeldingXml: string): EksternNoekkel | undefined {
  const mappe = child(child(parse(arkivmeldingXml), 'arkivmelding'), 'mappe');
  const key = child(Array.isArray(mappe) ? mappe[0] : mappe, 'referanseEksternNoekkel');
  const fagsystem = text(child(key, 'fagsystem'));
  const noekkel = text(child(key, 'noekkel'));
  return fagsystem && noekkel ? { fagsystem, noekkel } : undefined;
}

/** The hub's own arkivmelding cannot be turned into one that files into an existing mappe. */
export class ArkivmeldingShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArkivmeldingShapeError';
  }
}

/**
 * The arkivmelding for a journalpost filed into a mappe the archive already has (found by `innsyn.mappe.hent`): the
 * new `<mappe>` left out, and the journalpost's `referanseForelderMappe` pointing at the mappe's systemID, as KS's
 * integration tests file into an existing saksmappe. Works on the hub's own writer's output (one mappe, one
 * registrering pointing at it by external key); anything else is an ArkivmeldingShapeError. Pure.
 */
export function fileIntoExistingMappe(arkivmeldingXml: string, mappeSystemID: string): string {
  const mapper = elementSpans(arkivmeldingXml, 'mappe');
  if (mapper.length !== 1) throw new ArkivmeldingShapeError(`expected one mappe, found ${mapper.length}`);
  const references = elementSpans(arkivmeldingXml, 'referanseForelderMappe');
  if (references.length !== 1) {
    throw new ArkivmeldingShapeError(`expected one referanseForelderMappe, found ${references.length}`);
  }
  const [mappe] = mapper as [Span];
  const [forelder] = references as [Span];
  // The mappe's trailing whitespace goes with it.
  let mappeEnd = mappe.end;
  while (mappeEnd < arkivmeldingXml.length && /\s/.test(arkivmeldingXml[mappeEnd] as string)) mappeEnd++;
  // referanseTilMappe is the metadatakatalog's type: its systemID is in that namespace, whatever prefix the document
  // uses for it.
  const reference = `<referanseForelderMappe><systemID xmlns="${NS.metadata}">${esc(mappeSystemID)}</systemID></referanseForelderMappe>`;
  const cuts = [
    { ...mappe, end: mappeEnd, with: '' },
    { ...forelder, with: reference },
  ].sort((x, y) => y.start - x.start);
  let xml = arkivmeldingXml;
  for (const cut of cuts) xml = xml.slice(0, cut.start) + cut.with + xml.slice(cut.end);
  return xml;
}

interface Span {
  start: number;
  end: number;
}

/**
 * Where each `<name …>…</name>` of the hub's own writer's output is (not nested in itself), found by scanning: a
 * lazy regular expression over the whole document would backtrack quadratically (test/security/redos.test.ts).
 */
function elementSpans(xml: string, name: string): Span[] {
  const spans: Span[] = [];
  const open = `<${name}`;
  const close = `</${name}>`;
  let from = 0;
  for (;;) {
    const start = xml.indexOf(open, from);
    if (start < 0) return spans;
    const next = xml[start + open.length];
    if (next !== '>' && next !== ' ' && next !== '\n' && next !== '\t' && next !== '\r') {
      from = start + open.length;
      continue;
    }
    const stop = xml.indexOf(close, start + open.length);
    if (stop < 0) return spans;
    spans.push({ start, end: stop + close.length });
    from = stop + close.length;
  }
}

export type FeilType = 'ugyldigforespoersel' | 'serverfeil' | 'ikkefunnet';

/** `feilmelding.xml` of one of the protocol's error messages. */
export function feilmeldingXml(type: FeilType, feilId: string, feilmelding: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<${type} xmlns="${NS.feil[type]}" xmlns:feil="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1">\n` +
    `  <feil:feilId>${esc(feilId)}</feil:feilId>\n` +
    `  <feil:feilmelding>${esc(feilmelding)}</feil:feilmelding>\n` +
    `</${type}>\n`
  );
}

export function esc(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
