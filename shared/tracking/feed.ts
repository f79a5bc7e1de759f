import type { Principal } from '../auth/claims.ts';
import type { SubmissionWithDeliveries } from '../delivery/repository.ts';
import type { FieldError } from '../domain/rejection.ts';
import { reject } from '../domain/rejection.ts';
import { type FeedPage, InvalidCursorError } from '../store/submissions.ts';
import { statusView } from './status-view.ts';

/** GET /v1/submissions: what a provider asks of its own submissions. */
export interface FeedQuery {
  /** RFC 3339, normalised to UTC; the feed holds changes at or after it */
  updatedSince: string;
  limit: number;
  cursor?: string;
  /** Find one submission by the provider's own id instead */
  submissionId?: string;
}

export const FEED_DEFAULT_LIMIT = 50;
export const FEED_MAX_LIMIT = 100;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/** The query string, checked: each fault names its parameter (as `/<name>`) and has a code. */
export function parseFeedQuery(params: Record<string, string | undefined>): FeedQuery {
  const errors: FieldError[] = [];
  let updatedSince = '0000-01-01T00:00:00.000Z';
  if (params.updatedSince !== undefined) {
    const time = RFC3339.test(params.updatedSince) ? new Date(params.updatedSince) : undefined;
    if (!time || Number.isNaN(time.getTime())) {
      errors.push({
        path: '/updatedSince',
        code: 'invalid-timestamp',
        message: 'updatedSince må være et tidspunkt i RFC 3339 med tidssone, f.eks. 2026-11-30T08:00:00Z.',
      });
    } else updatedSince = time.toISOString();
  }
  let limit = FEED_DEFAULT_LIMIT;
  if (params.limit !== undefined) {
    limit = /^\d{1,3}$/.test(params.limit) ? Number(params.limit) : Number.NaN;
    if (!(limit >= 1 && limit <= FEED_MAX_LIMIT)) {
      errors.push({
        path: '/limit',
        code: 'out-of-range',
        message: `limit må være et heltall fra 1 til ${FEED_MAX_LIMIT}.`,
      });
    }
  }
  const { cursor, submissionId } = params;
  if (cursor !== undefined && (cursor.length === 0 || cursor.length > 2048)) {
    errors.push({ path: '/cursor', code: 'invalid-cursor', message: 'cursor er ikke en markør fra denne listen.' });
  }
  if (submissionId !== undefined && (submissionId.length === 0 || submissionId.length > 128)) {
    errors.push({ path: '/submissionId', code: 'out-of-range', message: 'submissionId må ha 1–128 tegn.' });
  }
  if (errors.length > 0) throw reject.invalid('Spørringen har feil i ett eller flere parametre.', errors);
  return {
    updatedSince,
    limit,
    ...(cursor !== undefined ? { cursor } : {}),
    ...(submissionId !== undefined ? { submissionId } : {}),
  };
}

export interface FeedStore {
  get(trackingId: string): Promise<SubmissionWithDeliveries | undefined>;
  findReceipt(providerId: string, submissionId: string): Promise<{ trackingId: string } | undefined>;
  changedSince(providerId: string, since: string, limit: number, cursor?: string): Promise<FeedPage>;
}

type View = ReturnType<typeof statusView> & { updatedAt: string };

/**
 * The provider's own submissions changed at or after `updatedSince`, oldest change first, each as the provider
 * sees it now (shared/tracking/status-view.ts) with the time of its last change; `nextCursor` goes on. With
 * `submissionId`: that one submission, or none. Only the caller's own submissions, ever: the index is keyed by
 * provider and the cursor is bound to it.
 */
export async function providerFeed(
  principal: Principal,
  query: FeedQuery,
  store: FeedStore,
): Promise<{ items: View[]; nextCursor: string | null }> {
  if (principal.kind !== 'provider') throw reject.forbidden('Listen over innsendinger er for skjemaleverandører.');
  const view = (found: SubmissionWithDeliveries): View => ({
    ...statusView(principal, found),
    updatedAt: found.deliveries.reduce(
      (latest, d) => (d.updatedAt > latest ? d.updatedAt : latest),
      found.submission.receivedAt,
    ),
  });
  if (query.submissionId !== undefined) {
    const receipt = await store.findReceipt(principal.providerId, query.submissionId);
    const found = receipt ? await store.get(receipt.trackingId) : undefined;
    return {
      items: found && found.submission.providerId === principal.providerId ? [view(found)] : [],
      nextCursor: null,
    };
  }
  let page: FeedPage;
  try {
    page = await store.changedSince(principal.providerId, query.updatedSince, query.limit, query.cursor);
  } catch (error) {
    if (error instanceof InvalidCursorError) {
      throw reject.invalid('Markøren hører ikke til denne listen.', [
        { path: '/cursor', code: 'invalid-cursor', message: 'cursor er ikke en markør fra denne listen.' },
      ]);
    }
    throw error;
  }
  // A submission whose deliveries changed at different times is listed once, at its latest change on this page.
  const order: string[] = [];
  for (const entry of page.entries) {
    const at = order.indexOf(entry.trackingId);
    if (at >= 0) order.splice(at, 1);
    order.push(entry.trackingId);
  }
  const found = await Promise.all(order.map((trackingId) => store.get(trackingId)));
  return {
    items: found.flatMap((f) => (f && f.submission.providerId === principal.providerId ? [view(f)] : [])),
    nextCursor: page.cursor ?? null,
  };
}
