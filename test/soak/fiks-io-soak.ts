/**
 * `npm run soak:fiks-io`: ≥ 1,000 submissions through Fiks IO to the simulated archive system, with 30% faults in
 * the archive (server errors, no reply, duplicate replies, replies out of order, redelivered AMQP messages; no
 * rejects), and the hub (`npm start`, its own process) killed with SIGKILL while deliveries wait for their receipts,
 * twice, and started again. Passes only when every delivery is DELIVERED, the archive holds exactly one journalpost
 * per submission, every AMQP message was acked (no queue on the broker holds anything) and the hub's SQS queues
 * (dead-letter queues included) are empty. Prints a short summary; exits 1 when any condition is not met.
 *
 * The local Fiks IO (RabbitMQ, the Fiks IO service, Maskinporten, the simulated archive) runs in this process, so
 * it outlives the hub; the hub finds it through SKJEMAFLYT_FIKS_IO_API_URL and friends, as it would a real one.
 * Receipt deadlines are 20 s (configuration), so "no reply" costs seconds, not an hour; not less: on a loaded
 * machine a deadline shorter than the round trip sends every lookup and record again and again (a first run with 5 s
 * made 4,844 archive requests for 1,000 submissions, 2.9 folder lookups per TT-kort).
 *
 *   SOAK_N=1000 SOAK_FAULT_RATE=0.3 SOAK_KILLS=2 npm run soak:fiks-io
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ArchiveFault } from '../../infra/local/fiks-io/archive-system.ts';
import { startLocalFiksIoFor } from '../../infra/local/local-fiks-io.ts';
import { DEFINITIONS_DIR } from '../../shared/mapping/definitions.ts';
import { processTokens } from '../support/hub.ts';
import { freePort } from '../support/hub-process.ts';

const root = resolve(import.meta.dirname, '../..');
const N = Number(process.env.SOAK_N ?? 1000);
const FAULT_RATE = Number(process.env.SOAK_FAULT_RATE ?? 0.3);
const KILLS = Number(process.env.SOAK_KILLS ?? 2);
const RECEIPT_TIMEOUT_SECONDS = Number(process.env.SOAK_RECEIPT_TIMEOUT_SECONDS ?? 20);
const DEADLINE_MS = Number(process.env.SOAK_TIMEOUT_MINUTES ?? 30) * 60_000;
const FAULTS: ArchiveFault[] = ['serverfeil', 'noReply', 'duplicateReplies', 'outOfOrder', 'redeliver'];

const started = Date.now();
const say = (line: string) => process.stdout.write(`[soak ${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`);

/** A small, seeded PRNG: the same run faults the same way. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A valid fødselsnummer (mod-11 control digits) for person `i`. */
function fodselsnummer(i: number): string {
  for (let individ = 100 + (i % 400); ; individ++) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    const month = String(1 + (Math.floor(i / 28) % 12)).padStart(2, '0');
    const base = `${day}${month}54${individ}`.split('').map(Number);
    const k1 = 11 - ([3, 7, 6, 1, 8, 9, 4, 5, 2].reduce((sum, w, j) => sum + w * (base[j] ?? 0), 0) % 11);
    if (k1 === 10) continue;
    const d1 = k1 === 11 ? 0 : k1;
    const k2 = 11 - ([5, 4, 3, 2, 7, 6, 5, 4, 3, 2].reduce((sum, w, j) => sum + w * ([...base, d1][j] ?? 0), 0) % 11);
    if (k2 === 10) continue;
    return `${base.join('')}${d1}${k2 === 11 ? 0 : k2}`;
  }
}

/** The Fiks IO demo with the soak's delivery settings: quick retries, enough attempts, short receipt deadlines. */
async function soakConfig(): Promise<string> {
  const source = join(root, 'config-fiks-io');
  const dir = await mkdtemp(join(tmpdir(), 'skjemaflyt-soak-config-'));
  await cp(join(source, DEFINITIONS_DIR), join(dir, DEFINITIONS_DIR), { recursive: true, dereference: true });
  for (const file of (await readdir(source)).filter((f) => f.endsWith('.json'))) {
    const config = JSON.parse(await readFile(join(source, file), 'utf8'));
    config.$schema = undefined;
    for (const target of config.targets) {
      target.delivery = {
        ...target.delivery,
        maxAttempts: 15,
        batchSize: 10,
        visibilityTimeoutSeconds: 10,
        maxConcurrency: 4,
        retry: { firstDelaySeconds: 1, factor: 2, maxDelaySeconds: 3 },
      };
      if (target.transport.type === 'fiks-io') target.transport.receiptTimeoutSeconds = RECEIPT_TIMEOUT_SECONDS;
    }
    config.limits = { ...(config.limits ?? {}), requestsPerSecond: 100_000, burst: 100_000 };
    await writeFile(join(dir, file), JSON.stringify(config, null, 2));
  }
  return dir;
}

interface RunningHub {
  child: ChildProcess;
  output: () => string;
}

async function startHub(env: Record<string, string>, port: number): Promise<RunningHub> {
  const child = spawn(process.execPath, ['infra/local/start.ts'], {
    cwd: root,
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-200_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const until = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the hub exited while starting:\n${output.slice(-3000)}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, output: () => output };
    if (Date.now() > until) throw new Error(`the hub did not become healthy:\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((done) => child.once('exit', () => done()));
}

async function pool<T, R>(items: T[], size: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i] as T, i);
      }
    }),
  );
  return results;
}

async function main(): Promise<number> {
  const random = prng(20261130);
  const faults: Record<string, number> = {};
  const configPath = await soakConfig();
  const dataDir = await mkdtemp(join(tmpdir(), 'skjemaflyt-soak-data-'));
  await mkdir(dataDir, { recursive: true });

  const local = await startLocalFiksIoFor(configPath, {
    archive: {
      faultPolicy: () => {
        if (random() >= FAULT_RATE) return undefined;
        const fault = FAULTS[Math.floor(random() * FAULTS.length)] as ArchiveFault;
        faults[fault] = (faults[fault] ?? 0) + 1;
        return fault;
      },
    },
  });
  if (!local) throw new Error('the soak configuration did not start the local Fiks IO');
  const archive = local.fiksIo.archive;
  const env = { ...local.env, SKJEMAFLYT_CONFIG: configPath, SKJEMAFLYT_DATA_DIR: dataDir };
  const port = await freePort();
  let hub: RunningHub | undefined;
  const problems: string[] = [];
  // Ctrl-C: nothing this run started may outlive it (the hub stops its DynamoDB Local, local.stop() the broker).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      hub?.child.kill('SIGTERM');
      void Promise.allSettled([hub ? exited(hub.child) : undefined, local.stop()]).then(() => process.exit(130));
    });
  }
  try {
    hub = await startHub(env, port);
    say(`hub and local Fiks IO up; sending ${N} submissions`);
    const tokens = await processTokens(dataDir, env);

    const samples = Object.fromEntries(
      await Promise.all(
        ['tt-kort-soknad', 'soknad-tiltak-uten-ansvarsrett'].map(async (name) => [
          name,
          await readFile(join(root, 'test/fixtures/samples', `${name}.json`), 'utf8'),
        ]),
      ),
    ) as Record<string, string>;
    const persons = Array.from({ length: 40 }, (_, i) => fodselsnummer(i));
    // Four in five are TT-kort for one of 40 people (their folder is looked up and reused); the rest building
    // applications in Levanger (the property's folder, then the building-case system with the archive's numbers).
    const bodies = Array.from({ length: N }, (_, i) => {
      const building = i % 5 === 4;
      const text = building
        ? (samples['soknad-tiltak-uten-ansvarsrett'] as string)
        : (samples['tt-kort-soknad'] as string).replaceAll('12035440095', persons[i % persons.length] as string);
      return { ...JSON.parse(text), submissionId: `soak-${i}` };
    });
    const post = async (body: { formType: string; municipality: string }) => {
      const token = await tokens('eskjema', body.municipality);
      for (let attempt = 0; ; attempt++) {
        const response = await fetch(`http://127.0.0.1:${port}/v1/submissions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).catch(() => undefined);
        if (response && (response.status === 202 || response.status === 200)) {
          return ((await response.json()) as { trackingId: string }).trackingId;
        }
        if (attempt > 20) throw new Error(`POST answered ${response?.status}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    };

    // The kills come while deliveries wait for receipts: after a third and after two thirds of the submissions.
    const killAt = Array.from({ length: KILLS }, (_, k) => Math.floor(((k + 1) * N) / (KILLS + 1)));
    const trackingIds: string[] = [];
    let kills = 0;
    for (let from = 0; from < N; ) {
      const to = killAt[kills] ?? N;
      trackingIds.push(...(await pool(bodies.slice(from, to), 8, (b) => post(b))));
      from = to;
      if (kills < killAt.length && from === killAt[kills]) {
        // Wait until the hub has sent records and some are waiting for their receipt, then kill it mid-flight.
        const sentBefore = local.fiksIo.service.sent.length;
        while (local.fiksIo.service.sent.length < sentBefore + 20) await new Promise((r) => setTimeout(r, 50));
        const running = hub;
        running.child.kill('SIGKILL');
        await exited(running.child);
        kills++;
        say(`hub killed (${kills}) with ${archive.journalposter().length} journalposts filed; restarting`);
        hub = await startHub(env, port);
      }
    }
    say(`all ${N} accepted; waiting for every delivery`);

    // Every submission has its journalpost, then every delivery is DELIVERED (the building-case system comes after).
    const until = started + DEADLINE_MS;
    const filed = () => new Set(archive.journalposter().map((j) => j.key)).size;
    while (filed() < N && Date.now() < until) await new Promise((r) => setTimeout(r, 1000));
    let statuses: string[] = [];
    for (;;) {
      statuses = await pool(trackingIds, 6, async (id) => {
        const r = await fetch(`http://127.0.0.1:${port}/v1/submissions/${id}`, {
          headers: { authorization: `Bearer ${await tokens('eskjema')}` },
        }).catch(() => undefined);
        return r?.ok ? ((await r.json()) as { status: string }).status : 'UNREADABLE';
      });
      if (statuses.every((s) => s === 'DELIVERED') || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    const notDelivered = statuses.filter((s) => s !== 'DELIVERED').length;
    if (notDelivered > 0) problems.push(`${notDelivered} submissions not DELIVERED`);

    // Exactly one journalpost per submission.
    const perSubmission = new Map<string, number>();
    for (const jp of archive.journalposter()) {
      const id = trackingIds.find((t) => jp.key?.endsWith(t));
      if (!id) problems.push(`a journalpost for no submission of this run (${jp.systemID})`);
      else perSubmission.set(id, (perSubmission.get(id) ?? 0) + 1);
    }
    const missing = trackingIds.filter((t) => !perSubmission.has(t)).length;
    const doubled = [...perSubmission.values()].filter((n) => n > 1).length;
    if (missing > 0) problems.push(`${missing} submissions without a journalpost`);
    if (doubled > 0) problems.push(`${doubled} submissions with more than one journalpost`);

    // Nothing left on the broker (every message acked) and in the hub's SQS queues (waiting receipts come back at
    // their deadline and are dropped then).
    const brokerDepth = () =>
      local.fiksIo.broker
        .ctl(['list_queues', '-q', 'name', 'messages_ready', 'messages_unacknowledged'])
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => l.trim().split(/\s+/))
        .map(([name, ready, unacked]) => ({ name, n: Number(ready) + Number(unacked) }))
        .filter((q) => q.n > 0);
    const endpoint = /fauxqs \(SQS \+ S3\) on (http:\/\/[0-9.:]+)/.exec(hub.output())?.[1];
    const sqs = endpoint
      ? new SQSClient({ endpoint, region: 'eu-north-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } })
      : undefined;
    const sqsDepth = async () => {
      if (!sqs) return [{ name: 'fauxqs endpoint not found in the hub output', n: 1 }];
      const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
      const depths = await Promise.all(
        QueueUrls.map(async (url) => {
          const { Attributes = {} } = await sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: url,
              AttributeNames: [
                'ApproximateNumberOfMessages',
                'ApproximateNumberOfMessagesNotVisible',
                'ApproximateNumberOfMessagesDelayed',
              ],
            }),
          );
          const n = Object.values(Attributes).reduce((sum, v) => sum + Number(v), 0);
          return { name: url.split('/').pop(), n };
        }),
      );
      return depths.filter((q) => q.n > 0);
    };
    let leftover: { name?: string; n: number }[] = [];
    const drainUntil = Date.now() + (RECEIPT_TIMEOUT_SECONDS + 60) * 1000;
    for (;;) {
      leftover = [...brokerDepth(), ...(await sqsDepth())];
      if (leftover.length === 0 || Date.now() > drainUntil) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    for (const q of leftover) problems.push(`queue ${q.name} still holds ${q.n}`);

    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    const stats = archive.stats;
    say(
      `${N} submissions, ${kills} hub kills, ${seconds} s; archive: ${stats.deliveries} requests ` +
        `(${stats.lookups} folder lookups, ${stats.redeliveries} redelivered), ${stats.replies} replies, ` +
        `${archive.journalposter().length} journalposts, ${archive.mapper().length} folders; faults: ${JSON.stringify(faults)}`,
    );
    say(
      `delivered ${statuses.filter((s) => s === 'DELIVERED').length}/${N}; Fiks IO messages ${local.fiksIo.service.sent.length}`,
    );
    if (kills < KILLS) problems.push(`the hub was killed ${kills} times, not ${KILLS}`);
  } catch (error) {
    problems.push(`the soak itself failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    if (hub && hub.child.exitCode === null) {
      hub.child.kill('SIGTERM');
      await exited(hub.child);
    }
    await local.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(configPath, { recursive: true, force: true });
  }
  for (const p of problems) say(`FAILED: ${p}`);
  if (problems.length === 0) say('PASSED');
  return problems.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
