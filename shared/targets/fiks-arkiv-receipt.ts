import { XMLParser } from 'fast-xml-parser';
import type { References } from '../store/records.ts';

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  processEntities: false,
  ignoreDeclaration: true,
});

export type FiksArkivAnswer =
  | { kind: 'kvittering'; references: References; existing: boolean }
  | {
      kind: 'feil';
      type: 'ugyldigforespoersel' | 'ikkefunnet' | 'serverfeil' | 'registreringFeilet' | 'mappeFeilet';
      feilId?: string;
      feilmelding: string;
    }
  | { kind: 'ukjent' };

/** Reads a Fiks Arkiv V1 answer: the `arkivmeldingKvittering`, or one of the protocol's error messages. */
export function readFiksArkivAnswer(xml: string): FiksArkivAnswer {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) return { kind: 'ukjent' };
  let doc: Record<string, any>;
  try {
    doc = parser.parse(xml);
  } catch {
    return { kind: 'ukjent' };
  }
  for (const type of ['ugyldigforespoersel', 'ikkefunnet', 'serverfeil'] as const) {
    const feil = doc[type];
    if (feil) return { kind: 'feil', type, feilId: text(feil.feilId), feilmelding: text(feil.feilmelding) ?? type };
  }
  const kvittering = doc.arkivmeldingKvittering;
  if (!kvittering || typeof kvittering !== 'object') return { kind: 'ukjent' };
  for (const failed of ['registreringFeilet', 'mappeFeilet'] as const) {
    const feil = kvittering[failed];
    if (feil)
      return { kind: 'feil', type: failed, feilId: text(feil.feilId), feilmelding: text(feil.feilmelding) ?? failed };
  }
  const registrering = kvittering.registreringKvittering;
  if (!registrering) return { kind: 'ukjent' };
  const mappe = kvittering.mappeKvittering;
  const references: References = {};
  const set = (key: string, value: unknown) => {
    const t = text(value);
    if (t) references[key] = t;
  };
  set('journalpostSystemID', registrering.systemID);
  set('journalpostnummer', registrering.journalpostnummer);
  if (text(registrering.journalaar) && text(registrering.journalsekvensnummer)) {
    references.journalnummer = `${text(registrering.journalaar)}/${text(registrering.journalsekvensnummer)}`;
  }
  if (mappe) {
    set('mappeSystemID', mappe.systemID);
    if (text(mappe.saksaar) && text(mappe.sakssekvensnummer)) {
      references.saksnummer = `${text(mappe.saksaar)}/${text(mappe.sakssekvensnummer)}`;
    }
    set('saksmappe', mappe.opprettetEllerEksisterende);
  }
  const status = text(registrering.opprettetEllerEksisterende);
  set('opprettetEllerEksisterende', status);
  return { kind: 'kvittering', references, existing: status === 'Eksisterende' };
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object') return text((value as Record<string, unknown>)['#text']);
  const t = String(value).trim();
  return t === '' ? undefined : t;
}
