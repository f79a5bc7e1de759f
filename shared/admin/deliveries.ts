import type { Principal } from '../auth/claims.ts';
import type { DeliveryStatus } from '../delivery/status.ts';
import { type FieldError, problems } from '../http/problem.ts';
import type { DeliveryMessage } from '../queue/delivery-queue.ts';
import { type DeliveryRecord, parseDeliveryId } from '../store/records.ts';
import { StaleTransitionError, type StatusPage, type StatusQuery, type SubmissionStore } from '../store/submissions.ts';

/** The admin API's logic: every call checks that the admin may see the delivery's municipality. */
export interface AdminDeps {
  store: Pick<SubmissionStore, 'get' | 'getDelivery' | 'transition' | 'listByStatus'>;
  queue: { send(messages: DeliveryMessage[]): Promise<void> };
  now?: () => Date;
}

const STATUSES: DeliveryStatus[] = ['PENDING', 'QUEUED', 'RETRYING', 'DELIVERED', 'FAILED', 'RESOLVED'];

function requireAdmin(principal: Principal): Extract<Principal, { kind: 'admin' }> {
  if (principal.kind !== 'admin') throw problems.forbidden('Krever administratortilgang for kommunen.');
  return principal;
}

function who(principal: Extract<Principal, { kind: 'admin' }>): string {
  return principal.name ?? principal.subject;
}

/** A delivery the admin may not see answers like a missing one. */
async function findDelivery(principal: Principal, id: string, deps: AdminDeps): Promise<DeliveryRecord> {
  const admin = requireAdmin(principal);
  const ref = parseDeliveryId(id);
  const delivery = ref ? await deps.store.getDelivery(ref.trackingId, ref.targetId) : undefined;
  if (!delivery || !admin.municipalities.includes(delivery.municipality)) {
    throw problems.notFound('Ingen leveranse med denne identifikatoren.');
  }
  return delivery;
}

export async function listDeliveries(
  principal: Principal,
  params: Record<string, string | undefined>,
  deps: AdminDeps,
): Promise<{ items: DeliveryRecord[]; nextCursor: string | null; scannedCount: number; consumedCapacity: number }> {
  const admin = requireAdmin(principal);
  const errors: FieldError[] = [];
  const municipality = params.municipality ?? (admin.municipalities.length === 1 ? admin.municipalities[0] : undefined);
  if (!municipality) errors.push({ path: '/municipality', message: 'Velg kommune (kommunenummer).' });
  const status = (params.status ?? 'FAILED') as DeliveryStatus;
  if (!STATUSES.includes(status)) errors.push({ path: '/status', message: `Ukjent status «${params.status}».` });
  const limit = Number(params.limit ?? '50');
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    errors.push({ path: '/limit', message: 'limit må være et heltall fra 1 til 100.' });
  }
  for (const field of ['from', 'to'] as const) {
    if (params[field] && Number.isNaN(Date.parse(params[field] ?? ''))) {
      errors.push({ path: `/${field}`, message: 'Ugyldig tidspunkt (RFC 3339 eller ÅÅÅÅ-MM-DD).' });
    }
  }
  let cursor: Record<string, unknown> | undefined;
  if (params.cursor) {
    try {
      cursor = JSON.parse(Buffer.from(params.cursor, 'base64url').toString('utf8'));
    } catch {
      errors.push({ path: '/cursor', message: 'Ugyldig markør.' });
    }
  }
  if (errors.length > 0) throw problems.badRequest('Ugyldig søk.', errors);
  if (!admin.municipalities.includes(municipality ?? '')) {
    throw problems.forbidden(`Ingen administratortilgang for kommune ${municipality}.`, [
      { path: '/municipality', message: `Ingen tilgang til kommune ${municipality}.` },
    ]);
  }
  const query: StatusQuery = {
    municipality: municipality ?? '',
    status,
    limit,
    ...(params.target ? { target: params.target } : {}),
    ...(params.formType ? { formType: params.formType } : {}),
    ...(params.from ? { from: new Date(params.from).toISOString() } : {}),
    ...(params.to ? { to: new Date(params.to).toISOString() } : {}),
    ...(cursor ? { cursor } : {}),
  };
  const page: StatusPage = await deps.store.listByStatus(query);
  const q = params.q?.trim().toLowerCase();
  const items = q
    ? page.items.filter((d) => [d.id, d.trackingId, d.submissionId ?? ''].some((v) => v.toLowerCase().includes(q)))
    : page.items;
  return {
    items,
    nextCursor: page.cursor ? Buffer.from(JSON.stringify(page.cursor)).toString('base64url') : null,
    scannedCount: page.scannedCount,
    consumedCapacity: page.consumedCapacity,
  };
}

export async function getDeliveryDetail(principal: Principal, id: string, deps: AdminDeps) {
  const delivery = await findDelivery(principal, id, deps);
  const found = await deps.store.get(delivery.trackingId);
  return {
    delivery,
    submission: found && {
      trackingId: found.submission.trackingId,
      submissionId: found.submission.submissionId,
      providerId: found.submission.providerId,
      formType: found.submission.formType,
      municipality: found.submission.municipality,
      submittedAt: found.submission.submittedAt,
      receivedAt: found.submission.receivedAt,
      documents: found.submission.documents.map((d) => ({
        filename: d.filename,
        role: d.role,
        title: d.title,
        size: d.size,
      })),
    },
  };
}

/** A person puts a FAILED delivery back in the queue: a new round of attempts, recorded with who did it. */
export async function retryDelivery(principal: Principal, id: string, deps: AdminDeps): Promise<DeliveryRecord> {
  const delivery = await findDelivery(principal, id, deps);
  const admin = requireAdmin(principal);
  let updated: DeliveryRecord;
  try {
    updated = await deps.store.transition(
      delivery,
      {
        to: 'QUEUED',
        from: ['FAILED'],
        detail: 'Sendt på nytt av en person.',
        by: who(admin),
        newRound: true,
        nextAttemptAt: null,
      },
      (deps.now ?? (() => new Date()))(),
    );
  } catch (error) {
    if (error instanceof StaleTransitionError) {
      throw problems.conflict(`Leveransen har status ${delivery.status}; bare feilede leveranser kan sendes på nytt.`);
    }
    throw error;
  }
  await deps.queue.send([{ trackingId: updated.trackingId, targetId: updated.target, round: updated.round ?? 0 }]);
  return updated;
}

/** A person closes a delivery that will not be delivered by Skjemaflyt (handled by hand), with why. */
export async function resolveDelivery(
  principal: Principal,
  id: string,
  body: unknown,
  deps: AdminDeps,
): Promise<DeliveryRecord> {
  const comment = (body as { comment?: unknown } | undefined)?.comment;
  if (typeof comment !== 'string' || comment.trim().length < 3 || comment.length > 2000) {
    throw problems.badRequest('En kommentar er påkrevd.', [
      { path: '/comment', message: 'Skriv hvorfor leveransen lukkes (3–2000 tegn).' },
    ]);
  }
  const delivery = await findDelivery(principal, id, deps);
  const admin = requireAdmin(principal);
  try {
    return await deps.store.transition(
      delivery,
      { to: 'RESOLVED', detail: `Lukket: ${comment.trim()}`, by: who(admin), nextAttemptAt: null },
      (deps.now ?? (() => new Date()))(),
    );
  } catch (error) {
    if (error instanceof StaleTransitionError) {
      throw problems.conflict(`Leveransen har status ${delivery.status} og kan ikke lukkes.`);
    }
    throw error;
  }
}
