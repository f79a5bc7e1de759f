import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeArchive, startFakeArchive } from '../support/fake-archive.ts';
import { httpArchiveConfig } from '../support/http-config.ts';
import { sample, testHub } from '../support/hub.ts';

/**
 * Two hubs in one process, each with its own archive behind the same `${FAKE_ARCHIVE_URL}` and token variable:
 * each function keeps the environment its hub wrote for it at start, so neither hub ever delivers to the other's
 * archive, and stopping one leaves the other working.
 */
type Hub = Awaited<ReturnType<typeof testHub>>;
const archives: FakeArchive[] = [];
const hubs: Hub[] = [];

beforeAll(async () => {
  const configPath = await httpArchiveConfig();
  for (const token of ['token-a', 'token-b']) {
    const archive = await startFakeArchive();
    archives.push(archive);
    // The hub reads these at start, as synth does; the next hub starts with other values.
    process.env.FAKE_ARCHIVE_URL = archive.url;
    process.env.FAKE_ARCHIVE_TOKEN = token;
    hubs.push(await testHub(undefined, { configPath }));
  }
  process.env.FAKE_ARCHIVE_URL = 'http://127.0.0.1:9/neither';
  process.env.FAKE_ARCHIVE_TOKEN = 'neither';
}, 180_000);

afterAll(async () => {
  await Promise.all(hubs.map((t) => t.hub.stop()));
  await Promise.all(archives.map((a) => a.close()));
});

async function deliver(t: Hub, submissionId: string): Promise<string> {
  const { status, body } = await t.post({ ...(await sample('tt-kort-soknad')), submissionId });
  expect(status).toBe(202);
  const done = await t.waitFor(body.trackingId, 'eskjema', (s) => s.status === 'DELIVERED' || s.status === 'FAILED');
  expect(done.status).toBe('DELIVERED');
  return body.trackingId;
}

describe('two hubs in one process', () => {
  it('deliver each to its own archive with its own token', async () => {
    const [a, b] = hubs as [Hub, Hub];
    const [archiveA, archiveB] = archives as [FakeArchive, FakeArchive];
    const [first, second] = await Promise.all([deliver(a, 'hub-a-1'), deliver(b, 'hub-b-1')]);
    const seen = (archive: FakeArchive) =>
      [...archive.journalposts.values()].map((j) => ({ key: j.key, authorization: j.authorization }));
    expect(seen(archiveA)).toEqual([{ key: expect.stringMatching(`/${first}$`), authorization: 'Bearer token-a' }]);
    expect(seen(archiveB)).toEqual([{ key: expect.stringMatching(`/${second}$`), authorization: 'Bearer token-b' }]);
    // Each hub has its own store: the other's submission is unknown to it.
    expect((await a.status(second)).status).toBe(404);
  }, 120_000);

  it('keep working when the other stops', async () => {
    const [a, b] = hubs as [Hub, Hub];
    await a.hub.stop();
    const trackingId = await deliver(b, 'hub-b-2');
    expect([...(archives[1] as FakeArchive).journalposts.values()].some((j) => j.key.includes(trackingId))).toBe(true);
  }, 120_000);
});
