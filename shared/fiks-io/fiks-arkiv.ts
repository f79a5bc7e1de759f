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
  mappeHentResultat: 'mappe.xml',
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

/** `mappe-hent.xml`: fetch a mappe by its external key. `system` names the asking system. */
export function mappeHentXml(system: string, key: EksternNoekkel): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<mappeHent xmlns="${NS.mappeHent}">\n` +
    `  <system>${esc(system)}</system>\n` +
    `  <referanseTilMappe>\n` +
    `    <referanseEksternNoekkel>\n` +
    `      <fagsystem xmlns="${NS.metadata}">${esc(key.fagsystem)}</fagsystem>\n` +
    `      <noekkel xmlns="${NS.metadata}">${esc(key.noekkel)}</noekkel>\n` +
    `    </referanseEksternNoekkel>\n` +
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
