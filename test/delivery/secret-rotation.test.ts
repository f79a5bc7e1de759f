import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_SECRETS_DIR } from '../../shared/secrets/store.ts';
import { newSubmission } from '../support/factories.ts';
import { type FakeArchive, startFakeArchive } from '../support/fake-archive.ts';
import { httpArchiveConfig } from '../support/http-config.ts';
import { providerFor, testHub } from '../support/hub.ts';

/**
 * The archive's token is rotated while the hub runs (issue 16, point 2): the delivery function has the old one
 * cached, gets a 401, reads the secret again once from the store and delivers with the new one. Locally the store
 * is a file under the data dir, as Secrets Manager is on AWS (shared/secrets/store.ts: the same code path).
 */
type Hub = Awaited<ReturnType<typeof testHub>>;
let t: Hub;
let archive: FakeArchive;

beforeAll(async () => {
  archive = await startFakeArchive();
  process.env.FAKE_ARCHIVE_URL = archive.url;
  process.env.FAKE_ARCHIVE_TOKEN = 'gammel-nokkel';
  t = await testHub(undefined, { configPath: await httpArchiveConfig() });
});

afterAll(async () => {
  await t?.hub.stop();
  await archive?.close();
});

async function deliver(tag: string) {
  const body = await newSubmission('tt-kort-soknad', tag);
  const response = await t.post(body, providerFor(body.formType));
  expect(response.status).toBe(202);
  const trackingId = response.body.trackingId as string;
  const status = await t.waitFor(trackingId, 'eskjema', (s) =>
    ['DELIVERED', 'FAILED'].includes(s.deliveries[0].status),
  );
  return { trackingId, delivery: status.deliveries[0] };
}

const rotateTo = async (token: string) => {
  await mkdir(join(t.dataDir, LOCAL_SECRETS_DIR), { recursive: true });
  await writeFile(join(t.dataDir, LOCAL_SECRETS_DIR, 'FAKE_ARCHIVE_TOKEN'), `${token}\n`);
};

describe('a target token rotated while the hub runs', () => {
  it('is read again after a 401 and the delivery goes through in the same attempt', async () => {
    archive.acceptOnly('Bearer gammel-nokkel');
    const before = await deliver('rotation-before');
    expect(before.delivery.status).toBe('DELIVERED');

    // The operator rotates the token: the archive takes only the new one, the store has it.
    archive.acceptOnly('Bearer ny-nokkel');
    await rotateTo('ny-nokkel');
    const callsBefore = archive.calls;
    const after = await deliver('rotation-after');
    expect(after.delivery).toMatchObject({ status: 'DELIVERED', attempts: 1 });
    expect(archive.journalposts.get(`skjemaflyt/tt-kort-soknad/${after.trackingId}`)?.authorization).toBe(
      'Bearer ny-nokkel',
    );
    // One refused call with the cached token, one with the token read again.
    expect(archive.calls - callsBefore).toBe(2);
  });

  it('is permanent (auth-refused) when the store has no newer token either, after one more read', async () => {
    archive.acceptOnly('Bearer en-tredje-nokkel');
    const callsBefore = archive.calls;
    const refused = await deliver('rotation-refused');
    expect(refused.delivery.status).toBe('FAILED');
    expect(refused.delivery.reason).toBe('auth-refused');
    // The same token again would be refused again: it is not sent twice.
    expect(archive.calls - callsBefore).toBe(1);
  });
});
