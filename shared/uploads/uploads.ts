import { createHash, randomUUID } from 'node:crypto';
import type { Principal } from '../auth/claims.ts';
import type { FieldError } from '../domain/rejection.ts';
import { reject } from '../domain/rejection.ts';
import { megabytes } from '../submission/limits.ts';
import type { SubmissionEnvelope } from '../submission/types.ts';

/**
 * Large attachments outside the 5 MB request: the provider asks for an upload (POST /v1/uploads, declaring size
 * and SHA-256), PUTs the bytes to the pre-signed URL it gets, and names the upload in the envelope
 * (`attachments[].uploadId`). Receive reads the object and accepts it only when its size and hash are the ones
 * declared. An upload nobody references goes with the bucket's lifecycle rule (UPLOAD_KEEP_DAYS).
 */
export const UPLOAD_PREFIX = 'uploads/';
/** How long the pre-signed PUT URL works */
export const UPLOAD_URL_SECONDS = 15 * 60;
/** Unreferenced uploads expire after this (S3 lifecycle on UPLOAD_PREFIX) */
export const UPLOAD_KEEP_DAYS = 1;
/** One uploaded file, and all the uploaded files of one submission (receive holds them in memory to check them) */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
export const MAX_UPLOADED_BYTES_PER_SUBMISSION = 100 * 1024 * 1024;

export interface UploadRecord {
  uploadId: string;
  providerId: string;
  contentType: string;
  size: number;
  /** Hex, lower case */
  sha256: string;
  createdAt: string;
}

export interface UploadDeps {
  uploads: { put(record: UploadRecord): Promise<void>; get(uploadId: string): Promise<UploadRecord | undefined> };
  objects: {
    /** A URL that takes one PUT of the object, with this content type, for `seconds` */
    presignPut(key: string, contentType: string, seconds: number): Promise<string>;
    /** The object's bytes, or undefined when there is none */
    read(key: string): Promise<Buffer | undefined>;
  };
  now?: () => Date;
  newUploadId?: () => string;
}

export const uploadKey = (uploadId: string) => `${UPLOAD_PREFIX}${uploadId}`;

const SHA256_HEX = /^[0-9a-f]{64}$/;
const CONTENT_TYPE = /^[a-z]+\/[a-z0-9.+-]+$/;

/** POST /v1/uploads: the declared file checked, recorded, and a URL to PUT it to. */
export async function createUpload(principal: Principal, body: unknown, deps: UploadDeps) {
  if (principal.kind !== 'provider') throw reject.forbidden('Bare skjemaleverandører kan laste opp vedlegg.');
  const b = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  const errors: FieldError[] = [];
  if (typeof b.contentType !== 'string' || b.contentType.length > 255 || !CONTENT_TYPE.test(b.contentType)) {
    errors.push({
      path: '/contentType',
      code: 'invalid-format',
      message: 'contentType må være en innholdstype, som application/pdf.',
    });
  }
  if (typeof b.size !== 'number' || !Number.isInteger(b.size) || b.size < 1) {
    errors.push({
      path: '/size',
      code: 'invalid-format',
      message: 'size må være filens størrelse i byte (et heltall over 0).',
    });
  } else if (b.size > MAX_UPLOAD_BYTES) {
    errors.push({ path: '/size', code: 'too-large', message: `Filen kan være høyst ${megabytes(MAX_UPLOAD_BYTES)}.` });
  }
  if (typeof b.sha256 !== 'string' || !SHA256_HEX.test(b.sha256.toLowerCase())) {
    errors.push({
      path: '/sha256',
      code: 'invalid-format',
      message: 'sha256 må være filens SHA-256 som 64 heksadesimale tegn.',
    });
  }
  for (const key of Object.keys(b)) {
    if (!['contentType', 'size', 'sha256'].includes(key)) {
      errors.push({ path: `/${key.slice(0, 64)}`, code: 'unknown-field', message: 'Feltet er ukjent.' });
    }
  }
  if (errors.some((e) => e.code === 'too-large')) throw reject.tooLarge('Filen er for stor.', errors);
  if (errors.length > 0) throw reject.invalid('Opplastingen har feil i ett eller flere felt.', errors);
  const now = (deps.now ?? (() => new Date()))();
  const record: UploadRecord = {
    uploadId: (deps.newUploadId ?? randomUUID)(),
    providerId: principal.providerId,
    contentType: b.contentType as string,
    size: b.size as number,
    sha256: (b.sha256 as string).toLowerCase(),
    createdAt: now.toISOString(),
  };
  await deps.uploads.put(record);
  const uploadUrl = await deps.objects.presignPut(uploadKey(record.uploadId), record.contentType, UPLOAD_URL_SECONDS);
  return {
    uploadId: record.uploadId,
    uploadUrl,
    method: 'PUT' as const,
    headers: { 'content-type': record.contentType },
    expiresAt: new Date(now.getTime() + UPLOAD_URL_SECONDS * 1000).toISOString(),
    size: record.size,
    sha256: record.sha256,
  };
}

/**
 * The bytes of the envelope's uploaded attachments (by index), each the provider's own upload, present, and of the
 * declared size and SHA-256; otherwise 400 naming `/attachments/<i>/uploadId`. Nothing is stored yet.
 */
export async function resolveUploads(
  providerId: string,
  attachments: NonNullable<SubmissionEnvelope['attachments']>,
  deps: Pick<UploadDeps, 'uploads' | 'objects'> | undefined,
): Promise<Map<number, Buffer>> {
  const uploaded = new Map<number, Buffer>();
  const wanted = attachments.flatMap((a, i) =>
    a.uploadId ? [{ i, uploadId: a.uploadId, contentType: a.contentType }] : [],
  );
  if (wanted.length === 0) return uploaded;
  const errors: FieldError[] = [];
  const at = (i: number, code: string, message: string) =>
    errors.push({ path: `/attachments/${i}/uploadId`, code, message });
  let total = 0;
  for (const { i, uploadId, contentType } of wanted) {
    const record = deps ? await deps.uploads.get(uploadId) : undefined;
    // Another provider's upload answers like an unknown one.
    if (!deps || !record || record.providerId !== providerId) {
      at(i, 'unknown-upload', 'Ingen opplasting med denne uploadId.');
      continue;
    }
    if (record.contentType !== contentType) {
      at(i, 'upload-content-type-mismatch', `Opplastingen ble meldt som ${record.contentType}, ikke ${contentType}.`);
      continue;
    }
    total += record.size;
    if (total > MAX_UPLOADED_BYTES_PER_SUBMISSION) {
      at(
        i,
        'too-large',
        `Opplastede vedlegg kan til sammen være høyst ${megabytes(MAX_UPLOADED_BYTES_PER_SUBMISSION)}.`,
      );
      break;
    }
    const bytes = await deps.objects.read(uploadKey(uploadId));
    if (!bytes) {
      at(
        i,
        'upload-missing',
        `Filen er ikke lastet opp (eller er slettet: opplastinger tas vare på i ${UPLOAD_KEEP_DAYS} døgn).`,
      );
    } else if (bytes.byteLength !== record.size) {
      at(i, 'upload-size-mismatch', `Filen har ${bytes.byteLength} byte, ikke ${record.size} som meldt.`);
    } else if (createHash('sha256').update(bytes).digest('hex') !== record.sha256) {
      at(i, 'upload-hash-mismatch', 'Filens SHA-256 er ikke den som ble meldt.');
    } else {
      uploaded.set(i, bytes);
    }
  }
  if (errors.length > 0) throw reject.invalid('Et eller flere opplastede vedlegg kan ikke brukes.', errors);
  return uploaded;
}
