import type { ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { type FakeArchive, type Fault, startFakeArchive } from '../support/fake-archive.ts';
import { httpArchiveConfig } from '../support/http-config.ts';
import { newDataDir, processTokens, sample } from '../support/hub.ts';
import { freePort, javaProcessesFor, startHubProcess, stopHubProcess } from '../support/hub-process.ts';
import { report } from '../support/report.ts';

const OUTPUT_DIR = resolve(import.meta.dirname, '../../test-output');

/**
 * Soak: thousands of submissions through `npm start` while the archive fails about 30% of calls, hangs on 5%,
 * and the hub process is killed (SIGKILL, no goodbye) and restarted several times. Bounded in count and time.
 */
const N = Number(process.env.SOAK_SUBMISSIONS ?? 2000);
const KILLS = 3;
const children: ChildProcess[] = [];
let archive: FakeArchive | undefined;

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await archive?.close();
});

/** A small seeded generator, so a failing run can be repeated. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('soak: every accepted submission is delivered exactly once through faults and crashes', () => {
  it(`delivers ${N} submissions with a flaky archive and ${KILLS} crashes of the hub`, async () => {
    const rnd = random(20261125);
    archive = await startFakeArchive({ hangMs: 3_000 });
    archive.behave((): Fault => {
      const r = rnd();
      if (r < 0.1) return 'unavailable';
      if (r < 0.2) return 'serverfeil';
      if (r < 0.3) return 'drop-after-accept';
      if (r < 0.35) return 'timeout';
      return 'ok';
    });
    const dataDir = await newDataDir();
    const env = {
      SKJEMAFLYT_DATA_DIR: dataDir,
      SKJEMAFLYT_CONFIG: await httpArchiveConfig({
        maxAttempts: 15,
        batchSize: 10,
        visibilityTimeoutSeconds: 8,
        maxConcurrency: 4,
        retry: { firstDelaySeconds: 1, factor: 2, maxDelaySeconds: 4 },
      }),
      FAKE_ARCHIVE_URL: archive.url,
      FAKE_ARCHIVE_TOKEN: 'soak',
    };
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    let hub = await startHubProcess(env, port);
    children.push(hub.child);
    // From the hub's local Maskinporten (a fresh one when the cached token nears its expiry).
    const tokens = await processTokens(dataDir, env);
    const token = () => tokens('eskjema', '3101');
    const sampleBody = await sample('tt-kort-soknad');
    const started = Date.now();

    // Posting: 16 at a time; while the hub is down a POST fails and is simply sent again (same submissionId).
    const trackingIds: string[] = new Array(N);
    let posted = 0;
    let repeatedPosts = 0;
    const postOne = async (i: number) => {
      for (;;) {
        try {
          const response = await fetch(`${base}/v1/submissions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${await token()}`, 'content-type': 'application/json' },
            body: JSON.stringify({ ...sampleBody, submissionId: `soak-${i}` }),
          });
          if (response.status === 202 || response.status === 200) {
            if (response.status === 200) repeatedPosts++;
            trackingIds[i] = ((await response.json()) as { trackingId: string }).trackingId;
            posted++;
            return;
          }
          // 503 while the restarted hub starts up: a provider tries again, as after a refused connection.
          if (response.status === 503) throw new Error('starting');
          const logged = hub
            .output()
            .split('\n')
            .filter((l) => l.includes('Unhandled error'))
            .slice(-3)
            .join('\n');
          throw new Error(`unexpected ${response.status}: ${await response.text()}\n${logged}`);
        } catch (error) {
          if ((error as Error).message.startsWith('unexpected')) throw error;
          repeatedPosts++;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    };
    let next = 0;
    const posting = Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < N) await postOne(next++);
      }),
    );

    // Crashes: SIGKILL at about a quarter, half and three quarters of the posting, then start again at once.
    let kills = 0;
    const crashing = (async () => {
      for (const share of [0.25, 0.5, 0.75].slice(0, KILLS)) {
        while (posted < N * share) await new Promise((r) => setTimeout(r, 100));
        await stopHubProcess(hub.child, 'SIGKILL');
        kills++;
        hub = await startHubProcess(env, port);
        children.push(hub.child);
      }
    })();
    await Promise.all([posting, crashing]);
    const acceptedAt = Date.now();

    // Wait until every submission is DELIVERED (or the time is up).
    type Status = {
      status: string;
      deliveries: { status: string; attempts: number; history: { at: string; status: string }[] }[];
    };
    const statusOf = async (trackingId: string): Promise<Status> => {
      for (let tries = 0; ; tries++) {
        const r = await fetch(`${base}/v1/submissions/${trackingId}`, {
          headers: { authorization: `Bearer ${await token()}` },
        });
        if (r.ok) return (await r.json()) as Status;
        if (tries >= 20) return { status: `HTTP ${r.status}`, deliveries: [] };
        await new Promise((done) => setTimeout(done, 250));
      }
    };
    const deadline = Date.now() + 600_000;
    let statuses: Awaited<ReturnType<typeof statusOf>>[] = [];
    for (;;) {
      const undelivered = archive.journalposts.size < N;
      if (!undelivered || Date.now() > deadline) {
        statuses = [];
        for (let i = 0; i < N; i += 50)
          statuses.push(...(await Promise.all(trackingIds.slice(i, i + 50).map(statusOf))));
        if (statuses.every((s) => s.status === 'DELIVERED') || Date.now() > deadline) break;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    const deliveredAt = Date.now();

    // Nothing left in any queue, dead-letter queues included.
    const sqs = new SQSClient({
      endpoint: hub.fauxqsEndpoint(),
      region: 'eu-north-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
    const leftInQueues: Record<string, number> = {};
    for (const url of QueueUrls) {
      const local = url.replace(/^http:\/\/[^/]+/, hub.fauxqsEndpoint() ?? '');
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: local,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      const left =
        Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
      if (left > 0) leftInQueues[url.split('/').at(-1) ?? url] = left;
    }
    sqs.destroy();
    expect(await stopHubProcess(hub.child)).toBe(0);
    expect(javaProcessesFor(dataDir)).toBe('');

    const attempts = statuses.reduce((sum, s) => sum + (s.deliveries[0]?.attempts ?? 0), 0);
    const duplicatesAbsorbed = [...archive.journalposts.values()].filter((j) => j.receivedTimes > 1).length;
    const figures = {
      submissions: N,
      hubCrashes: kills,
      postsRepeatedAfterCrash: repeatedPosts,
      acceptSeconds: (acceptedAt - started) / 1000,
      acceptedPerSecond: Math.round((N / (acceptedAt - started)) * 1000),
      allDeliveredSeconds: (deliveredAt - started) / 1000,
      deliveredPerSecond: Math.round((N / (deliveredAt - started)) * 1000),
      archiveCalls: archive.calls,
      archiveFaults: archive.faultsSeen,
      deliveryAttempts: attempts,
      journalpostsReceivedMoreThanOnce: duplicatesAbsorbed,
      journalpostsInArchive: archive.journalposts.size,
      leftInQueues,
    };
    // All figures in a file (and with the captured output if the test fails); one line in the report.
    console.log(`soak figures: ${JSON.stringify(figures, null, 2)}`);
    await mkdir(OUTPUT_DIR, { recursive: true });
    await writeFile(join(OUTPUT_DIR, 'soak-figures.json'), `${JSON.stringify(figures, null, 2)}\n`);
    report(
      `soak: ${N} submissions, ${kills} crashes, ${archive.journalposts.size} archived in ${figures.allDeliveredSeconds} s ` +
        `(${figures.deliveredPerSecond}/s), ${attempts} attempts; figures in test-output/soak-figures.json`,
    );
    if (process.env.SOAK_DEBUG) {
      const stuck = statuses
        .map((s, i) => ({ i, trackingId: trackingIds[i], s }))
        .filter((x) => x.s.status !== 'DELIVERED');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(process.env.SOAK_DEBUG, JSON.stringify(stuck, null, 2));
      writeFileSync(`${process.env.SOAK_DEBUG}.log`, hub.output());
    }

    expect(statuses.filter((s) => s.status !== 'DELIVERED').map((s) => s.status)).toEqual([]);
    expect(archive.journalposts.size).toBe(N);
    const keys = new Set(trackingIds.map((id) => `skjemaflyt/tt-kort-soknad/${id}`));
    expect([...archive.journalposts.keys()].filter((k) => !keys.has(k))).toEqual([]);
    for (const s of statuses) {
      const history = s.deliveries[0]?.history ?? [];
      const times = history.map((h) => Date.parse(h.at));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(history[0]?.status).toBe('QUEUED');
      expect(history.at(-1)?.status).toBe('DELIVERED');
      expect(history.filter((h) => h.status === 'DELIVERED')).toHaveLength(1);
    }
    expect(leftInQueues).toEqual({});
    expect(kills).toBe(KILLS);
  }, 1_500_000);
});
