/**
 * Form → archive record: a form type's archive mapping (its definition) with the deployment's archive settings,
 * compiled once into a function that builds the `Arkivmelding` for a submission. The record is format-independent;
 * `shared/noark/formats.ts` writes it as Fiks Arkiv V1 or eFormidling.
 */
import type { ArchiveSettings, FormType, SkjermingSettings } from '../config/types.ts';
import type { Arkivmelding, Korrespondansepart, Part, Saksmappe, Skjerming } from '../noark/model.ts';
import type { StoredDocument } from '../submission/types.ts';
import { archiveLabel } from './archive-labels.ts';
import { type DefinitionCompiler, expressionFault, requireText, text } from './compiler.ts';
import { type MappingInput, mappingData } from './context.ts';
import { osloTime } from './dates.ts';
import type { ArchiveMapping } from './definition.ts';
import { compileDocuments } from './documents.ts';
import { ExpressionError } from './expressions.ts';
import { compileSaksmappe } from './folders.ts';
import {
  compileKorrespondansepart,
  compilePart,
  identifier,
  isSamePerson,
  receivers,
  submitterPart,
  unitSettings,
} from './parties.ts';
import { checkLiteralLength, DEFAULT_TITLE_MAX, finishTitle, personalPaths, withoutPaths } from './titles.ts';

export { archiveLabel } from './archive-labels.ts';

// The delivery processing recognises a permanent mapping fault by this class (imported from here).
export { MappingError } from './errors.ts';

/** A file the archive message names, to be sent beside it under `filename` (its referanseDokumentfil). */
export interface ArchiveFile {
  filename: string;
  contentType: string;
  /**
   * S3 key of a stored document, the content itself (the archived form data), or the rendered form (the delivery
   * stores it beside the submission's documents before sending)
   */
  source: { key: string } | { content: string } | { rendered: Uint8Array };
}

export interface ArchiveRecord {
  arkivmelding: Arkivmelding;
  files: ArchiveFile[];
}

export type ArchiveMapper = (input: MappingInput, documents: StoredDocument[]) => Promise<ArchiveRecord>;

const SYSTEM = 'Skjemaflyt';

/**
 * The record for one submission: the case folder (folders.ts), the parties (parties.ts), the documents
 * (documents.ts), titles (titles.ts), the owner's settings, the status, the screening.
 */
export function compileArchiveMapping(c: DefinitionCompiler, formType: FormType): ArchiveMapper {
  const mapping = formType.definition.archive as ArchiveMapping;
  const settings = formType.archive as ArchiveSettings;
  const at = '/archive';
  const maxLength = mapping.titleMaxLength ?? DEFAULT_TITLE_MAX;
  const tittel = c.value(mapping.tittel, `${at}/tittel`);
  const skjerming = settings.skjerming;
  const screensTitle = skjerming?.skjermingMetadata.some((m) => m.toLowerCase() === 'tittel') ?? false;
  const personal = personalPaths(formType);
  const offentligTittel =
    mapping.offentligTittel !== undefined
      ? c.value(mapping.offentligTittel, `${at}/offentligTittel`)
      : screensTitle
        ? c.value(withoutPaths(mapping.tittel, personal), `${at}/tittel`)
        : undefined;
  const beskrivelse = c.optional(mapping.beskrivelse, `${at}/beskrivelse`);
  checkLiteralLength(c, mapping.tittel, `${at}/tittel`, maxLength);
  const parts = mapping.korrespondansepart.map((p, i) =>
    compileKorrespondansepart(c, p, `${at}/korrespondansepart/${i}`),
  );
  const saksparter = (mapping.part ?? []).map((p, i) => compilePart(c, p, `${at}/part/${i}`));
  const documents = compileDocuments(c, mapping, formType);
  const mappe = mapping.saksmappe ? compileSaksmappe(c, mapping.saksmappe, formType, maxLength) : undefined;
  const journalstatus = skjerming ? 'M' : (settings.journalstatus ?? 'M');
  const incoming = settings.journalposttype === 'I';

  return async (input, stored) => {
    const data = mappingData(input);
    try {
      await c.expressions.evaluate(data);
    } catch (error) {
      if (error instanceof ExpressionError) throw expressionFault(formType.id, error, archiveLabel(error.item.field));
      throw error;
    }
    const folder = mappe?.(data, input);
    // The owner: the property's municipality where the record is about a property (a samkommune's archive holds
    // several municipalities' cases), else the municipality the form was sent for.
    const owner = folder?.matrikkelnummer?.[0]?.kommunenummer ?? input.envelope.municipality;
    const unit = unitSettings(settings, owner);
    const submittedAt = osloTime(input.envelope.submittedAt);
    const korrespondansepart = parts.map((p) => p(data, input)).filter((p): p is Korrespondansepart => p !== undefined);
    for (const part of korrespondansepart) {
      // The number the citizen was shown, so a letter back can refer to it.
      if (part.korrespondanseparttype === 'EA') part.deresReferanse = input.envelope.submissionId;
    }
    korrespondansepart.push(...receivers(formType, settings.journalposttype, owner, unit));
    const { dokumentbeskrivelse, files } = await documents(input, stored, data);
    const screening = skjerming ? skjermingOf(skjerming, submittedAt.date) : undefined;
    const partList = saksparter.map((p) => p(data)).filter((p): p is Part => p !== undefined);
    const representative = mapping.representative;
    if (representative && partList.length > 0 && !isSamePerson(partList[0] as Part, input.envelope.submitter)) {
      partList.push(submitterPart(input.envelope.submitter, representative));
    }
    const applicant = partList[0];
    if (applicant && isSamePerson(applicant, input.envelope.submitter)) {
      // The applicant submitted: the sender's address is the one the form gives.
      for (const part of korrespondansepart) {
        if (part.korrespondanseparttype !== 'EA' || part.postadresse) continue;
        if (applicant.postadresse) part.postadresse = applicant.postadresse;
        if (applicant.postnummer) part.postnummer = applicant.postnummer;
        if (applicant.poststed) part.poststed = applicant.poststed;
      }
    }
    const title = finishTitle(requireText(tittel, data, formType.id, archiveLabel(tittel.field)), maxLength);
    const publicTitle = offentligTittel
      ? finishTitle(requireText(offentligTittel, data, formType.id, archiveLabel(offentligTittel.field)), maxLength)
      : undefined;
    const description = text(beskrivelse, data);
    const saksmappe: Saksmappe | undefined = folder
      ? {
          ...folder.mappe,
          ...(unit.administrativEnhet ? { administrativEnhet: identifier(unit.administrativEnhet) } : {}),
          ...(unit.saksansvarlig ? { saksansvarlig: identifier(unit.saksansvarlig) } : {}),
          ...(unit.journalenhet ? { journalenhet: unit.journalenhet } : {}),
          ...(partList.length > 0 ? { part: partList } : {}),
          ...(screening ? { skjerming: { ...screening } } : {}),
          ...(unit.arkivdel ? { arkivdel: unit.arkivdel } : {}),
        }
      : undefined;
    const arkivmelding: Arkivmelding = {
      system: SYSTEM,
      antallFiler: files.length,
      ...(saksmappe ? { saksmappe } : {}),
      journalpost: {
        tittel: title,
        ...(publicTitle !== undefined ? { offentligTittel: publicTitle } : {}),
        ...(description !== undefined ? { beskrivelse: description } : {}),
        journalposttype: settings.journalposttype,
        journalstatus,
        dokumentetsDato: submittedAt.date,
        // Received is what an incoming post is; an internal note is not received from anyone.
        ...(incoming ? { mottattDato: osloTime(input.receivedAt).dateTime } : {}),
        opprettetDato: osloTime(input.receivedAt).dateTime,
        referanseEksternNoekkel: { fagsystem: `skjemaflyt/${formType.id}`, noekkel: input.trackingId },
        korrespondansepart,
        ...(screening ? { skjerming: screening } : {}),
        dokumentbeskrivelse,
        opprettetAv: SYSTEM,
        arkivertAv: SYSTEM,
        ...(unit.journalenhet ? { journalenhet: unit.journalenhet } : {}),
        ...(!saksmappe && unit.arkivdel ? { arkivdel: unit.arkivdel } : {}),
      },
    };
    return { arkivmelding, files };
  };
}

/** The screening, with the date it ends where the hjemmel gives a duration. */
function skjermingOf(s: SkjermingSettings, dokumentetsDato: string): Skjerming {
  const { skjermingsvarighetAar, ...rest } = s;
  const skjerming: Skjerming = { ...rest, skjermingMetadata: [...s.skjermingMetadata] };
  if (skjermingsvarighetAar !== undefined) {
    const [y, m, d] = dokumentetsDato.split('-');
    skjerming.skjermingOpphoererDato = `${String(Number(y) + skjermingsvarighetAar).padStart(4, '0')}-${m}-${d === '29' && m === '02' ? '28' : d}`;
  }
  return skjerming;
}
