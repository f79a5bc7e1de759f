import { FOLDER_KEY_SECRET_NAME, FolderKeySecretMissing, provideFolderKeySecret } from '../mapping/folder-key.ts';
import { mapToArchive } from '../mapping/form-type.ts';
import { writeArkivmelding } from '../noark/formats.ts';
import { validateArkivmelding } from '../noark/validate.ts';
import { ArchiveFormatError } from '../noark/xml.ts';
import { DocumentStore } from '../store/documents.ts';
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
  let record: Awaited<ReturnType<typeof mapToArchive>>;
  try {
    const folderKeySecret = await deps.secrets.get(FOLDER_KEY_SECRET_NAME);
    if (folderKeySecret) provideFolderKeySecret(folderKeySecret);
    record = await mapToArchive(formType, input, submission.documents);
  } catch (error) {
    // Folder keys are pseudonymised with the deployment's secret: without it no record is made (never in clear).
    if (error instanceof FolderKeySecretMissing) {
      throw fail.configuration('secret', FOLDER_KEY_SECRET_NAME, `Arkivmeldingen kan ikke lages: ${error.message}`);
    }
    throw error;
  }
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
      record.files.map(async (file) => {
        const { source } = file;
        if ('rendered' in source) {
          // The rendered form (the Hoveddokument when the provider sent none) is kept like the other documents.
          // Rendering is deterministic, so a repeated attempt stores the same bytes under the same key.
          const key = DocumentStore.documentKey(submission.trackingId, `rendered/${file.filename}`);
          await deps.documents.put(key, source.rendered, file.contentType);
          return { filename: file.filename, contentType: file.contentType, bytes: source.rendered };
        }
        return {
          filename: file.filename,
          contentType: file.contentType,
          bytes: 'key' in source ? await deps.documents.get(source.key) : Buffer.from(source.content, 'utf8'),
        };
      }),
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
