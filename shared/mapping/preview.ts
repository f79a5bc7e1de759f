/**
 * What a submission would produce, without delivering anything: the same checks as receive (envelope, form data,
 * the form type's rules) and the same mapping, writing and XSD validation as the delivery functions. For the
 * operator's `npm run map` and for tests. The trackingId and reception time are stand-ins (derived from the
 * submissionId and submittedAt, so a preview is stable), and a payload that waits for the archive gets stand-in
 * archive references unless real ones are given.
 */
import { createHash } from 'node:crypto';
import type { Registry } from '../config/registry.ts';
import type { FormType, Target } from '../config/types.ts';
import { checkFormData } from '../contract/check.ts';
import type { FieldError } from '../domain/rejection.ts';
import { type ArchiveFormat, writeArkivmelding } from '../noark/formats.ts';
import { validateArkivmelding } from '../noark/validate.ts';
import { ArchiveFormatError } from '../noark/xml.ts';
import type { References } from '../store/records.ts';
import { checkEnvelope } from '../submission/envelope.ts';
import { distinctFilenames, safeFilename } from '../submission/filenames.ts';
import { FormDataError, parseFormData } from '../submission/form-data.ts';
import { checkFormRules } from '../submission/rules.ts';
import { checkSubmittedAt } from '../submission/submitted-at.ts';
import { acceptsSyntheticPersons } from '../submission/test-persons.ts';
import type { StoredDocument, SubmissionEnvelope } from '../submission/types.ts';
import type { MappingInput } from './context.ts';
import { MappingError } from './errors.ts';
import { mapToArchive, mapToPayload } from './form-type.ts';

export interface PreviewFile {
  target: string;
  /** e.g. "arkivmelding.xml", "halden-lonn.json" */
  filename: string;
  contentType: string;
  body: string;
  /** For an arkivmelding: its format */
  format?: ArchiveFormat;
}

export interface PreviewProblem {
  /** The delivery target, when the problem is one target's */
  target?: string;
  /** The field at fault: a JSON pointer into the submission, or into the form type's definition */
  field?: string;
  message: string;
}

export interface Preview {
  formType?: string;
  files: PreviewFile[];
  problems: PreviewProblem[];
}

export const STAND_IN_REFERENCES: References = {
  saksnummer: '(saksnummer fra arkivet)',
  journalpostnummer: '(journalpostnummer fra arkivet)',
};

export interface PreviewOptions {
  /** The archive's references for payloads that wait for the archive (default: stand-ins) */
  archiveReferences?: References;
  /** Write arkivmeldinger in this format instead of the target's own */
  format?: ArchiveFormat;
  /** Check each arkivmelding against its XSD (default true; tests that check many at once in one run turn it off) */
  validate?: boolean;
  /**
   * The delivered submission's trackingId and reception time: with them the preview is byte for byte the record
   * the archive got (default: stand-ins derived from the submissionId and submittedAt)
   */
  trackingId?: string;
  receivedAt?: string;
  /** The clock a submittedAt in the future is judged by (default: now) */
  now?: Date;
  /**
   * A stored submission seen again (the console's preview of a corrected record): its real trackingId and time
   * of receipt, its stored documents (the body then carries none), and its form data with a person's corrections
   * applied (shared/delivery/corrections.ts), checked by the form type's rules instead of the content's own.
   */
  stored?: {
    trackingId: string;
    receivedAt: string;
    documents: StoredDocument[];
    formData?: (data: Record<string, unknown>) => Record<string, unknown>;
  };
}

export async function previewSubmission(
  registry: Registry,
  body: unknown,
  options: PreviewOptions = {},
): Promise<Preview> {
  // As receive: a configured municipality is known, and a test environment takes synthetic persons.
  const { envelope, errors } = checkEnvelope(
    body,
    (k) => registry.municipality(k) !== undefined,
    (k) => acceptsSyntheticPersons(registry.config, k),
  );
  if (!envelope) return { files: [], problems: errors.map(fromFieldError) };
  const formType = registry.formType(envelope.municipality, envelope.formType);
  if (!formType) {
    return {
      files: [],
      problems: [
        {
          field: '/formType',
          message: `Skjematypen «${envelope.formType}» er ikke konfigurert for kommune ${envelope.municipality}.`,
        },
      ],
    };
  }
  let parsed: ReturnType<typeof parseFormData>;
  try {
    parsed = parseFormData(envelope.formData.contentType, envelope.formData.content);
  } catch (error) {
    if (error instanceof FormDataError)
      return { formType: formType.id, files: [], problems: error.errors.map(fromFieldError) };
    throw error;
  }
  const transform = options.stored?.formData;
  if (transform) parsed = { ...parsed, data: transform(parsed.data) };
  const rules = checkFormRules(formType, parsed, envelope, registry.municipality(envelope.municipality)?.name, {
    syntheticPersons: acceptsSyntheticPersons(registry.config, envelope.municipality),
  });
  // A person's correction must also fit the form type's data contract, as a value sent must at receive: else a
  // value receive refuses (a postnummer "17 67") could be sent in the corrected record. (`npm run map` still maps
  // form data the contract refuses, to show what the mappings make of it.)
  const ruleErrors = [
    // A stored submission was accepted when it came: its time is not judged again.
    ...(options.stored ? [] : checkSubmittedAt(envelope.submittedAt, options.now ?? new Date())),
    ...(options.stored ? checkFormData(formType.definition, parsed, rules) : rules),
  ];
  if (envelope.formData.contentType !== formType.formData.contentType) {
    ruleErrors.unshift({
      path: '/formData/contentType',
      message: `«${formType.id}» skal ha skjemadata som ${formType.formData.contentType}.`,
    });
  }
  if (ruleErrors.length > 0) return { formType: formType.id, files: [], problems: ruleErrors.map(fromFieldError) };

  const documents = options.stored?.documents ?? storedDocuments(envelope);
  const { attachments: _attachments, ...withoutAttachments } = envelope;
  const input: MappingInput = {
    trackingId: options.stored?.trackingId ?? options.trackingId ?? standInTrackingId(envelope.submissionId),
    receivedAt: options.stored?.receivedAt ?? options.receivedAt ?? envelope.submittedAt,
    envelope: withoutAttachments,
    formData: parsed.data,
  };
  const files: PreviewFile[] = [];
  const problems: PreviewProblem[] = [];
  const archiveTargets = formType.deliveries.filter((d) => registry.target(d.target).kind === 'archive').length;
  // Those that wait for the archive last: they depend on how it went.
  const ordered = [...formType.deliveries].sort(
    (a, b) => Number(a.after !== undefined) - Number(b.after !== undefined),
  );
  for (const delivery of ordered) {
    const target = registry.target(delivery.target);
    if (delivery.after && problems.some((p) => p.target === delivery.after)) {
      problems.push({
        target: target.id,
        message: `Venter på arkivleveransen til ${delivery.after}, som ikke kan lages.`,
      });
      continue;
    }
    try {
      if (target.kind === 'archive') {
        const format = options.format ?? target.format;
        files.push({
          target: target.id,
          filename: archiveTargets > 1 ? `arkivmelding-${target.id}.xml` : 'arkivmelding.xml',
          contentType: 'application/xml',
          body: await archiveXml(formType, format, input, documents, options.validate ?? true),
          format,
        });
      } else {
        const archive = delivery.after ? (options.archiveReferences ?? STAND_IN_REFERENCES) : undefined;
        const payload = await mapToPayload(formType, target, { ...input, ...(archive ? { archive } : {}) });
        files.push({
          target: target.id,
          filename: `${target.id}.${payload.extension}`,
          contentType: payload.contentType,
          body: payload.body,
        });
      }
    } catch (error) {
      problems.push(problemOf(target, error));
    }
  }
  return { formType: formType.id, files, problems };
}

async function archiveXml(
  formType: FormType,
  format: ArchiveFormat,
  input: MappingInput,
  documents: StoredDocument[],
  validate: boolean,
): Promise<string> {
  const record = await mapToArchive(formType, input, documents);
  const xml = writeArkivmelding(format, record.arkivmelding);
  if (!validate) return xml;
  const validation = await validateArkivmelding(format, xml);
  if (!validation.valid) {
    const first = validation.errors.slice(0, 3).map((e) => `${e.line ? `linje ${e.line}: ` : ''}${e.message}`);
    throw new ArchiveFormatError(`Arkivmeldingen er ikke gyldig etter XSD (${format}): ${first.join('; ')}`);
  }
  return xml;
}

function problemOf(target: Target, error: unknown): PreviewProblem {
  if (error instanceof MappingError) {
    return { target: target.id, ...(error.fault ? { field: error.fault.field } : {}), message: error.message };
  }
  if (error instanceof ArchiveFormatError) return { target: target.id, message: error.message };
  throw error;
}

function fromFieldError(e: FieldError): PreviewProblem {
  return { field: e.path, message: e.message };
}

/** The documents as receive would store them (no S3 here: the key only names them). */
export function storedDocuments(
  envelope: Pick<SubmissionEnvelope, 'attachments'>,
  keyOf = (index: number) => `preview/${index}`,
): StoredDocument[] {
  const attachments = envelope.attachments ?? [];
  // The names receive stores them under (shared/submission/attachments.ts): the record's filnavn is the same.
  const filenames = distinctFilenames(attachments.map((a) => safeFilename(a.filename, a.contentType)));
  return attachments.map((a, i) => {
    // An uploaded file (uploadId) is not here: previewed as empty.
    const bytes = Buffer.from(a.contentBase64 ?? '', 'base64');
    const filename = filenames[i] ?? 'vedlegg';
    return {
      filename,
      contentType: a.contentType,
      role: a.role,
      title: a.title ?? filename,
      key: keyOf(i),
      size: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
  });
}

/** A stable stand-in for the trackingId receive would assign (UUID-shaped, from the submissionId). */
function standInTrackingId(submissionId: string): string {
  const hex = createHash('sha256').update(`preview\u0000${submissionId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
