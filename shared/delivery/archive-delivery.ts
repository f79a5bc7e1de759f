import { mapToArchive } from '../mapping/form-type.ts';
import { writeArkivmelding } from '../noark/formats.ts';
import { validateArkivmelding } from '../noark/validate.ts';
import { ArchiveFormatError } from '../noark/xml.ts';
import { archiveAdapterFor } from '../targets/index.ts';
import { PermanentDeliveryError } from './errors.ts';
import type { Deliverer } from './process.ts';

/**
 * Archive delivery: map to an arkivmelding in the target's format, check it against the format's official XSD,
 * send it with its documents. A record that cannot be made or is not valid fails permanently (no retries): the
 * same submission and definition would fail the same way every time.
 */
export const deliverToArchive: Deliverer = async ({ submission, target, formType, input, keep }, deps) => {
  if (target.kind !== 'archive') throw new PermanentDeliveryError(`${target.id} er ikke et arkivmål.`);
  const record = await mapToArchive(formType, input, submission.documents);
  let xml: string;
  try {
    xml = writeArkivmelding(target.format, record.arkivmelding);
  } catch (error) {
    if (!(error instanceof ArchiveFormatError)) throw error;
    throw new PermanentDeliveryError(`Arkivmeldingen kan ikke skrives som ${target.format}: ${error.message}`, {
      cause: error,
    });
  }
  // Kept (so the console can show staff the record the archive would have got), checked and its documents read at
  // once: three waits on different services, none needing another's answer.
  const [, checked, read] = await Promise.allSettled([
    keep?.(xml),
    validateArkivmelding(target.format, xml),
    Promise.all(
      record.files.map(async (file) => ({
        filename: file.filename,
        contentType: file.contentType,
        bytes:
          'key' in file.source ? await deps.documents.get(file.source.key) : Buffer.from(file.source.content, 'utf8'),
      })),
    ),
  ]);
  if (checked.status === 'rejected') throw checked.reason;
  const validation = checked.value;
  if (!validation.valid) {
    const first = validation.errors.slice(0, 3).map((e) => `${e.line ? `linje ${e.line}: ` : ''}${e.message}`);
    throw new PermanentDeliveryError(`Arkivmeldingen er ikke gyldig etter XSD (${target.format}): ${first.join('; ')}`);
  }
  if (read.status === 'rejected') throw read.reason;
  const files = read.value;
  const receipt = await archiveAdapterFor(target, deps.secrets).send({
    kommunenummer: submission.municipality,
    trackingId: submission.trackingId,
    arkivmeldingXml: xml,
    files,
    ...(record.arkivmelding.saksmappe?.referanseEksternNoekkel
      ? { folderKey: record.arkivmelding.saksmappe.referanseEksternNoekkel.noekkel }
      : {}),
  });
  return receipt.references;
};
