import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSubmission } from '../support/factories.ts';
import { type FakeArchive, type Fault, startFakeArchive } from '../support/fake-archive.ts';
import { httpArchiveConfig } from '../support/http-config.ts';
import { providerFor, testHub } from '../support/hub.ts';

type Hub = Awaited<ReturnType<typeof testHub>>;
let t: Hub;
let archive: FakeArchive;

beforeAll(async () => {
  archive = await startFakeArchive({ hangMs: 5_000 });
  process.env.FAKE_ARCHIVE_URL = archive.url;
  process.env.FAKE_ARCHIVE_TOKEN = 'hemmelig-arkivnøkkel';
  t = await testHub(undefined, { configPath: await httpArchiveConfig() });
});

afterAll(async () => {
  await t?.hub.stop();
  await archive?.close();
});

/** The first faults in order, then success. */
const faults = (...list: Fault[]) => {
  const start = archive.calls;
  return (call: number): Fault => list[call - start - 1] ?? 'ok';
};

async function submit(name = 'tt-kort-soknad') {
  const body = await newSubmission(name, 'reliable');
  const response = await t.post(body, providerFor(body.formType));
  expect(response.status).toBe(202);
  return response.body.trackingId as string;
}

const settled = (s: { deliveries: { status: string }[] }) =>
  s.deliveries.every((d) => ['DELIVERED', 'FAILED', 'RESOLVED'].includes(d.status));

describe('delivery to an HTTP archive', () => {
  it('posts the arkivmelding with its documents and the configured token, and keeps the receipt references', async () => {
    archive.behave(() => 'ok');
    const trackingId = await submit();
    const status = await t.waitFor(trackingId, 'eskjema', settled);
    const [delivery] = status.deliveries;
    expect(delivery.status).toBe('DELIVERED');
    expect(delivery.references.saksnummer).toMatch(/^2026\/\d+$/);
    expect(delivery.references.journalpostnummer).toBe('1');
    expect(delivery.references.opprettetEllerEksisterende).toBe('Opprettet');
    const stored = archive.journalposts.get(`skjemaflyt/tt-kort-soknad/${trackingId}`);
    expect(stored?.files.sort()).toEqual(['legeerklaering.pdf', 'soknad-tt-kort.pdf']);
    expect(stored?.authorization).toBe('Bearer hemmelig-arkivnøkkel');
  });

  it('retries a 503 and a serverfeil with backoff, showing each failed attempt and the next attempt time', async () => {
    archive.behave(faults('unavailable', 'serverfeil'));
    const trackingId = await submit();
    const retrying = await t.waitFor(trackingId, 'eskjema', (s) => s.deliveries[0].status === 'RETRYING');
    expect(retrying.deliveries[0].reason).toBe('target-unavailable');
    // The next attempt is planned after the failed one, not at some moment of the test's clock.
    const failedAt = Date.parse(retrying.deliveries[0].history.at(-1).at);
    expect(Date.parse(retrying.deliveries[0].nextAttemptAt)).toBeGreaterThan(failedAt);
    const status = await t.waitFor(trackingId, 'eskjema', settled);
    const [delivery] = status.deliveries;
    expect(delivery.status).toBe('DELIVERED');
    // Two refusals, then success; on a very busy machine one more attempt may time out on the way.
    const statuses = delivery.history.map((h: { status: string }) => h.status);
    expect(statuses.slice(0, 3)).toEqual(['QUEUED', 'RETRYING', 'RETRYING']);
    expect(statuses.filter((s: string) => s === 'DELIVERED')).toEqual(['DELIVERED']);
    expect(statuses.at(-1)).toBe('DELIVERED');
    expect(delivery.attempts).toBe(statuses.length - 1);
    expect(delivery.lastError).toBeNull();
    // The archive's own words are for staff; the provider reads the statuses.
    const staff = (await t.staffView(trackingId)).body.deliveries[0];
    expect(staff.history[2].detail).toContain('Databasen svarer ikke');
    expect(delivery.history[2].detail).not.toContain('Databasen');
  });

  it('counts a re-sent record the archive already has (Eksisterende) as delivered, and it is archived once', async () => {
    archive.behave(faults('drop-after-accept', 'timeout'));
    const trackingId = await submit();
    const status = await t.waitFor(trackingId, 'eskjema', settled);
    expect(status.deliveries[0].status).toBe('DELIVERED');
    expect(status.deliveries[0].references.opprettetEllerEksisterende).toBe('Eksisterende');
    const stored = archive.journalposts.get(`skjemaflyt/tt-kort-soknad/${trackingId}`);
    expect(stored?.receivedTimes).toBe(3);
    expect([...archive.journalposts.keys()].filter((k) => k.endsWith(trackingId))).toHaveLength(1);
  });

  it('fails a rejected record at once with the archive’s own words; a person retries it after the fix', async () => {
    archive.behave(faults('reject'));
    const trackingId = await submit();
    const failed = await t.waitFor(trackingId, 'eskjema', settled);
    const [delivery] = failed.deliveries;
    expect(delivery.status).toBe('FAILED');
    expect(delivery.attempts).toBe(1);
    expect(delivery.reason).toBe('target-rejected');
    expect((await t.staffView(trackingId)).body.deliveries[0].lastError).toContain('Mottakers postnummer mangler');
    expect(failed.status).toBe('FAILED');

    const list = await t.admin('GET', '/deliveries?status=FAILED&municipality=3101');
    expect(list.status).toBe(200);
    expect(list.body.items.map((d: { id: string }) => d.id)).toContain(delivery.id);

    const retried = await t.admin('POST', `/deliveries/${delivery.id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body.status).toBe('QUEUED');
    const after = await t.waitFor(trackingId, 'eskjema', settled);
    expect(after.deliveries[0].status).toBe('DELIVERED');
    expect(after.status).toBe('DELIVERED');
    const retryEntry = (await t.staffView(trackingId)).body.deliveries[0].history.find(
      (h: { status: string; by?: string }) => h.status === 'QUEUED' && h.by,
    );
    expect(retryEntry.by).toBeTruthy();
  });

  it('retries every failure after an outage page by page; one that fails again meanwhile is not taken twice', async () => {
    archive.behave(() => 'reject');
    const from = new Date().toISOString();
    const trackingIds = [await submit(), await submit(), await submit()];
    const failed = await Promise.all(trackingIds.map((id) => t.waitFor(id, 'eskjema', settled)));
    expect(failed.map((s) => s.deliveries[0].status)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    const filter = { municipality: '3101', target: 'halden-arkiv', from, limit: 1 };

    // The archive is still refusing: the first one retried fails again before the operator's next page.
    const first = await t.admin('POST', '/deliveries/retry', filter);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ total: 3, retried: 1, done: false });
    const [again] = first.body.ids as string[];
    const againTracking = trackingIds.find((id) => again?.startsWith(id)) as string;
    const refailed = await t.waitFor(
      againTracking,
      'eskjema',
      (s) => s.deliveries[0].history.filter((h: { status: string }) => h.status === 'FAILED').length === 2,
    );
    expect(refailed.deliveries[0].status).toBe('FAILED');

    // The archive is back; the operator goes on with the cursor until done.
    archive.behave(() => 'ok');
    const retried = [...first.body.ids];
    let cursor = first.body.nextCursor as string | null;
    while (cursor) {
      const page = await t.admin('POST', '/deliveries/retry', { ...filter, cursor });
      expect(page.status).toBe(200);
      retried.push(...page.body.ids);
      cursor = page.body.done ? null : page.body.nextCursor;
    }
    expect(retried.sort()).toEqual(failed.map((s) => s.deliveries[0].id).sort());
    const after = await Promise.all(trackingIds.map((id) => t.waitFor(id, 'eskjema', settled)));
    expect(after.map((s) => s.deliveries[0].status)).toEqual(
      trackingIds.map((id) => (id === againTracking ? 'FAILED' : 'DELIVERED')),
    );

    // The next run takes the one that failed again, and only that one.
    const next = await t.admin('POST', '/deliveries/retry', { ...filter, limit: 10 });
    expect(next.body).toMatchObject({ total: 1, retried: 1, ids: [refailed.deliveries[0].id] });
    expect((await t.waitFor(againTracking, 'eskjema', settled)).deliveries[0].status).toBe('DELIVERED');
  });

  it('lets a person resolve a failed delivery with a comment, shown in the history; others cannot touch it', async () => {
    archive.behave(faults('reject'));
    const trackingId = await submit();
    const failed = await t.waitFor(trackingId, 'eskjema', settled);
    const id = failed.deliveries[0].id;

    const otherMunicipality = await t.admin('POST', `/deliveries/${id}/resolve`, { comment: 'Ikke min' }, ['5037']);
    expect(otherMunicipality.status).toBe(404);
    const noComment = await t.admin('POST', `/deliveries/${id}/resolve`, {});
    expect(noComment.status).toBe(400);
    expect(noComment.body.errors[0].path).toBe('/comment');

    const comment = 'Journalført manuelt i Elements; Ola Nordmann ringt (tlf 901 23 456)';
    const resolved = await t.admin('POST', `/deliveries/${id}/resolve`, { comment });
    expect(resolved.status).toBe(200);
    const status = (await t.status(trackingId)).body;
    expect(status.deliveries[0].status).toBe('RESOLVED');
    // Closed by hand is not delivered: a citizen must never be told "Levert" for it.
    expect(status.status).toBe('CLOSED');
    // The provider reads that it was closed, never by whom or the staff's comment.
    expect(status.deliveries[0].history.at(-1)).toEqual({
      at: expect.any(String),
      status: 'RESOLVED',
      detail: 'Lukket av kommunen uten levering.',
    });
    const seen = JSON.stringify(status);
    for (const secret of ['901 23 456', 'Ola Nordmann', 'Elements', 'Kari']) expect(seen).not.toContain(secret);
    const last = (await t.staffView(trackingId)).body.deliveries[0].history.at(-1);
    expect(last).toMatchObject({ status: 'RESOLVED', by: expect.any(String) });
    expect(last.detail).toContain(comment);
    const again = await t.admin('POST', `/deliveries/${id}/retry`);
    expect(again.status).toBe(409);
  });

  it('dead-letters after the last attempt and marks the delivery FAILED with its last error', async () => {
    archive.behave(() => 'unavailable');
    const trackingId = await submit();
    const status = await t.waitFor(trackingId, 'eskjema', settled, 45_000);
    const [delivery] = status.deliveries;
    expect(delivery.status).toBe('FAILED');
    expect(delivery.attempts).toBe(4);
    const staff = (await t.staffView(trackingId)).body.deliveries[0];
    expect(staff.history.at(-1).detail).toContain('Ga opp etter 4 forsøk');
    expect(staff.history.at(-1).detail).toContain('503');
  }, 60_000);

  it('holds the building-case system back until the archive has the record, then sends the archive’s numbers', async () => {
    archive.behave(faults('unavailable', 'unavailable'));
    const trackingId = await submit('soknad-tiltak-uten-ansvarsrett');
    const waiting = await t.waitFor(trackingId, 'eskjema', (s) =>
      s.deliveries.some((d: { status: string }) => d.status === 'RETRYING'),
    );
    const byggesakWhileArchiveDown = waiting.deliveries.find(
      (d: { target: string }) => d.target === 'innherred-byggesak',
    );
    expect(byggesakWhileArchiveDown.status).toBe('PENDING');
    const status = await t.waitFor(trackingId, 'eskjema', settled);
    const archiveDelivery = status.deliveries.find((d: { target: string }) => d.target === 'innherred-byggesak-arkiv');
    const byggesak = status.deliveries.find((d: { target: string }) => d.target === 'innherred-byggesak');
    expect(byggesak.status).toBe('DELIVERED');
    const staff = (await t.staffView(trackingId)).body.deliveries.find(
      (d: { target: string }) => d.target === 'innherred-byggesak',
    );
    expect(staff.history[1].detail).toContain(archiveDelivery.references.saksnummer);
  });

  it('fans out independently: payroll and IT get the A-skjema while the archive is down', async () => {
    archive.behave(() => 'unavailable');
    const trackingId = await submit('a-skjema-tilsetting');
    const status = await t.waitFor(
      trackingId,
      'halden-intranett',
      (s) => s.deliveries.filter((d: { status: string }) => d.status === 'DELIVERED').length === 2,
    );
    const byTarget = Object.fromEntries(
      status.deliveries.map((d: { target: string; status: string }) => [d.target, d.status]),
    );
    expect(byTarget['halden-lonn']).toBe('DELIVERED');
    expect(byTarget['halden-it-tilgang']).toBe('DELIVERED');
    expect(['QUEUED', 'RETRYING']).toContain(byTarget['halden-arkiv']);
    archive.behave(() => 'ok');
    const done = await t.waitFor(trackingId, 'halden-intranett', settled);
    expect(done.status).toBe('DELIVERED');
  });
});
