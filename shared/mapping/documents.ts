/** The record's documents and the files that travel beside it. */
import { createHash } from 'node:crypto';
import type { FormType } from '../config/types.ts';
import { type FormPdfInput, formAnswers, renderFormPdf } from '../documents/form-pdf.ts';
import type { Dokumentbeskrivelse, Dokumentobjekt } from '../noark/model.ts';
import { archiveFilename } from '../submission/filenames.ts';
import type { StoredDocument } from '../submission/types.ts';
import type { ArchiveFile } from './archive.ts';
import { archiveLabel } from './archive-labels.ts';
import { type DefinitionCompiler, requireText } from './compiler.ts';
import type { MappingInput } from './context.ts';
import { osloTime } from './dates.ts';
import type { ArchiveMapping, DocumentKind } from './definition.ts';
import { asText, type Data } from './values.ts';

/**
 * Exactly one Hoveddokument, always: the provider's main document, or, when it sent none, the form itself rendered
 * as a PDF/A (shared/documents/form-pdf.ts). Then the attachments in the order sent (each with the dokumenttype the
 * form type gives it), then the form data itself where the form type archives it.
 */
export function compileDocuments(c: DefinitionCompiler, mapping: ArchiveMapping, formType: FormType) {
  const kinds = mapping.dokumenter;
  const skjemadata = kinds.skjemadata;
  const skjemadataTittel = skjemadata ? c.value(skjemadata.tittel, '/archive/dokumenter/skjemadata/tittel') : undefined;
  // Words, not regular expressions: a pattern from configuration run against a provider's file names could be made
  // to backtrack (ReDoS); "situasjonsplan|kart" matches a title or file name containing either word.
  const typeRules = (kinds.vedleggstyper ?? []).flatMap((rule, i) => {
    const words = rule.match.split('|').map((w) => w.trim().toLocaleLowerCase('nb'));
    if (words.some((w) => w === '' || /[\\^$.*+?()[\]{}]/.test(w))) {
      c.issue(`/archive/dokumenter/vedleggstyper/${i}/match`, 'words separated by |, e.g. "situasjonsplan|kart"');
      return [];
    }
    return [{ words, dokumenttype: rule.dokumenttype }];
  });
  const contains = (text: string, words: string[]) => {
    const lower = text.toLocaleLowerCase('nb');
    return words.some((w) => lower.includes(w));
  };
  const vedleggKind = (d: StoredDocument): DocumentKind => {
    const rule = typeRules.find((r) => contains(d.title, r.words) || contains(d.filename, r.words));
    return rule ? { ...kinds.vedlegg, dokumenttype: rule.dokumenttype } : kinds.vedlegg;
  };

  return async (input: MappingInput, stored: StoredDocument[], data: Data) => {
    const names = new FileNames();
    const dokumentbeskrivelse: Dokumentbeskrivelse[] = [];
    const files: ArchiveFile[] = [];
    const add = (
      kind: DocumentKind,
      role: 'H' | 'V',
      tittel: string,
      file: { filename: string; contentType: string; sha256: string; size: number },
      source: ArchiveFile['source'],
    ) => {
      const filename = names.claim(file.filename);
      const objekt: Dokumentobjekt = {
        versjonsnummer: 1,
        variantformat: kind.variantformat ?? 'P',
        format: formatCode(file.filename, file.contentType),
        mimeType: file.contentType,
        // The name the file had (preview and delivery alike); the ASCII name it travels under is referanseDokumentfil.
        filnavn: asText(file.filename) ?? filename,
        referanseDokumentfil: filename,
        sjekksum: file.sha256,
        sjekksumAlgoritme: 'SHA256',
        ...(file.size <= 2_147_483_647 ? { filstoerrelse: file.size } : {}),
      };
      dokumentbeskrivelse.push({
        tittel,
        dokumenttype: kind.dokumenttype,
        dokumentstatus: 'F',
        tilknyttetRegistreringSom: role,
        dokumentnummer: dokumentbeskrivelse.length + 1,
        dokumentobjekt: [objekt],
      });
      files.push({ filename, contentType: file.contentType, source });
    };

    const mainIndex = stored.findIndex((d) => d.role === 'main');
    if (mainIndex >= 0) {
      const main = stored[mainIndex] as StoredDocument;
      add(kinds.hoveddokument, 'H', asText(main.title) ?? asText(main.filename) ?? formType.title, main, {
        key: main.key,
      });
    } else {
      const pdf = await renderFormPdf(formPdfInput(formType, input, data));
      add(
        { ...kinds.hoveddokument, variantformat: 'A' },
        'H',
        formType.title,
        {
          filename: `${formType.id}.pdf`,
          contentType: 'application/pdf',
          sha256: createHash('sha256').update(pdf).digest('hex'),
          size: pdf.byteLength,
        },
        { rendered: pdf },
      );
    }
    stored.forEach((d, i) => {
      if (i === mainIndex) return;
      add(vedleggKind(d), 'V', asText(d.title) ?? asText(d.filename) ?? 'Vedlegg', d, { key: d.key });
    });
    if (skjemadata && skjemadataTittel) {
      const { contentType, content } = input.envelope.formData;
      const bytes = Buffer.from(content, 'utf8');
      add(
        skjemadata,
        'V',
        requireText(skjemadataTittel, data, c.formType, archiveLabel(skjemadataTittel.field)),
        {
          filename: contentType === 'application/json' ? 'skjemadata.json' : 'skjemadata.xml',
          contentType,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          size: bytes.byteLength,
        },
        { content },
      );
    }
    return { dokumentbeskrivelse, files };
  };
}

/** What the rendered form shows: the form's title, the submitter, when, and every answer under its label. */
function formPdfInput(formType: FormType, input: MappingInput, data: Data): FormPdfInput {
  const time = osloTime(input.envelope.submittedAt);
  const [y, m, d] = time.date.split('-');
  const municipality = formType.owners?.find((o) => o.kommunenummer === input.envelope.municipality);
  const submitter = input.envelope.submitter;
  void data;
  return {
    title: formType.title,
    submitter: submitter.organisationNumber
      ? `${submitter.name} (org.nr. ${submitter.organisationNumber})`
      : submitter.name,
    submittedAt: input.envelope.submittedAt,
    submittedAtText: `${d}.${m}.${y} kl. ${time.dateTime.slice(11, 16)}`,
    municipality: municipality ? `${municipality.name} (${municipality.kommunenummer})` : input.envelope.municipality,
    reference: input.envelope.submissionId,
    answers: formAnswers(input.formData, formType.definition.labels),
  };
}

/**
 * The names the files travel under (referanseDokumentfil): unique within the message, plain ASCII as the Fiks
 * Arkiv schema advises (archiveFilename), never the message's own file name. A plain, unique name is kept as it is.
 */
class FileNames {
  readonly #used = new Set(['arkivmelding.xml']);

  claim(original: string): string {
    const { stem, ext } = archiveFilename(original);
    let name = ext ? `${stem}.${ext}` : stem;
    for (let n = 2; this.#used.has(name.toLowerCase()); n++) name = ext ? `${stem}-${n}.${ext}` : `${stem}-${n}`;
    this.#used.add(name.toLowerCase());
    return name;
  }
}

/** File format code: the Fiks Arkiv format is the file type, e.g. PDF, XML, JSON (by content type, else extension). */
function formatCode(filename: string, contentType: string): string {
  const known: Record<string, string> = {
    'application/pdf': 'PDF',
    'application/xml': 'XML',
    'text/xml': 'XML',
    'application/json': 'JSON',
    'image/jpeg': 'JPEG',
    'image/png': 'PNG',
    'image/tiff': 'TIFF',
    'text/plain': 'TXT',
  };
  const code = known[contentType];
  if (code) return code;
  const extension = /\.([A-Za-z0-9]{1,8})$/.exec(filename)?.[1];
  return (extension ?? 'BIN').toUpperCase();
}
