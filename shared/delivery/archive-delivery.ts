import { mapToArchive } from '../mapping/form-type.ts';
import { writeArkivmelding } from '../noark/formats.ts';
import { validateArkivmelding } from '../noark/validate.ts';
import { ArchiveFormatError } from '../noark/xml.ts';
import { archiveAdapterFor } from '../targets/index.ts';
import { DeliveryFailure, fail } from './failures.ts';
import type { Deliverer } from './process.ts';

/**
 * Archive delivery: map to an arkivmelding in the target's format, check it against the format's official XSD,
 * send it with its documents. A record that cannot be made or is not valid fails permanently (no retries): the
 * same submission and definition would fail the same way every time.
 */
export const deliverToArchive: Deliverer = async ({ submission, delivery, target, formType, input, keep }, deps) => {
  if (target.kind !== 'archive') throw fail.configuration('target', target.id, `${target.id} er ikke et arkivmål.`);
  const record = await mapToArchive(formType, input, submission.documents);
  let xml: string;
  try {
    xml = writeArkivmelding(target.format, record.arkivmelding);
  } catch (error) {
    if (!(error instanceof ArchiveFormatError)) throw error;
    throw new DeliveryFailure(
      'record-format',
      `Arkivmeldingen kan ikke skrives som ${target.format}: ${error.message}`,
      { format: target.format, reason: error.message },
      { cause: error },
    );
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
    const errors = validation.errors
      .slice(0, 3)
      .map((e) => ({ ...(e.line ? { line: e.line } : {}), message: e.message }));
    throw new DeliveryFailure('xsd-invalid', `Arkivmeldingen er ikke gyldig etter ${target.format}-skjemaet (XSD).`, {
      format: target.format,
      errors,
    });
  }
  if (read.status === 'rejected') throw read.reason;
  const files = read.value;
  const mappe = record.arkivmelding.saksmappe;
  const reuses = mappe?.referanseEksternNoekkel && formType.definition.archive?.saksmappe?.strategy !== 'new';
  const receipt = await archiveAdapterFor(target, deps.secrets, deps.fiksIoSecrets).send({
    kommunenummer: submission.municipality,
    trackingId: submission.trackingId,
    arkivmeldingXml: xml,
    files,
    targetId: target.id,
    ...(record.arkivmelding.saksmappe?.referanseEksternNoekkel
      ? { folderKey: record.arkivmelding.saksmappe.referanseEksternNoekkel.noekkel }
      : {}),
    ...(reuses && mappe.referanseEksternNoekkel
      ? {
          reusedFolder: {
            key: mappe.referanseEksternNoekkel,
            ...(delivery.folder ? { lookup: delivery.folder } : {}),
          },
        }
      : {}),
  });
  // An archive that answers later (Fiks IO): the delivery waits as SENT for the receipt.
  if ('kind' in receipt) return receipt;
  return { kind: 'delivered', references: receipt.references };
};
