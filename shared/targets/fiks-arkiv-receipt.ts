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
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch {
    return { kind: 'ukjent' };
  }
  for (const type of ['ugyldigforespoersel', 'ikkefunnet', 'serverfeil'] as const) {
    const feil = at(doc, type);
    if (feil)
      return {
        kind: 'feil',
        type,
        feilId: text(at(feil, 'feilId')),
        feilmelding: text(at(feil, 'feilmelding')) ?? type,
      };
  }
  const kvittering = at(doc, 'arkivmeldingKvittering');
  if (!kvittering || typeof kvittering !== 'object') return { kind: 'ukjent' };
  for (const failed of ['registreringFeilet', 'mappeFeilet'] as const) {
    const feil = at(kvittering, failed);
    if (feil)
      return {
        kind: 'feil',
        type: failed,
        feilId: text(at(feil, 'feilId')),
        feilmelding: text(at(feil, 'feilmelding')) ?? failed,
      };
  }
  const registrering = at(kvittering, 'registreringKvittering');
  if (!registrering) return { kind: 'ukjent' };
  const mappe = at(kvittering, 'mappeKvittering');
  const references: References = {};
  const set = (key: string, value: unknown) => {
    const t = text(value);
    if (t) references[key] = t;
  };
  set('journalpostSystemID', at(registrering, 'systemID'));
  set('journalpostnummer', at(registrering, 'journalpostnummer'));
  const journalaar = text(at(registrering, 'journalaar'));
  const journalsekvensnummer = text(at(registrering, 'journalsekvensnummer'));
  if (journalaar && journalsekvensnummer) references.journalnummer = `${journalaar}/${journalsekvensnummer}`;
  if (mappe) {
    set('mappeSystemID', at(mappe, 'systemID'));
    const saksaar = text(at(mappe, 'saksaar'));
    const sakssekvensnummer = text(at(mappe, 'sakssekvensnummer'));
    if (saksaar && sakssekvensnummer) references.saksnummer = `${saksaar}/${sakssekvensnummer}`;
    set('saksmappe', at(mappe, 'opprettetEllerEksisterende'));
  }
  const status = text(at(registrering, 'opprettetEllerEksisterende'));
  set('opprettetEllerEksisterende', status);
  return { kind: 'kvittering', references, existing: status === 'Eksisterende' };
}

/** A child element of parsed XML, if `node` is an element that has it. */
function at(node: unknown, key: string): unknown {
  return node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object') return text((value as Record<string, unknown>)['#text']);
  const t = String(value).trim();
  return t === '' ? undefined : t;
}
