import { mapToArchive } from '../mapping/archive.ts';
import { toFiksArkivV1Xml } from '../noark/fiks-arkiv-v1.ts';
import { validateFiksArkivV1 } from '../noark/validate.ts';
import { archiveAdapterFor } from '../targets/index.ts';
import { PermanentDeliveryError } from './errors.ts';
import type { Deliverer } from './process.ts';

/** Archive delivery: map to an arkivmelding, check it against the official XSD, send it with its documents. */
export const deliverToArchive: Deliverer = async ({ submission, target, formType, input, keep }, deps) => {
  if (target.kind !== 'archive') throw new PermanentDeliveryError(`${target.id} er ikke et arkivmål.`);
  const record = mapToArchive(formType, input, submission.documents);
  const xml = toFiksArkivV1Xml(record.arkivmelding);
  await keep?.(xml);
  const validation = await validateFiksArkivV1(xml);
  if (!validation.valid) {
    const first = validation.errors.slice(0, 3).map((e) => `${e.line ? `linje ${e.line}: ` : ''}${e.message}`);
    throw new PermanentDeliveryError(`Arkivmeldingen er ikke gyldig etter XSD: ${first.join('; ')}`);
  }
  const files = await Promise.all(
    record.files.map(async (file) => ({
      filename: file.filename,
      contentType: file.contentType,
      bytes:
        'key' in file.source ? await deps.documents.get(file.source.key) : Buffer.from(file.source.content, 'utf8'),
    })),
  );
  const receipt = await archiveAdapterFor(target).send({
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
