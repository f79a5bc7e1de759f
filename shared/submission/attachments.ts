import { createHash } from 'node:crypto';
import type { FieldError } from '../domain/rejection.ts';
import { reject } from '../domain/rejection.ts';
import { checkAttachmentContent } from './attachment-types.ts';
import { base64DecodedSize } from './base64.ts';
import { distinctFilenames, safeFilename } from './filenames.ts';
import type { Limits } from './limits.ts';
import { megabytes } from './limits.ts';
import type { StoredDocument, SubmissionEnvelope } from './types.ts';

export type DecodedDocument = Omit<StoredDocument, 'key' | 'size' | 'sha256'> & { bytes: Buffer; sha256: string };

type Attachment = NonNullable<SubmissionEnvelope['attachments']>[number];

/**
 * The attachments, checked against the limits before any is decoded, then decoded and checked against
 * their declared type, with safe and distinct filenames. `uploaded`: the bytes of the attachments sent as uploads
 * (by index), already checked against their size and hash (shared/uploads/uploads.ts).
 */
export function decodeAttachments(
  attachments: Attachment[],
  limits: Pick<Limits, 'maxAttachments' | 'maxAttachmentBytes'>,
  uploaded: ReadonlyMap<number, Buffer> = new Map(),
): DecodedDocument[] {
  if (attachments.length > limits.maxAttachments) {
    throw reject.tooLarge(`Innsendingen har flere enn ${limits.maxAttachments} vedlegg.`, [
      { path: '/attachments', message: `Høyst ${limits.maxAttachments} vedlegg er tillatt.` },
    ]);
  }
  const oversize: FieldError[] = attachments.flatMap((a, i) =>
    a.contentBase64 !== undefined && base64DecodedSize(a.contentBase64) > limits.maxAttachmentBytes
      ? [
          {
            path: `/attachments/${i}/contentBase64`,
            message: `Vedlegget er større enn ${megabytes(limits.maxAttachmentBytes)}.`,
          },
        ]
      : [],
  );
  if (oversize.length > 0) throw reject.tooLarge('Et eller flere vedlegg er for store.', oversize);

  const decoded = attachments.map((a, i) => {
    const bytes = uploaded.get(i) ?? Buffer.from(a.contentBase64 ?? '', 'base64');
    if (bytes.byteLength === 0) {
      throw reject.invalid('Et vedlegg er tomt.', [
        { path: `/attachments/${i}/contentBase64`, message: 'Vedlegget er tomt.' },
      ]);
    }
    return bytes;
  });
  const wrongType: FieldError[] = [];
  attachments.forEach((a, i) => {
    const check = checkAttachmentContent(a.contentType, decoded[i] ?? Buffer.alloc(0));
    if (check === 'type-not-accepted') {
      wrongType.push({ path: `/attachments/${i}/contentType`, message: 'Denne filtypen tas ikke imot.' });
    } else if (check === 'content-mismatch') {
      wrongType.push({
        path: `/attachments/${i}/contentBase64`,
        message: `Innholdet er ikke det innholdstypen sier (${a.contentType}).`,
      });
    }
  });
  if (wrongType.length > 0) {
    throw reject.unsupportedMediaType(
      'Et eller flere vedlegg har en filtype som ikke tas imot, eller feil innhold.',
      wrongType,
    );
  }

  const filenames = distinctFilenames(attachments.map((a) => safeFilename(a.filename, a.contentType)));
  return attachments.map((a, i) => {
    const bytes = decoded[i] ?? Buffer.alloc(0);
    const filename = filenames[i] ?? 'vedlegg';
    return {
      filename,
      contentType: a.contentType,
      role: a.role,
      title: a.title ?? filename,
      bytes,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
  });
}
