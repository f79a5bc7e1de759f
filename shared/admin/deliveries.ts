import type { Principal } from '../auth/claims.ts';
import type { Registry } from '../config/registry.ts';
import type { Target } from '../config/types.ts';
import { applyCorrections, type Correction, correctionsKey, parseCorrections } from '../delivery/corrections.ts';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../delivery/lifecycle.ts';
import { producedFile, producedKey } from '../delivery/produced.ts';
import { type FieldError, reject } from '../domain/rejection.ts';
import type { DeliveryMessage } from '../queue/delivery-queue.ts';
import { DocumentStore } from '../store/documents.ts';
import type { DeliveryRecord } from '../store/records.ts';
import { nameWords, nationalIdTerm, normaliseTerm, reversedTerm } from '../store/search-terms.ts';
import { InvalidCursorError, type StatusQuery, type SubmissionStore } from '../store/submissions.ts';
import { parseFormData } from '../submission/form-data.ts';
import { maskNationalId } from '../submission/identifiers.ts';
import type { SubmissionEnvelope } from '../submission/types.ts';
import { trimEndOf } from '../text/trim.ts';
import { type Admin, findDelivery, municipalityFor, requireAdmin, who } from './access.ts';
import { fieldsInRule, valuesOf } from './corrections.ts';
import { readOptional } from './documents.ts';
import { explainFailure } from './explain.ts';
import { firstFailedAt, parseFailureCode, readAll } from './failures.ts';

/** What the admin API's logic needs; every call checks the admin's municipalities first (see access.ts). */
export interface AdminDeps {
  store: Pick<
    SubmissionStore,
    'get' | 'getDelivery' | 'transition' | 'listByStatus' | 'summarize' | 'findByTerm' | 'recordAudit'
  >;
  queue: { send(messages: DeliveryMessage[]): Promise<void> };
  documents: {
    get(key: string): Promise<Uint8Array>;
    put(key: string, body: Uint8Array | string, contentType: string): Promise<void>;
  };
  registry: Registry;
  /** The secret fødselsnummer search terms are keyed with (shared/secrets/search-secret.ts) */
  searchSecret?: () => Promise<Buffer | undefined>;
  now?: () => Date;
}

export const STATUSES: readonly DeliveryStatus[] = DELIVERY_STATUSES;

/** Search results are capped: a name common enough to hit more asks for a longer name or a form type. */
const SEARCH_LIMIT = 50;
/** The produced arkivmelding / payload is shown up to this size. */
const PRODUCED_LIMIT = 512 * 1024;

export type Params = Record<string, string | undefined>;

/** The filters of a list or a bulk action, checked; `status` only when given (or defaulted by the caller). */
export interface DeliveryFilter {
  municipality: string;
  status?: DeliveryStatus;
  target?: string;
  formType?: string;
  from?: string;
  to?: string;
}

/** Target and form type ids as the configuration allows them (schemas/config.schema.json, `id`). */
const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const ID_WORDS = { target: 'mål-id', formType: 'skjematype-id' } as const;

export function parseFilter(admin: Admin, params: Params, defaultStatus?: DeliveryStatus): DeliveryFilter {
  const errors: FieldError[] = [];
  const status = (params.status || defaultStatus) as DeliveryStatus | undefined;
  if (status && !STATUSES.includes(status)) errors.push({ path: '/status', message: `Ukjent status «${status}».` });
  const times: { from?: string; to?: string } = {};
  for (const field of ['from', 'to'] as const) {
    const value = params[field];
    if (!value) continue;
    // A bare date means the whole day: from its start, to its end (Norwegian time is close enough here).
    const date = /^\d{4}-\d{2}-\d{2}$/.test(value)
      ? `${value}T${field === 'from' ? '00:00:00' : '23:59:59.999'}Z`
      : value;
    // Years 0000–9999 only: the index sorts times as text, and an ISO year beyond them (+275760-…) sorts wrong.
    const time = Number.isNaN(Date.parse(date)) ? undefined : new Date(date).toISOString();
    if (!time || !/^\d{4}-/.test(time)) {
      errors.push({ path: `/${field}`, message: 'Ugyldig tidspunkt (RFC 3339 eller ÅÅÅÅ-MM-DD).' });
    } else times[field] = time;
  }
  if (times.from && times.to && times.from > times.to) {
    errors.push({ path: '/to', message: 'Til-tidspunktet er før fra-tidspunktet.' });
  }
  for (const field of ['target', 'formType'] as const) {
    const value = params[field];
    if (value && !ID.test(value)) errors.push({ path: `/${field}`, message: `Ugyldig ${ID_WORDS[field]}.` });
  }
  if (errors.length > 0) throw reject.invalid('Ugyldig søk.', errors);
  return {
    municipality: municipalityFor(admin, params.municipality),
    ...(status ? { status } : {}),
    ...(params.target ? { target: params.target } : {}),
    ...(params.formType ? { formType: params.formType } : {}),
    ...times,
  };
}

export function parseLimit(value: string | number | undefined, fallback: number, max: number): number {
  const limit = Number(value ?? fallback);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw reject.invalid('Ugyldig søk.', [{ path: '/limit', message: `limit må være et heltall fra 1 til ${max}.` }]);
  }
  return limit;
}

/** Opaque page state (the retry-all run's), base64url JSON. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export const invalidCursor = () => reject.invalid('Ugyldig markør.', [{ path: '/cursor', message: 'Ugyldig markør.' }]);

/** A list page from the status index; a cursor that is not this list's is a 400 naming it. */
export async function listPage(deps: AdminDeps, query: StatusQuery) {
  try {
    return await deps.store.listByStatus(query);
  } catch (error) {
    if (error instanceof InvalidCursorError) throw invalidCursor();
    throw error;
  }
}

/** One delivery as a row of a list: what staff scan for, with the error in plain words. */
export function deliveryRow(d: DeliveryRecord, registry: Registry) {
  const target = targetOf(registry, d.target);
  const formType = registry.formType(d.municipality, d.formType);
  const explanation = d.failure ? explainFailure({ failure: d.failure, formType, target }) : undefined;
  return {
    id: d.id,
    trackingId: d.trackingId,
    submissionId: d.submissionId ?? null,
    municipality: d.municipality,
    target: d.target,
    targetName: target?.name ?? d.target,
    formType: d.formType,
    formTypeTitle: formType?.title ?? d.formType,
    // A screened form type's names (Offl. § 13, § 25) are shown only on request, and that look is recorded.
    submitterName: formType?.archive?.skjerming ? null : (d.submitter?.name ?? null),
    screened: formType?.archive?.skjerming ? formType.archive.skjerming.skjermingshjemmel : null,
    status: d.status,
    attempts: d.attempts,
    lastError: d.failure?.message ?? null,
    failureCode: d.failure?.code ?? null,
    problem: explanation?.summary ?? null,
    nextAttemptAt: d.nextAttemptAt ?? null,
    receivedAt: d.history[0]?.at ?? d.updatedAt,
    firstFailedAt: d.status === 'FAILED' || d.status === 'RETRYING' ? firstFailedAt(d) : null,
    updatedAt: d.updatedAt,
  };
}

function targetOf(registry: Registry, id: string): Target | undefined {
  try {
    return registry.target(id);
  } catch {
    return undefined;
  }
}

/**
 * GET /v1/admin/deliveries: with `q`, a search by name, submissionId or trackingId (all statuses unless one is
 * given); without, one status's list (FAILED by default) from the status index, oldest change first, paginated.
 */
export async function listDeliveries(principal: Principal, params: Params, deps: AdminDeps) {
  const admin = requireAdmin(principal);
  const q = params.q?.trim();
  if (q) {
    // A fødselsnummer never travels in a URL (access logs keep it): it is searched for with POST, with a purpose.
    if (/^\d{11}$/.test(q.replace(/[\s.-]/g, ''))) {
      throw reject.invalid('Ugyldig søk.', [
        {
          path: '/q',
          message: 'Søk på fødselsnummer med POST /v1/admin/deliveries/search (med formål), ikke i adressen.',
        },
      ]);
    }
    // A query of nothing but what the index leaves out ('#') would search for the empty prefix: DynamoDB refuses it.
    if (!UUID.test(q) && normaliseTerm(q) === '') {
      throw reject.invalid('Ugyldig søk.', [
        { path: '/q', message: 'Søket må inneholde minst én bokstav eller ett siffer.' },
      ]);
    }
    return searchDeliveries(admin, q, parseFilter(admin, params), deps);
  }
  const filter = parseFilter(admin, params, 'FAILED') as DeliveryFilter & { status: DeliveryStatus };
  const limit = parseLimit(params.limit, 50, 100);
  const failureCode = parseFailureCode(params.failureCode);
  if (failureCode) {
    // One cause (from the overview's groups): read them all and keep that cause's, oldest change first.
    const { items, complete } = await readAll(deps, filter);
    return {
      items: items.filter((d) => d.failure?.code === failureCode).map((d) => deliveryRow(d, deps.registry)),
      nextCursor: null,
      truncated: !complete,
      scannedCount: 0,
      consumedCapacity: 0,
    };
  }
  const query: StatusQuery = { ...filter, limit, ...(params.cursor ? { cursor: params.cursor } : {}) };
  const page = await listPage(deps, query);
  let nextCursor = page.cursor ?? null;
  if (nextCursor && page.items.length === limit) {
    // DynamoDB says "there may be more" after a full page even when nothing follows: look, so "Vis flere" never
    // brings an empty page.
    const peek = await listPage(deps, { ...query, limit: 1, cursor: nextCursor });
    if (peek.items.length === 0 && !peek.cursor) nextCursor = null;
  }
  return {
    items: page.items.map((d) => deliveryRow(d, deps.registry)),
    nextCursor,
    scannedCount: page.scannedCount,
    consumedCapacity: page.consumedCapacity,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * A trackingId (or a delivery id) is read directly; anything else through the search entries: the whole query
 * as a prefix of a submissionId or name word, and its longest word, then every word must start a name word.
 */
async function searchDeliveries(
  admin: Admin,
  q: string,
  filter: DeliveryFilter,
  deps: AdminDeps,
  /** A keyed fødselsnummer term: found exactly, never by a name or id */
  keyed?: string,
  /** Called with the deliveries found before they are returned (the look recorded) */
  onFound: (found: DeliveryRecord[]) => Promise<void> = async () => {},
) {
  const trackingId = keyed ? undefined : UUID.exec(q)?.[0]?.toLowerCase();
  let candidates: string[];
  /** Every word of the query starts a name word in the index (the submitter's or the person's the form is about) */
  let indexed: (d: DeliveryRecord) => boolean = () => false;
  let truncated = false;
  let scannedCount = 0;
  let consumedCapacity = 0;
  const whole = normaliseTerm(q);
  const words = nameWords(q);
  // The end of an id, as a caller reads it out ("…0426d5"): found through the ids stored backwards.
  const ending = /^(?:…|\.\.\.)?([0-9a-zæøå][0-9a-zæøå_-]{3,})$/u.exec(whole)?.[1];
  if (trackingId) candidates = [trackingId];
  else if (keyed) {
    const found = await deps.store.findByTerm(filter.municipality, `${keyed}#`, SEARCH_LIMIT);
    candidates = found.trackingIds;
    truncated = found.more;
    scannedCount = found.scannedCount;
    consumedCapacity = found.consumedCapacity;
  } else {
    const longest = [...words].sort((a, b) => b.length - a.length)[0];
    const prefixes = [...new Set([whole, ...(longest ? [longest] : []), ...(ending ? [reversedTerm(ending)] : [])])];
    // Each word too (up to four): a name word of the person the form is about is only in the index.
    const wordPrefixes = words.length > 1 ? words.slice(0, 4).filter((w) => !prefixes.includes(w)) : [];
    const found = await Promise.all(
      [...prefixes, ...wordPrefixes].map((p) => deps.store.findByTerm(filter.municipality, p, SEARCH_LIMIT)),
    );
    const hits = new Map([...prefixes, ...wordPrefixes].map((p, i) => [p, new Set(found[i]?.trackingIds ?? [])]));
    indexed = (d) => words.length > 0 && words.slice(0, 4).every((w) => hits.get(w)?.has(d.trackingId));
    candidates = [...new Set(found.slice(0, prefixes.length).flatMap((f) => f.trackingIds))];
    truncated = found.some((f) => f.more);
    for (const f of found) {
      scannedCount += f.scannedCount;
      consumedCapacity += f.consumedCapacity;
    }
  }
  const submissions = [];
  for (let i = 0; i < candidates.length; i += 10) {
    submissions.push(...(await Promise.all(candidates.slice(i, i + 10).map((t) => deps.store.get(t)))));
  }
  const matches = (d: DeliveryRecord) => {
    if (trackingId || keyed) return true;
    if (normaliseTerm(d.submissionId ?? '').startsWith(whole)) return true;
    if (ending && (d.trackingId.endsWith(ending) || normaliseTerm(d.submissionId ?? '').endsWith(ending))) return true;
    const name = nameWords(d.submitter?.name ?? '');
    if (words.length > 0 && words.every((w) => name.some((n) => n.startsWith(w)))) return true;
    return indexed(d);
  };
  const items = submissions
    .flatMap((s) => s?.deliveries ?? [])
    .filter((d) => d.municipality === filter.municipality && admin.municipalities.includes(d.municipality))
    .filter(matches)
    .filter((d) => !filter.status || d.status === filter.status)
    .filter((d) => !filter.target || d.target === filter.target)
    .filter((d) => !filter.formType || d.formType === filter.formType)
    .filter((d) => !filter.from || d.updatedAt >= (filter.from ?? ''))
    .filter((d) => !filter.to || d.updatedAt <= (filter.to ?? ''))
    .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1));
  const rows = items.map((d) => deliveryRow(d, deps.registry));
  if (keyed) await onFound(items);
  // One result per submission, with its deliveries: "what happened to my application" is one answer.
  const bySubmission = new Map<string, typeof rows>();
  for (const row of rows) bySubmission.set(row.trackingId, [...(bySubmission.get(row.trackingId) ?? []), row]);
  const receivedAt = new Map(
    submissions.filter((s) => s).map((s) => [s?.submission.trackingId, s?.submission.receivedAt]),
  );
  return {
    submissions: [...bySubmission.entries()].map(([id, deliveries]) => {
      const first = deliveries[0] as (typeof rows)[number];
      return {
        trackingId: id,
        submissionId: first.submissionId,
        formType: first.formType,
        formTypeTitle: first.formTypeTitle,
        submitterName: first.submitterName,
        screened: first.screened,
        receivedAt: receivedAt.get(id) ?? first.receivedAt,
        deliveries,
      };
    }),
    items: rows,
    nextCursor: null,
    truncated,
    scannedCount,
    consumedCapacity,
  };
}

/**
 * POST /v1/admin/deliveries/search: the submissions about a fødselsnummer (its submitter's, or the person the form
 * is about: the employee on an A-skjema), grouped like the search by name. The number comes in the body, never in
 * a URL; it is found through its keyed hash (never stored in clear); a purpose is asked, and the look is recorded on
 * every delivery found (who, when, why) before the results are handed out.
 */
export async function searchByNationalId(principal: Principal, body: unknown, deps: AdminDeps) {
  const admin = requireAdmin(principal);
  const input = (body ?? {}) as { nationalId?: unknown; municipality?: unknown };
  const nationalId = typeof input.nationalId === 'string' ? input.nationalId.replace(/[\s.-]/g, '') : '';
  const errors: FieldError[] = [];
  if (!/^\d{11}$/.test(nationalId)) {
    errors.push({ path: '/nationalId', message: 'Skriv et fødselsnummer eller D-nummer (11 siffer).' });
  }
  let purpose = '';
  try {
    purpose = purposeOf(body);
  } catch {
    errors.push({ path: '/purpose', message: 'Skriv hvorfor du søker på fødselsnummeret (3–300 tegn).' });
  }
  if (errors.length > 0) throw reject.invalid('Ugyldig søk.', errors);
  const filter = parseFilter(admin, {
    ...(typeof input.municipality === 'string' ? { municipality: input.municipality } : {}),
  });
  const secret = deps.searchSecret ? await deps.searchSecret() : undefined;
  if (!secret) throw new Error('The search secret (FOLDER_KEY_SECRET) is not configured');
  const at = (deps.now ?? (() => new Date()))().toISOString();
  return searchDeliveries(admin, '', filter, deps, nationalIdTerm(nationalId, secret), (found) =>
    Promise.all(
      found.map((d) =>
        deps.store.recordAudit(d, {
          at,
          by: who(admin),
          bySubject: admin.subject,
          action: 'national-id-searched',
          detail: `Funnet ved søk på fødselsnummer. Formål: ${purpose}.`,
        }),
      ),
    ).then(() => undefined),
  );
}

/** GET /v1/admin/deliveries/{id}: everything staff need to understand and act on one delivery. */
export async function getDeliveryDetail(principal: Principal, id: string, deps: AdminDeps) {
  const admin = requireAdmin(principal);
  const delivery = await findDelivery(admin, id, deps.store);
  const target = targetOf(deps.registry, delivery.target);
  const [found, envelope, produced] = await Promise.all([
    deps.store.get(delivery.trackingId),
    readEnvelope(delivery.trackingId, deps),
    target ? readOptional(deps, producedKey(delivery.trackingId, target)) : undefined,
  ]);
  const formType = deps.registry.formType(delivery.municipality, delivery.formType);
  const producedText = produced ? Buffer.from(produced).toString('utf8') : undefined;
  const explanation = delivery.failure
    ? explainFailure({
        failure: delivery.failure,
        ...(formType ? { formType } : {}),
        ...(target ? { target } : {}),
        ...(producedText && target?.kind === 'archive' ? { producedXml: producedText } : {}),
      })
    : null;
  const submission = found?.submission;
  const nationalId = envelope?.submitter.nationalId;
  const screened = screeningOf(deps.registry, delivery.municipality, delivery.formType);
  const corrections = parseCorrections(
    envelope ? await readOptional(deps, correctionsKey(delivery.trackingId)) : undefined,
  );
  const data = envelope ? formDataOf(envelope, corrections) : undefined;
  const faultFields =
    explanation && data
      ? [
          ...new Set([
            ...(explanation.field?.formFields ?? []),
            ...(delivery.failure?.code === 'mapping-failed' ? fieldsInRule(delivery.failure.details.rule, data) : []),
          ]),
        ]
      : [];
  return {
    delivery: {
      ...deliveryRow(delivery, deps.registry),
      targetKind: delivery.targetKind,
      waitsFor: delivery.after ?? null,
      round: delivery.round ?? 0,
      references: delivery.references ?? {},
      history: delivery.history,
      audit: delivery.audit ?? [],
    },
    municipality: {
      kommunenummer: delivery.municipality,
      name: deps.registry.municipality(delivery.municipality)?.name ?? delivery.municipality,
    },
    submission: submission && {
      trackingId: submission.trackingId,
      submissionId: submission.submissionId,
      providerId: submission.providerId,
      providerName: deps.registry.provider(submission.providerId)?.name ?? submission.providerId,
      formType: submission.formType,
      submittedAt: submission.submittedAt,
      receivedAt: submission.receivedAt,
      documents: submission.documents.map((d, index) => ({
        id: String(index),
        contentType: d.contentType,
        filename: d.filename,
        role: d.role,
        title: d.title,
        size: d.size,
      })),
    },
    submitter: {
      name: screened ? null : (envelope?.submitter.name ?? delivery.submitter?.name ?? null),
      screened: screened?.hjemmel ?? null,
      // Masked unless the user asks (POST …/national-id), and that look is recorded.
      nationalIdMasked: nationalId ? maskNationalId(nationalId) : null,
      organisationNumber: envelope?.submitter.organisationNumber ?? null,
      // After the retention period the envelope is gone: the number can no longer be shown.
      stored: envelope !== undefined,
    },
    related: (found?.deliveries ?? [])
      .filter((d) => d.id !== delivery.id)
      .map((d) => ({
        id: d.id,
        target: d.target,
        targetName: targetOf(deps.registry, d.target)?.name ?? d.target,
        status: d.status,
      })),
    explanation: explanation && {
      ...explanation,
      // The values the failing fields hold now (earlier corrections applied): what the clerk checks and corrects.
      values: data ? valuesOf(faultFields, data) : [],
    },
    correctable: delivery.status === 'FAILED' && envelope !== undefined,
    corrected: corrections.length > 0,
    produced:
      target && producedText !== undefined
        ? {
            ...producedFile(target),
            content: maskNationalIds(producedText.slice(0, PRODUCED_LIMIT)),
            truncated: producedText.length > PRODUCED_LIMIT,
          }
        : null,
  };
}

/**
 * POST /v1/admin/deliveries/{id}/national-id: the submitter's whole fødselsnummer, for a person who asked to
 * see it; the look is recorded on the delivery (who and when) before the number is handed out.
 */
export async function revealNationalId(principal: Principal, id: string, body: unknown, deps: AdminDeps) {
  const admin = requireAdmin(principal);
  const delivery = await findDelivery(admin, id, deps.store);
  const purpose = purposeOf(body);
  const envelope = await readEnvelope(delivery.trackingId, deps);
  const nationalId = envelope?.submitter.nationalId;
  if (!nationalId) throw reject.notFound('Innsendingen har ikke (lenger) noe fødselsnummer lagret.');
  const at = (deps.now ?? (() => new Date()))().toISOString();
  await deps.store.recordAudit(delivery, {
    at,
    by: who(admin),
    bySubject: admin.subject,
    action: 'national-id-shown',
    detail: `Fødselsnummeret ble vist. Formål: ${purpose}.`,
  });
  return { nationalId, shownAt: at };
}

/** Why a person looks at personal data: asked every time, kept with the look. */
function purposeOf(body: unknown): string {
  const purpose = (body as { purpose?: unknown } | undefined)?.purpose;
  if (typeof purpose !== 'string' || purpose.trim().length < 3 || purpose.length > 300) {
    throw reject.invalid('Oppgi formålet.', [
      { path: '/purpose', message: 'Skriv hvorfor du trenger å se det (3–300 tegn).' },
    ]);
  }
  return trimEndOf(purpose.trim(), '.').trim();
}

/** The screening of a form type's records (Offl. § 13, § 25 …), when it has one. */
export function screeningOf(registry: Registry, municipality: string, formType: string) {
  const skjerming = registry.formType(municipality, formType)?.archive?.skjerming;
  return skjerming ? { hjemmel: skjerming.skjermingshjemmel } : undefined;
}

/**
 * POST /v1/admin/deliveries/{id}/name: the name of the person a screened submission is about, for a person who
 * asked (with why); the look is recorded like a fødselsnummer's.
 */
export async function revealName(principal: Principal, id: string, body: unknown, deps: AdminDeps) {
  const admin = requireAdmin(principal);
  const delivery = await findDelivery(admin, id, deps.store);
  const purpose = purposeOf(body);
  const envelope = await readEnvelope(delivery.trackingId, deps);
  const name = envelope?.submitter.name ?? delivery.submitter?.name;
  if (!name) throw reject.notFound('Innsendingen har ikke (lenger) noe navn lagret.');
  const at = (deps.now ?? (() => new Date()))().toISOString();
  await deps.store.recordAudit(delivery, {
    at,
    by: who(admin),
    bySubject: admin.subject,
    action: 'name-shown',
    detail: `Navnet (skjermet) ble vist. Formål: ${purpose}.`,
  });
  return { name, shownAt: at };
}

/** Fødselsnummer-shaped numbers in produced text shown masked: the number itself is shown only on request. */
function maskNationalIds(text: string): string {
  return text.replace(/(?<!\d)\d{11}(?!\d)/g, (n) => maskNationalId(n));
}

async function readEnvelope(
  trackingId: string,
  deps: AdminDeps,
): Promise<Omit<SubmissionEnvelope, 'attachments'> | undefined> {
  const bytes = await readOptional(deps, DocumentStore.formKey(trackingId));
  return bytes ? JSON.parse(Buffer.from(bytes).toString('utf8')) : undefined;
}

/** The form data as the mappings read it now: as received, with a person's corrections applied. */
function formDataOf(envelope: Omit<SubmissionEnvelope, 'attachments'>, corrections: Correction[]) {
  try {
    return applyCorrections(parseFormData(envelope.formData.contentType, envelope.formData.content).data, corrections);
  } catch {
    return undefined;
  }
}
