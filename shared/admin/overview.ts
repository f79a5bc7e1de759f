import type { Principal } from '../auth/claims.ts';
import type { Registry } from '../config/registry.ts';
import type { DeliveryStatus } from '../delivery/lifecycle.ts';
import type { StatusSummary } from '../store/submissions.ts';
import { municipalityFor, requireAdmin, who } from './access.ts';
import type { AdminDeps, Params } from './deliveries.ts';

/** Statuses still waiting for something (the hub or a person): counted in full. */
const OPEN: DeliveryStatus[] = ['PENDING', 'QUEUED', 'SENT', 'RETRYING', 'FAILED'];
/** Done statuses: counted over the last day only (reading them all would grow without end). */
const DONE: DeliveryStatus[] = ['DELIVERED', 'RESOLVED'];
const DAY_MS = 24 * 3600 * 1000;

/**
 * GET /v1/admin/me: who the console is talking to, and the municipalities they may pick from, each with its form
 * types and targets (the console's filters).
 */
export function me(principal: Principal, deps: Pick<AdminDeps, 'registry'>) {
  const admin = requireAdmin(principal);
  return {
    name: who(admin),
    municipalities: admin.municipalities.map((kommunenummer) => {
      const formTypes = formTypesOf(deps.registry, kommunenummer);
      return {
        kommunenummer,
        name: deps.registry.municipality(kommunenummer)?.name ?? kommunenummer,
        // Read-only staff see no retry or resolve buttons (and the API refuses them anyway)
        canRetryResolve: admin.canRetryResolve.includes(kommunenummer),
        formTypes: formTypes.map((f) => ({ id: f.id, title: f.title })),
        targets: [...new Set(formTypes.flatMap((f) => f.deliveries.map((d) => d.target)))].map((id) => ({
          id,
          name: targetName(deps.registry, id),
        })),
      };
    }),
  };
}

function formTypesOf(registry: Registry, kommunenummer: string) {
  return registry.config.deployments
    .flatMap((d) => d.formTypes)
    .filter((f) => f.municipalities.includes(kommunenummer));
}

function targetName(registry: Registry, id: string): string {
  try {
    return registry.target(id).name;
  } catch {
    return id;
  }
}

/**
 * GET /v1/admin/overview: counts per status and target, and the delivery that has waited longest. Reads the
 * status index only: each open status in full, and the last 24 hours of the done ones.
 */
export async function overview(principal: Principal, params: Params, deps: AdminDeps) {
  const admin = requireAdmin(principal);
  const municipality = municipalityFor(admin, params.municipality);
  const now = (deps.now ?? (() => new Date()))();
  const since = new Date(now.getTime() - DAY_MS).toISOString();
  const statuses = [...OPEN, ...DONE];
  const summaries = await Promise.all(
    statuses.map((status) => deps.store.summarize(municipality, status, DONE.includes(status) ? { from: since } : {})),
  );
  const byStatus = new Map<DeliveryStatus, StatusSummary>(statuses.map((s, i) => [s, summaries[i] as StatusSummary]));

  const targetIds = new Set(formTypesOf(deps.registry, municipality).flatMap((f) => f.deliveries.map((d) => d.target)));
  for (const summary of summaries) for (const id of Object.keys(summary.byTarget)) targetIds.add(id);

  const waiting = OPEN.map((status) => ({ status, oldest: byStatus.get(status)?.oldest }))
    .filter((w) => w.oldest !== undefined)
    .sort((a, b) => ((a.oldest?.since ?? '') < (b.oldest?.since ?? '') ? -1 : 1))[0];

  return {
    municipality: { kommunenummer: municipality, name: deps.registry.municipality(municipality)?.name ?? municipality },
    generatedAt: now.toISOString(),
    doneSince: since,
    counts: Object.fromEntries(statuses.map((s) => [s, byStatus.get(s)?.count ?? 0])),
    complete: summaries.every((s) => s.complete),
    targets: [...targetIds].map((id) => ({
      id,
      name: targetName(deps.registry, id),
      counts: Object.fromEntries(statuses.map((s) => [s, byStatus.get(s)?.byTarget[id] ?? 0])),
    })),
    oldestWaiting:
      waiting?.oldest !== undefined
        ? {
            id: waiting.oldest.id,
            status: waiting.status,
            target: waiting.oldest.target,
            targetName: targetName(deps.registry, waiting.oldest.target),
            formType: waiting.oldest.formType,
            formTypeTitle:
              deps.registry.formType(municipality, waiting.oldest.formType)?.title ?? waiting.oldest.formType,
            since: waiting.oldest.since,
          }
        : null,
  };
}
