import type { Principal } from '../auth/claims.ts';
import { FAILURE_CODES, type FailureCode } from '../delivery/failures.ts';
import { reject } from '../domain/rejection.ts';
import type { DeliveryRecord } from '../store/records.ts';
import { type Admin, findDelivery, requireAdmin } from './access.ts';
import { type AdminDeps, type DeliveryFilter, listPage, type Params, parseFilter } from './deliveries.ts';
import { explainFailure } from './explain.ts';

/**
 * Failures grouped by cause (the failure's code) and target, for the overview and for retrying one cause at a
 * time: how many, since when (the first failed attempt of each), and whether a retry can help without a change.
 */

/** Read at most this many deliveries of one status for the grouping; beyond, the counts say "at least". */
const MAX_READ = 2000;

/** One line per cause, in words staff use. */
export const CAUSE_LABEL: Record<FailureCode, string> = {
  'mapping-failed': 'Verdier i skjemaet passer ikke mottakerens format',
  'record-format': 'Arkivformatet kan ikke uttrykke innsendingen',
  'xsd-invalid': 'Arkivmeldingen ble ikke gyldig',
  'target-rejected': 'Mottakeren avviste innsendingen',
  'target-server-error': 'Feil hos mottakeren',
  'target-unavailable': 'Mottakeren var ikke tilgjengelig',
  'target-redirected': 'Mottakerens adresse er flyttet',
  'auth-refused': 'Mottakeren godtok ikke påloggingen',
  'configuration-missing': 'Oppsettet er ufullstendig',
  'receipt-overdue': 'Ingen kvittering fra mottakeren',
  internal: 'Uventet feil i Skjemaflyt',
};

/** When the delivery's current trouble began: its first failed attempt after the last time it was queued afresh. */
export function firstFailedAt(d: Pick<DeliveryRecord, 'history' | 'updatedAt'>): string {
  let first: string | undefined;
  for (const entry of d.history) {
    if (entry.status === 'RETRYING' || entry.status === 'FAILED') first ??= entry.at;
    else if (entry.status === 'QUEUED' && entry.by) first = undefined;
    else if (entry.status === 'DELIVERED') first = undefined;
  }
  return first ?? d.updatedAt;
}

export function parseFailureCode(value: string | undefined): FailureCode | undefined {
  if (!value) return undefined;
  if (!FAILURE_CODES.includes(value as FailureCode)) {
    throw reject.invalid('Ugyldig søk.', [{ path: '/failureCode', message: `Ukjent årsak «${value}».` }]);
  }
  return value as FailureCode;
}

/** Every delivery of the filter's status (up to MAX_READ), and whether that was all of them. */
export async function readAll(
  deps: AdminDeps,
  filter: DeliveryFilter & { status: NonNullable<DeliveryFilter['status']> },
) {
  const items: DeliveryRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await listPage(deps, { ...filter, limit: 100, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor && items.length < MAX_READ);
  return { items, complete: !cursor };
}

/** GET /v1/admin/failures?status=FAILED|RETRYING: the failures grouped by cause, each by target. */
export async function failureGroups(principal: Principal, params: Params, deps: AdminDeps) {
  const admin = requireAdmin(principal);
  const status = params.status || 'FAILED';
  if (status !== 'FAILED' && status !== 'RETRYING') {
    throw reject.invalid('Ugyldig søk.', [{ path: '/status', message: 'Status må være FAILED eller RETRYING.' }]);
  }
  const filter = { ...parseFilter(admin, params, status), status } as DeliveryFilter & { status: 'FAILED' };
  const { items, complete } = await readAll(deps, filter);
  const groups = new Map<FailureCode, DeliveryRecord[]>();
  for (const d of items) {
    const code = d.failure?.code ?? 'internal';
    groups.set(code, [...(groups.get(code) ?? []), d]);
  }
  const targetName = (id: string) => {
    try {
      return deps.registry.target(id).name;
    } catch {
      return id;
    }
  };
  return {
    status,
    complete,
    total: items.length,
    groups: [...groups.entries()]
      .map(([code, deliveries]) => {
        const byTarget = new Map<string, DeliveryRecord[]>();
        for (const d of deliveries) byTarget.set(d.target, [...(byTarget.get(d.target) ?? []), d]);
        const first = (list: DeliveryRecord[]) => list.map(firstFailedAt).sort()[0] ?? null;
        const sample = deliveries[0] as DeliveryRecord;
        const explained = sample.failure
          ? explainFailure({
              failure: sample.failure,
              ...(deps.registry.formType(sample.municipality, sample.formType)
                ? { formType: deps.registry.formType(sample.municipality, sample.formType) }
                : {}),
            })
          : undefined;
        return {
          code,
          label: CAUSE_LABEL[code],
          // Whether sending again without changing anything can help (the target was down, not the record wrong).
          retryHelps: explained?.retryHelps ?? true,
          count: deliveries.length,
          firstFailedAt: first(deliveries),
          targets: [...byTarget.entries()]
            .map(([target, list]) => ({
              target,
              targetName: targetName(target),
              count: list.length,
              firstFailedAt: first(list),
            }))
            .sort((a, b) => b.count - a.count),
        };
      })
      .sort((a, b) => b.count - a.count),
  };
}

/** POST /v1/admin/deliveries/outcome: where the deliveries a person sent again are now (for "15 levert, 5 feilet"). */
export async function deliveryOutcome(principal: Principal, body: unknown, deps: AdminDeps) {
  const admin: Admin = requireAdmin(principal);
  const ids = (body as { ids?: unknown } | undefined)?.ids;
  if (!Array.isArray(ids) || ids.length > 500 || ids.some((id) => typeof id !== 'string')) {
    throw reject.invalid('Ugyldige leveranse-id-er.', [
      { path: '/ids', message: 'En liste med høyst 500 leveranse-id-er.' },
    ]);
  }
  const counts = { delivered: 0, failed: 0, waiting: 0, resolved: 0 };
  for (let i = 0; i < ids.length; i += 10) {
    const found = await Promise.all(
      (ids.slice(i, i + 10) as string[]).map((id) => findDelivery(admin, id, deps.store).catch(() => undefined)),
    );
    for (const d of found) {
      if (!d) continue;
      if (d.status === 'DELIVERED') counts.delivered++;
      else if (d.status === 'FAILED') counts.failed++;
      else if (d.status === 'RESOLVED') counts.resolved++;
      else counts.waiting++;
    }
  }
  return { ...counts, done: counts.waiting === 0 };
}
