import type { Principal } from '../auth/claims.ts';
import { record } from '../delivery/process.ts';
import { StaleTransitionError } from '../delivery/repository.ts';
import { reject } from '../domain/rejection.ts';
import type { DeliveryRecord } from '../store/records.ts';
import { type Admin, findDelivery, person, requireAdmin, requireRetryResolve } from './access.ts';
import {
  type AdminDeps,
  encodeCursor,
  invalidCursor,
  listPage,
  type Params,
  parseFilter,
  parseLimit,
} from './deliveries.ts';
import { parseFailureCode, readAll } from './failures.ts';

/** What a person does about failed deliveries; each change is recorded in the history with who did it. */

const now = (deps: AdminDeps) => (deps.now ?? (() => new Date()))();

/** FAILED → QUEUED with a new round of attempts (its own idempotency key), recorded with who did it. */
async function requeue(admin: Admin, delivery: DeliveryRecord, deps: AdminDeps, bulk: boolean) {
  requireRetryResolve(admin, delivery.municipality);
  return record(delivery, { type: 'retried-by-person', by: person(admin), bulk }, deps, now(deps));
}

/** POST /v1/admin/deliveries/{id}/retry */
export async function retryDelivery(principal: Principal, id: string, deps: AdminDeps): Promise<DeliveryRecord> {
  const admin = requireAdmin(principal);
  const delivery = await findDelivery(admin, id, deps.store);
  let updated: DeliveryRecord;
  try {
    updated = await requeue(admin, delivery, deps, false);
  } catch (error) {
    if (error instanceof StaleTransitionError) {
      throw reject.conflict(`Leveransen har status ${delivery.status}; bare feilede leveranser kan sendes på nytt.`);
    }
    throw error;
  }
  await deps.queue.send([{ trackingId: updated.trackingId, targetId: updated.target, round: updated.round ?? 0 }]);
  return updated;
}

/**
 * POST /v1/admin/deliveries/retry: every FAILED delivery matching the filter (after an outage), one page per
 * call; the caller goes on with `cursor` until `done`. Only deliveries that failed before the first call are
 * taken (`until`), so one that fails again meanwhile is not retried in a loop. The first call counts them all.
 */
export async function retryMatching(principal: Principal, body: unknown, deps: AdminDeps) {
  const admin = requireAdmin(principal);
  const params = stringParams(body);
  if (params.status && params.status !== 'FAILED') {
    throw reject.invalid('Bare feilede leveranser kan sendes på nytt.', [
      { path: '/status', message: 'Status må være FAILED.' },
    ]);
  }
  const filter = { ...parseFilter(admin, params, 'FAILED'), status: 'FAILED' as const };
  requireRetryResolve(admin, filter.municipality);
  // One cause at a time (the grouped retry): only the failures with this code are taken.
  const failureCode = parseFailureCode(params.failureCode);
  const ofCause = (d: DeliveryRecord) => !failureCode || d.failure?.code === failureCode;
  const limit = parseLimit(params.limit, 25, 100);
  const started = now(deps).toISOString();
  let until = filter.to && filter.to < started ? filter.to : started;
  let cursor: string | undefined;
  if (params.cursor) {
    let state: { k?: unknown; u?: unknown } = {};
    try {
      state = JSON.parse(Buffer.from(params.cursor, 'base64url').toString('utf8'));
    } catch {
      // refused below
    }
    // A time as this function wrote it: canonical ISO, years 0000–9999 (the index sorts times as text).
    const canonical = (u: unknown) =>
      typeof u === 'string' && /^\d{4}-/.test(u) && !Number.isNaN(Date.parse(u)) && new Date(u).toISOString() === u;
    if (!canonical(state?.u) || (state.k && typeof state.k !== 'string')) {
      throw invalidCursor();
    }
    until = state.u as string;
    if (typeof state.k === 'string') cursor = state.k;
  }
  const total = params.cursor
    ? undefined
    : failureCode
      ? (await readAll(deps, { ...filter, to: until })).items.filter(ofCause).length
      : (
          await deps.store.summarize(filter.municipality, 'FAILED', {
            ...(filter.from ? { from: filter.from } : {}),
            to: until,
            ...(filter.target ? { target: filter.target } : {}),
            ...(filter.formType ? { formType: filter.formType } : {}),
          })
        ).count;
  const page = await listPage(deps, { ...filter, to: until, limit, ...(cursor ? { cursor } : {}) });
  const retried: DeliveryRecord[] = [];
  let skipped = 0;
  for (const delivery of page.items.filter(ofCause)) {
    try {
      retried.push(await requeue(admin, delivery, deps, true));
    } catch (error) {
      if (!(error instanceof StaleTransitionError)) throw error;
      skipped++;
    }
  }
  await deps.queue.send(retried.map((d) => ({ trackingId: d.trackingId, targetId: d.target, round: d.round ?? 0 })));
  return {
    ...(total !== undefined ? { total } : {}),
    retried: retried.length,
    ids: retried.map((d) => d.id),
    skipped,
    done: !page.cursor,
    nextCursor: page.cursor ? encodeCursor({ k: page.cursor, u: until }) : null,
  };
}

/** POST /v1/admin/deliveries/{id}/resolve: closed by a person (handled by hand), with why. */
export async function resolveDelivery(
  principal: Principal,
  id: string,
  body: unknown,
  deps: AdminDeps,
): Promise<DeliveryRecord> {
  const comment = (body as { comment?: unknown } | undefined)?.comment;
  if (typeof comment !== 'string' || comment.trim().length < 3 || comment.length > 2000) {
    throw reject.invalid('En kommentar er påkrevd.', [
      { path: '/comment', message: 'Skriv hvorfor leveransen lukkes (3–2000 tegn).' },
    ]);
  }
  const admin = requireAdmin(principal);
  const delivery = await findDelivery(admin, id, deps.store);
  requireRetryResolve(admin, delivery.municipality);
  try {
    return await record(delivery, { type: 'resolved-by-person', by: person(admin), comment }, deps, now(deps));
  } catch (error) {
    if (error instanceof StaleTransitionError) {
      throw reject.conflict(`Leveransen har status ${delivery.status} og kan ikke lukkes.`);
    }
    throw error;
  }
}

function stringParams(body: unknown): Params {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return {};
  const params: Params = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'string' || typeof value === 'number') params[key] = String(value);
  }
  return params;
}

/** A person's reason, checked: 3–2000 characters, named by its field. */
function reasonOf(body: unknown, field: 'comment' | 'purpose', message: string, max = 2000): string {
  const value = (body as Record<string, unknown> | undefined)?.[field];
  if (typeof value !== 'string' || value.trim().length < 3 || value.length > max) {
    throw reject.invalid(message, [{ path: `/${field}`, message: `${message} (3–${max} tegn).` }]);
  }
  return value.trim();
}

/**
 * POST /v1/admin/deliveries/{id}/retry-now: a delivery waiting for its next automatic attempt (RETRYING) is sent
 * now, in a new round: the waiting queue message belongs to the old round and is dropped when it comes back.
 */
export async function retryNow(principal: Principal, id: string, deps: AdminDeps): Promise<DeliveryRecord> {
  const admin = requireAdmin(principal);
  const delivery = await findDelivery(admin, id, deps.store);
  requireRetryResolve(admin, delivery.municipality);
  let updated: DeliveryRecord;
  try {
    updated = await record(delivery, { type: 'retried-now-by-person', by: person(admin) }, deps, now(deps));
  } catch (error) {
    if (error instanceof StaleTransitionError) {
      throw reject.conflict(
        `Leveransen har status ${delivery.status}; bare en som venter på neste forsøk kan prøves nå.`,
      );
    }
    throw error;
  }
  await deps.queue.send([{ trackingId: updated.trackingId, targetId: updated.target, round: updated.round ?? 0 }]);
  return updated;
}

/** POST /v1/admin/deliveries/{id}/reopen: a delivery closed by mistake needs a person again (FAILED), with why. */
export async function reopenDelivery(principal: Principal, id: string, body: unknown, deps: AdminDeps) {
  const comment = reasonOf(body, 'comment', 'Skriv hvorfor leveransen åpnes igjen');
  const admin = requireAdmin(principal);
  const delivery = await findDelivery(admin, id, deps.store);
  requireRetryResolve(admin, delivery.municipality);
  try {
    return await record(delivery, { type: 'reopened-by-person', by: person(admin), comment }, deps, now(deps));
  } catch (error) {
    if (error instanceof StaleTransitionError) {
      throw reject.conflict(`Leveransen har status ${delivery.status}; bare en lukket leveranse kan åpnes igjen.`);
    }
    throw error;
  }
}
