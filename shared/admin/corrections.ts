import type { Principal } from '../auth/claims.ts';
import {
  applyCorrections,
  type Correction,
  correctionsKey,
  type FieldCorrection,
  isFieldPath,
  isGroupAt,
  parseCorrections,
  scalarAt,
} from '../delivery/corrections.ts';
import { record } from '../delivery/process.ts';
import { StaleTransitionError } from '../delivery/repository.ts';
import { type FieldError, reject } from '../domain/rejection.ts';
import { previewSubmission } from '../mapping/preview.ts';
import { DocumentStore } from '../store/documents.ts';
import type { DeliveryRecord } from '../store/records.ts';
import { parseFormData } from '../submission/form-data.ts';
import { maskNationalId } from '../submission/identifiers.ts';
import type { SubmissionEnvelope } from '../submission/types.ts';
import { type Admin, findDelivery, person, requireAdmin, requireRetryResolve, who } from './access.ts';
import type { AdminDeps } from './deliveries.ts';
import { readOptional } from './documents.ts';

/**
 * Correct-and-resend: a person with the right to retry corrects the form values the mapping reads (a postnummer
 * the archive refused, a percentage written "80 %"), previews the record it makes, and sends it again. The
 * original submission is never changed: the corrections are kept beside it (shared/delivery/corrections.ts)
 * and applied by every later mapping; old and new value, who and why go into the history.
 */

type Envelope = Omit<SubmissionEnvelope, 'attachments'>;

interface Loaded {
  admin: Admin;
  delivery: DeliveryRecord;
  envelope: Envelope;
  data: Record<string, unknown>;
  corrections: Correction[];
}

async function load(principal: Principal, id: string, deps: AdminDeps): Promise<Loaded> {
  const admin = requireAdmin(principal);
  const delivery = await findDelivery(admin, id, deps.store);
  const [form, stored] = await Promise.all([
    readOptional(deps, DocumentStore.formKey(delivery.trackingId)),
    readOptional(deps, correctionsKey(delivery.trackingId)),
  ]);
  if (!form) {
    throw reject.conflict('Innsendingen er ikke lenger lagret (slettet etter oppbevaringstiden), og kan ikke rettes.');
  }
  const envelope = JSON.parse(Buffer.from(form).toString('utf8')) as Envelope;
  const corrections = parseCorrections(stored);
  const parsed = parseFormData(envelope.formData.contentType, envelope.formData.content);
  return { admin, delivery, envelope, data: applyCorrections(parsed.data, corrections), corrections };
}

/** Every single value of the form data, as paths (what a person may pick to correct), at most `max`. */
export function fieldPaths(data: unknown, max = 300): string[] {
  const paths: string[] = [];
  const walk = (node: unknown, at: string) => {
    if (paths.length >= max) return;
    if (node !== null && typeof node === 'object') {
      if (Array.isArray(node)) return;
      for (const [key, value] of Object.entries(node)) walk(value, at ? `${at}.${key}` : key);
      return;
    }
    if (at && isFieldPath(at)) paths.push(at);
  };
  walk(data, '');
  return paths;
}

/** Form fields an expression reads (dotted names that lead to a value in this submission's form data). */
export function fieldsInRule(rule: string | undefined, data: unknown): string[] {
  if (!rule) return [];
  const names = rule.match(/(?<![$\p{L}\p{N}_.])[\p{L}_][\p{L}\p{N}_]*(?:\.[\p{L}_][\p{L}\p{N}_]*)*/gu) ?? [];
  return [...new Set(names)].filter((n) => isFieldPath(n) && scalarAt(data, n).found);
}

/** The value shown to staff: a fødselsnummer-shaped number masked like everywhere else in the console. */
export function shownValue(value: string | null): string | null {
  return value === null ? null : value.replace(/(?<!\d)\d{11}(?!\d)/g, (n) => maskNationalId(n));
}

/**
 * The form fields the failure names and their values now (with earlier corrections applied), for the
 * explanation ("Verdien i skjemaet: «80 %»") and the correction form.
 */
export function valuesOf(fields: readonly string[], data: unknown) {
  return fields
    .filter((f) => isFieldPath(f) && !isGroupAt(data, f))
    .map((field) => ({ field, value: shownValue(scalarAt(data, field).value) }));
}

/** GET /v1/admin/deliveries/{id}/correction: the fields a person may correct, the ones at fault first. */
export async function correctionForm(principal: Principal, id: string, suggested: readonly string[], deps: AdminDeps) {
  const { data, corrections } = await load(principal, id, deps);
  const earlier = corrections.flatMap((c) => c.changes.map((ch) => ch.field));
  const first = [...new Set([...suggested, ...earlier])].filter((f) => isFieldPath(f) && !isGroupAt(data, f));
  return {
    fields: valuesOf(first, data),
    all: fieldPaths(data),
    corrections: corrections.map((c) => ({
      ...c,
      changes: c.changes.map((ch) => ({ ...ch, from: shownValue(ch.from), to: shownValue(ch.to) ?? '' })),
    })),
  };
}

/** A request's changes, checked: known paths to single values, a new value that is one line of text. */
function parseChanges(body: unknown, data: Record<string, unknown>): { field: string; to: string }[] {
  const changes = (body as { changes?: unknown } | undefined)?.changes;
  const errors: FieldError[] = [];
  if (!Array.isArray(changes) || changes.length === 0 || changes.length > 20) {
    throw reject.invalid('Ingen rettelser.', [{ path: '/changes', message: 'Rett minst ett felt (høyst 20).' }]);
  }
  const seen = new Set<string>();
  const parsed = changes.map((c, i) => {
    const { field, to } = (c ?? {}) as { field?: unknown; to?: unknown };
    if (typeof field !== 'string' || !isFieldPath(field)) {
      errors.push({ path: `/changes/${i}/field`, message: 'Ugyldig feltnavn (punktum mellom nivåene).' });
    } else if (isGroupAt(data, field)) {
      errors.push({ path: `/changes/${i}/field`, message: `«${field}» er en gruppe av felt, ikke ett felt.` });
    } else if (seen.has(field)) {
      errors.push({ path: `/changes/${i}/field`, message: `«${field}» er rettet to ganger.` });
    }
    if (typeof field === 'string') seen.add(field);
    if (typeof to !== 'string' || to.length > 1000 || /\p{Cc}/u.test(to)) {
      errors.push({ path: `/changes/${i}/to`, message: 'Ny verdi må være én linje tekst (høyst 1000 tegn).' });
    }
    return { field: String(field), to: typeof to === 'string' ? to.trim() : '' };
  });
  if (errors.length > 0) throw reject.invalid('Ugyldige rettelser.', errors);
  return parsed;
}

function withChanges(loaded: Loaded, changes: { field: string; to: string }[], reason = ''): Correction {
  return {
    at: new Date(0).toISOString(),
    by: who(loaded.admin),
    reason,
    deliveryId: loaded.delivery.id,
    changes: changes.map((c) => ({ field: c.field, from: scalarAt(loaded.data, c.field).value, to: c.to })),
  };
}

/** POST /v1/admin/deliveries/{id}/correction/preview: the record this delivery would send with the changes. */
export async function previewCorrection(principal: Principal, id: string, body: unknown, deps: AdminDeps) {
  const loaded = await load(principal, id, deps);
  const changes = parseChanges(body, loaded.data);
  return previewWith(loaded, withChanges(loaded, changes), deps);
}

/** The record made with the corrections so far and the pending one, through the `map` preview. */
async function previewWith(loaded: Loaded, pending: Correction, deps: AdminDeps) {
  const found = await deps.store.get(loaded.delivery.trackingId);
  if (!found) throw reject.notFound('Ingen leveranse med denne identifikatoren.');
  const preview = await previewSubmission(deps.registry, loaded.envelope, {
    ...(loaded.delivery.after
      ? {
          archiveReferences: found.deliveries.find((d) => d.target === loaded.delivery.after)?.references ?? {},
        }
      : {}),
    stored: {
      trackingId: loaded.delivery.trackingId,
      receivedAt: found.submission.receivedAt,
      documents: found.submission.documents,
      formData: (data) => applyCorrections(data, [...loaded.corrections, pending]),
    },
  });
  const file = preview.files.find((f) => f.target === loaded.delivery.target);
  const problems = preview.problems.filter((p) => !p.target || p.target === loaded.delivery.target);
  return {
    changes: pending.changes.map((c) => ({ ...c, from: shownValue(c.from), to: shownValue(c.to) ?? '' })),
    file: file
      ? {
          filename: file.filename,
          contentType: file.contentType,
          // Shown like the produced record: a fødselsnummer only on request.
          content: shownValue(file.body) ?? '',
        }
      : null,
    problems: problems.map((p) => ({ ...(p.field ? { field: p.field } : {}), message: p.message })),
    ok: file !== undefined && problems.length === 0,
  };
}

/**
 * POST /v1/admin/deliveries/{id}/correct: keeps the corrections beside the submission, then FAILED → QUEUED in a
 * new round with old and new value, who and why in the history; the delivery is queued at once.
 */
export async function correctAndResend(principal: Principal, id: string, body: unknown, deps: AdminDeps) {
  const reason = (body as { reason?: unknown } | undefined)?.reason;
  if (typeof reason !== 'string' || reason.trim().length < 3 || reason.length > 2000) {
    throw reject.invalid('En begrunnelse er påkrevd.', [
      { path: '/reason', message: 'Skriv hvorfor verdien rettes (3–2000 tegn).' },
    ]);
  }
  const loaded = await load(principal, id, deps);
  requireRetryResolve(loaded.admin, loaded.delivery.municipality);
  if (loaded.delivery.status !== 'FAILED') {
    throw reject.conflict(`Leveransen har status ${loaded.delivery.status}; bare feilede leveranser kan rettes.`);
  }
  const changes = parseChanges(body, loaded.data);
  const at = (deps.now ?? (() => new Date()))();
  const correction: Correction = { ...withChanges(loaded, changes, reason.trim()), at: at.toISOString() };
  const unchanged = correction.changes.filter((c) => c.from === (c.to === '' ? null : c.to));
  if (unchanged.length === correction.changes.length) {
    throw reject.invalid('Ingen verdier er endret.', [
      { path: '/changes/0/to', message: 'Den nye verdien er lik den gamle.' },
    ]);
  }
  // Sent only if the record can be made with it: the same checks as the preview, so nothing is sent to fail again.
  const preview = await previewWith(loaded, correction, deps);
  if (!preview.ok) {
    throw reject.unprocessable(
      'Posten kan ikke lages med disse verdiene.',
      preview.problems.map((p) => ({ path: '/changes', message: p.message })),
    );
  }
  // Kept first: a delivery queued again must find its corrections. A stale retry takes them back out.
  const key = correctionsKey(loaded.delivery.trackingId);
  const save = (list: Correction[]) =>
    deps.documents.put(key, `${JSON.stringify({ corrections: list }, null, 2)}\n`, 'application/json');
  await save([...loaded.corrections, correction]);
  let updated: DeliveryRecord;
  try {
    updated = await record(
      loaded.delivery,
      {
        type: 'corrected-by-person',
        by: person(loaded.admin),
        changes: correction.changes as FieldCorrection[],
        reason: correction.reason,
      },
      deps,
      at,
    );
  } catch (error) {
    if (error instanceof StaleTransitionError) {
      await save(loaded.corrections);
      throw reject.conflict('Leveransen er endret av noen andre i mellomtiden; last siden på nytt.');
    }
    throw error;
  }
  await deps.queue.send([{ trackingId: updated.trackingId, targetId: updated.target, round: updated.round ?? 0 }]);
  return updated;
}
