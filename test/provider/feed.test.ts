import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryKey } from '../../shared/store/dynamodb/keys.ts';
import { SubmissionStore } from '../../shared/store/submissions.ts';
import { sample, testHub } from '../support/hub.ts';

/**
 * The provider's catch-up feed, GET /v1/submissions: its own submissions only, changed since a time, paged with an
 * opaque cursor, each in the provider's view; and "find by submissionId" on the same route.
 */
type Hub = Awaited<ReturnType<typeof testHub>>;
let t: Hub;

beforeAll(async () => {
  t = await testHub();
});

afterAll(async () => {
  await t?.hub.stop();
});

async function feed(query: Record<string, string>, provider = 'eskjema') {
  const response = await fetch(`${t.hub.url}/v1/submissions?${new URLSearchParams(query)}`, {
    headers: { authorization: `Bearer ${await t.token({ provider })}` },
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

describe('the provider’s feed', () => {
  const ours: string[] = [];
  let theirs = '';
  let before = '';

  beforeAll(async () => {
    before = new Date(Date.now() - 1000).toISOString();
    for (const i of [1, 2, 3]) {
      const { status, body } = await t.post({ ...(await sample('tt-kort-soknad')), submissionId: `feed-${i}` });
      expect(status).toBe(202);
      ours.push(body.trackingId);
    }
    const other = await t.post(await sample('a-skjema-tilsetting'), 'halden-intranett');
    expect(other.status).toBe(202);
    theirs = other.body.trackingId;
    await t.drained();
  });

  it('pages through the provider’s own submissions with an opaque cursor, in the provider’s view', async () => {
    const seen: any[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const { status, body } = await feed({ updatedSince: before, limit: '1', ...(cursor ? { cursor } : {}) });
      expect(status).toBe(200);
      seen.push(...body.items);
      cursor = body.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 20);
    const ids = seen.map((s) => s.trackingId);
    for (const id of ours) expect(ids).toContain(id);
    // Never another provider's submission.
    expect(ids).not.toContain(theirs);
    const one = seen.find((s) => s.trackingId === ours[0]);
    expect(one).toMatchObject({ submissionId: 'feed-1', status: 'DELIVERED' });
    expect(one.updatedAt >= before).toBe(true);
    // The provider's view: statuses in the hub's plain words, no staff's words.
    expect(one.deliveries[0].history.every((h: { by?: string }) => h.by === undefined)).toBe(true);
  });

  it('the other provider sees its own and not ours', async () => {
    const { body } = await feed({ updatedSince: before }, 'halden-intranett');
    const ids = body.items.map((s: { trackingId: string }) => s.trackingId);
    expect(ids).toContain(theirs);
    for (const id of ours) expect(ids).not.toContain(id);
  });

  it('holds only what changed at or after updatedSince', async () => {
    const { body } = await feed({ updatedSince: new Date(Date.now() + 60_000).toISOString() });
    expect(body).toEqual({ items: [], nextCursor: null });
  });

  it('finds a submission by the provider’s own submissionId, and only the provider’s own', async () => {
    const found = await feed({ submissionId: 'feed-2' });
    expect(found.status).toBe(200);
    expect(found.body.items.map((s: { trackingId: string }) => s.trackingId)).toEqual([ours[1]]);
    const none = await feed({ submissionId: 'feed-2' }, 'halden-intranett');
    expect(none.body.items).toEqual([]);
  });

  it('a cursor from another provider’s feed or made up is 400 naming /cursor', async () => {
    const { body: page } = await feed({ updatedSince: before, limit: '1' }, 'halden-intranett');
    const foreign = page.nextCursor ?? Buffer.from('{"gsi2pk":"PROVIDER#halden-intranett"}').toString('base64url');
    for (const cursor of [foreign, 'not-a-cursor']) {
      const { status, body } = await feed({ cursor });
      expect(status).toBe(400);
      expect(body.errors[0]).toMatchObject({ path: '/cursor', code: 'invalid-cursor' });
    }
  });

  it('a bad updatedSince or limit is 400 naming the parameter', async () => {
    const { status, body } = await feed({ updatedSince: 'i går', limit: '1000' });
    expect(status).toBe(400);
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['/limit', '/updatedSince']);
  });

  it('a delivery stored before the feed existed joins it at its next change', async () => {
    const { body } = await t.post({ ...(await sample('melding-vei-gatelys')), submissionId: 'feed-old' });
    await t.drained();
    const db = DynamoDBDocumentClient.from(t.hub.clients.dynamodb);
    const store = new SubmissionStore(db, t.hub.resources.tableName);
    const found = await store.get(body.trackingId);
    const delivery = found?.deliveries[0];
    if (!delivery) throw new Error('no delivery');
    // As an item written before the index: no feed key.
    await db.send(
      new UpdateCommand({
        TableName: t.hub.resources.tableName,
        Key: deliveryKey(delivery.trackingId, delivery.target),
        UpdateExpression: 'REMOVE gsi2pk, gsi2sk',
      }),
    );
    const inFeed = async () =>
      (await feed({ updatedSince: before, limit: '100' })).body.items.some(
        (s: { trackingId: string }) => s.trackingId === body.trackingId,
      );
    expect(await inFeed()).toBe(false);
    // Its next change (a person closes it) puts it in the feed.
    await store.transition(delivery, {
      from: [delivery.status],
      to: 'RESOLVED',
      entry: { at: new Date().toISOString(), status: 'RESOLVED', detail: 'Lukket.' },
    });
    expect(await inFeed()).toBe(true);
  });
});
