import { createHash, randomUUID } from 'node:crypto';
import type { Principal } from '../auth/claims.ts';
import type { Registry } from '../config/registry.ts';
import type { FormType } from '../config/types.ts';
import { checkFormData } from '../contract/check.ts';
import { initialState } from '../delivery/lifecycle.ts';
import { reject } from '../domain/rejection.ts';
import { asText, compilePath, type Data } from '../mapping/values.ts';
import type { DeliveryMessage } from '../queue/delivery-queue.ts';
import { DocumentStore } from '../store/documents.ts';
import { type DeliveryRecord, deliveryId, type SubmissionRecord } from '../store/records.ts';
import { nationalIdTerm, type PersonTerms } from '../store/search-terms.ts';
import { resolveUploads, type UploadDeps } from '../uploads/uploads.ts';
import { type DecodedDocument, decodeAttachments } from './attachments.ts';
import { enqueueDeliveries } from './enqueue.ts';
import { FormDataError, parseFormData } from './form-data.ts';
import { type Limits, limitsFor } from './limits.ts';
import { DuplicateSubmissionError, type Receipt } from './repository.ts';
import { parseEnvelope } from './request.ts';
import { checkFormRules } from './rules.ts';
import { checkSubmittedAt } from './submitted-at.ts';
import { acceptsSyntheticPersons } from './test-persons.ts';
import type { StoredDocument, SubmissionEnvelope } from './types.ts';

export interface ReceiveRequest {
  principal: Principal;
  contentType: string | undefined;
  body: string;
}

export interface ReceiptBody {
  trackingId: string;
  submissionId: string;
  status: 'RECEIVED';
  statusUrl: string;
}

export interface ReceiveDeps {
  registry: Registry;
  store: {
    findReceipt(providerId: string, submissionId: string): Promise<Receipt | undefined>;
    create(submission: SubmissionRecord, deliveries: DeliveryRecord[], person?: PersonTerms): Promise<void>;
    get(trackingId: string): Promise<{ submission: SubmissionRecord; deliveries: DeliveryRecord[] } | undefined>;
    markEnqueued(trackingId: string, at: string): Promise<void>;
  };
  documents: { put(key: string, body: Uint8Array | string, contentType: string, sha256?: string): Promise<void> };
  queue: { send(messages: DeliveryMessage[]): Promise<void> };
  /** Attachments sent as uploads (POST /v1/uploads); without, an envelope naming an upload is refused */
  uploads?: Pick<UploadDeps, 'uploads' | 'objects'>;
  /**
   * The deployment's search secret (shared/secrets/search-secret.ts): fødselsnumre are indexed as keyed hashes
   * with it; without, they are not indexed at all
   */
  searchSecret?: () => Promise<Buffer | undefined>;
  now?: () => Date;
  newTrackingId?: () => string;
}

/**
 * receive: validate, authorise, store the original and its documents, decide the deliveries, queue them.
 * Returns 202 for a new submission and 200 with the same receipt for a repeat of the same content.
 */
export async function receiveSubmission(
  request: ReceiveRequest,
  deps: ReceiveDeps,
): Promise<{ status: 200 | 202; receipt: ReceiptBody }> {
  const { principal } = request;
  if (principal.kind !== 'provider') throw reject.forbidden('Bare skjemaleverandører kan sende inn skjema.');
  const envelope = parseEnvelope(request, deps.registry);
  const limits = limitsFor(deps.registry.config, envelope.municipality);
  const formType = authorise(deps.registry, principal.providerId, envelope);
  const now = (deps.now ?? (() => new Date()))();
  const future = checkSubmittedAt(envelope.submittedAt, now);
  if (future.length > 0) throw reject.unprocessable('Innsendingstidspunktet er fram i tid.', future);
  const contentHash = sha256(canonicalJson(envelope));
  const attachments = envelope.attachments ?? [];
  const withUploads = attachments.some((a) => a.uploadId !== undefined);
  // A repeat that names uploads answers before they are read again: they may have expired since.
  const earlier = withUploads ? await deps.store.findReceipt(principal.providerId, envelope.submissionId) : undefined;
  if (earlier?.contentHash === contentHash) return repeat(earlier, contentHash, envelope, deps);
  const uploaded = await resolveUploads(principal.providerId, attachments, deps.uploads);
  const documents = checkContent(envelope, formType, deps.registry, limits, uploaded);

  const existing = earlier ?? (await deps.store.findReceipt(principal.providerId, envelope.submissionId));
  if (existing) return repeat(existing, contentHash, envelope, deps);

  const trackingId = (deps.newTrackingId ?? randomUUID)();
  const originalKey = DocumentStore.originalKey(trackingId);
  const stored: StoredDocument[] = documents.map(({ bytes, ...d }) => ({
    ...d,
    key: DocumentStore.documentKey(trackingId, d.filename),
    size: bytes.byteLength,
  }));
  // Documents first: once the submission row exists, a delivery may look for them.
  await Promise.all([
    deps.documents.put(originalKey, request.body, 'application/json', contentHash),
    deps.documents.put(
      DocumentStore.formKey(trackingId),
      JSON.stringify(withoutContents(envelope)),
      'application/json',
    ),
    ...documents.map((d, i) => deps.documents.put(stored[i]?.key ?? '', d.bytes, d.contentType, stored[i]?.sha256)),
  ]);

  const submission: SubmissionRecord = {
    trackingId,
    submissionId: envelope.submissionId,
    providerId: principal.providerId,
    formType: formType.id,
    municipality: envelope.municipality,
    submittedAt: envelope.submittedAt,
    receivedAt: now.toISOString(),
    contentHash,
    originalKey,
    formDataContentType: envelope.formData.contentType,
    documents: stored,
  };
  const deliveries = planDeliveries(submission, formType, deps.registry, now, envelope.submitter.name);
  try {
    await deps.store.create(submission, deliveries, await personTerms(envelope, formType, deps.searchSecret));
  } catch (error) {
    // Two identical POSTs racing: the loser answers like a repeat.
    if (error instanceof DuplicateSubmissionError) return repeat(error.existing, contentHash, envelope, deps);
    throw error;
  }
  await enqueueDeliveries(trackingId, deliveries, deps, now);
  return { status: 202, receipt: receiptFor(trackingId, envelope.submissionId) };
}

/**
 * Who else the submission can be found by: the person the form is about (the form type's `search.person`: the
 * employee on an A-skjema) by name, and that person's and the submitter's fødselsnummer as keyed terms.
 */
async function personTerms(
  envelope: SubmissionEnvelope,
  formType: FormType,
  searchSecret: (() => Promise<Buffer | undefined>) | undefined,
): Promise<PersonTerms> {
  const person = formType.definition.search?.person;
  let data: Data | undefined;
  if (person) {
    try {
      data = (parseFormData(envelope.formData.contentType, envelope.formData.content).data ?? undefined) as
        | Data
        | undefined;
    } catch {
      data = undefined;
    }
  }
  const read = (path: string) => (data === undefined ? undefined : asText(compilePath(path)(data)));
  const name = (person?.name ?? []).map(read).filter((w): w is string => w !== undefined);
  const numbers = [envelope.submitter.nationalId, person?.nationalId ? read(person.nationalId) : undefined].filter(
    (n): n is string => typeof n === 'string' && /^\d{11}$/.test(n.trim()),
  );
  const secret = numbers.length > 0 && searchSecret ? await searchSecret() : undefined;
  return {
    ...(name.length > 0 ? { names: [name.join(' ')] } : {}),
    ...(secret ? { nationalIdTerms: [...new Set(numbers.map((n) => nationalIdTerm(n, secret)))] } : {}),
  };
}

function authorise(registry: Registry, providerId: string, envelope: SubmissionEnvelope): FormType {
  const { formType: formTypeId, municipality } = envelope;
  if (!registry.knowsFormType(formTypeId)) {
    throw reject
      .invalid('Skjematypen er ukjent.', [
        {
          path: '/formType',
          code: 'unknown-form-type',
          message: 'Ukjent skjematype: ingen kommune i Skjemaflyt tar imot den.',
        },
      ])
      .withType('unknown-form-type');
  }
  const formType = registry.formType(municipality, formTypeId);
  if (!registry.municipality(municipality) || !formType) {
    throw reject
      .forbidden(`Skjematypen «${formTypeId}» tas ikke imot for kommune ${municipality}.`, [
        {
          path: '/municipality',
          code: 'form-type-not-offered',
          message: `Kommune ${municipality} tar ikke imot «${formTypeId}» gjennom Skjemaflyt.`,
        },
      ])
      .withType('not-granted');
  }
  if (!registry.mayProviderSubmit(providerId, municipality, formTypeId)) {
    throw reject
      .forbidden(`Leverandøren har ikke tilgang til å sende «${formTypeId}» for kommune ${municipality}.`, [
        {
          path: '/municipality',
          code: 'not-granted',
          message: `Ingen tilgang til kommune ${municipality} for «${formTypeId}».`,
        },
      ])
      .withType('not-granted');
  }
  if (envelope.formData.contentType !== formType.formData.contentType) {
    throw reject.unprocessable('Skjemadataene har feil innholdstype.', [
      {
        path: '/formData/contentType',
        message: `«${formTypeId}» skal ha skjemadata som ${formType.formData.contentType}.`,
      },
    ]);
  }
  return formType;
}

/**
 * What the submission carries, checked before anything is stored: the attachments (count, size, type, names),
 * then the form data (size, structure, text) and the form type's own rules.
 */
function checkContent(
  envelope: SubmissionEnvelope,
  formType: FormType,
  registry: Registry,
  limits: Limits,
  uploaded: ReadonlyMap<number, Buffer>,
): DecodedDocument[] {
  // Without a main document the archive gets the form itself, rendered as a PDF (shared/documents/form-pdf.ts).
  const attachments = envelope.attachments ?? [];
  const documents = decodeAttachments(attachments, limits, uploaded);
  let parsed: ReturnType<typeof parseFormData>;
  try {
    parsed = parseFormData(envelope.formData.contentType, envelope.formData.content, limits);
  } catch (error) {
    if (error instanceof FormDataError) {
      throw error.status === 413
        ? reject.tooLarge('Skjemadataene er for store.', error.errors)
        : reject.invalid('Skjemadataene kan ikke leses.', error.errors).withType('invalid-form-data');
    }
    throw error;
  }
  // The form type's data contract (shared/contract/) and its rules: one answer naming every field at fault.
  const ruleErrors = checkFormData(
    formType.definition,
    parsed,
    checkFormRules(formType, parsed, envelope, registry.municipality(envelope.municipality)?.name, {
      syntheticPersons: acceptsSyntheticPersons(registry.config, envelope.municipality),
    }),
  );
  if (ruleErrors.length > 0) {
    throw reject.unprocessable(`Skjemadataene oppfyller ikke reglene for «${formType.id}».`, ruleErrors);
  }
  return documents;
}

function planDeliveries(
  submission: SubmissionRecord,
  formType: FormType,
  registry: Registry,
  now: Date,
  submitterName: string,
): DeliveryRecord[] {
  const at = now.toISOString();
  return formType.deliveries.map((route) => {
    const first = initialState(route.after, now);
    return {
      id: deliveryId(submission.trackingId, route.target),
      trackingId: submission.trackingId,
      target: route.target,
      targetKind: registry.target(route.target).kind,
      ...(route.after ? { after: route.after } : {}),
      municipality: submission.municipality,
      formType: submission.formType,
      submissionId: submission.submissionId,
      providerId: submission.providerId,
      submitter: { name: submitterName },
      status: first.status,
      attempts: 0,
      round: 0,
      references: {},
      history: [first.entry],
      updatedAt: at,
    };
  });
}

/**
 * A repeat of a known submissionId. Same content: the same receipt, and if the first attempt stopped
 * between storing and queueing, the queueing is finished now (deliveries are idempotent, so a
 * second message is harmless). Other content: 409.
 */
async function repeat(
  existing: Receipt,
  contentHash: string,
  envelope: SubmissionEnvelope,
  deps: ReceiveDeps,
): Promise<{ status: 200; receipt: ReceiptBody }> {
  if (existing.contentHash !== contentHash) {
    // The provider's own earlier submission: its trackingId tells the provider which one it was.
    throw reject
      .conflict(
        'Denne submissionId er allerede brukt for en innsending med annet innhold.',
        [
          {
            path: '/submissionId',
            code: 'submission-id-reused',
            message: 'submissionId er brukt før, med annet innhold.',
          },
        ],
        { trackingId: existing.trackingId },
      )
      .withType('submission-id-reused');
  }
  const stored = await deps.store.get(existing.trackingId);
  if (stored && !stored.submission.enqueuedAt) {
    await enqueueDeliveries(existing.trackingId, stored.deliveries, deps, (deps.now ?? (() => new Date()))());
  }
  return { status: 200, receipt: receiptFor(existing.trackingId, envelope.submissionId) };
}

function withoutContents(envelope: SubmissionEnvelope): Omit<SubmissionEnvelope, 'attachments'> {
  const { attachments: _attachments, ...rest } = envelope;
  return rest;
}

function receiptFor(trackingId: string, submissionId: string): ReceiptBody {
  return { trackingId, submissionId, status: 'RECEIVED', statusUrl: `/v1/submissions/${trackingId}` };
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with sorted keys, so a provider's re-serialisation of the same content hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
