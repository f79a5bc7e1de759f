/**
 * The local pipeline end to end: the whole hub (infra/local/hub.ts, what `npm start` runs) with the demo
 * configuration, N TT-kort submissions posted concurrently from a worker thread, and every one followed to
 * DELIVERED. Against it, the raw substrate: the same number of SQS sends, receives and deletes and DynamoDB writes
 * per submission (as the hub made them in the same run), done directly against the same emulators, no hub code.
 *
 * Also what the cost model needs: every SDK request by function, service and operation (with DynamoDB capacity
 * units and payload bytes), invocations and records per invocation, the handlers' durations one submission at a
 * time (as one Lambda instance would run them), and the bytes each function logs.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { createLocalClients, type LocalClients } from '../../infra/local/clients.ts';
import { type Hub, startHub } from '../../infra/local/hub.ts';
import { providerTokens } from '../../infra/local/maskinporten-clients.ts';
import { buildRegistry } from '../../shared/config/registry.ts';
import type { SubmissionEnvelope } from '../../shared/submission/types.ts';
import { SAMPLES_DIR, ttKortCases } from '../mapping/documents.ts';
import { type Figure, figure } from '../stats.ts';
import { captureLogs, type LogCounts } from './logs.ts';
import type { PosterInput, PosterOutput } from './poster.ts';
import { asCaller, installRequestCounter, type RequestCounts, since, snapshot } from './requests.ts';
import { runSubstrate, type SubstratePlan } from './substrate.ts';
import { type Throughput, throughput } from './throughput.ts';

const HANDLERS = ['receive', 'get-submission', 'admin', 'deliver-archive', 'deliver-fagsystem', 'dead-letter'] as const;
type Handler = (typeof HANDLERS)[number];
type AnyHandler = (event: unknown, context: unknown) => Promise<unknown>;

export interface LoadRun {
  hub: Throughput & { throttled: number; failed: number };
  /**
   * Run just before and just after the hub's; when both do not fit in the bench's time, one, just after (the hub
   * run's `substrateRuns[0]` is then labelled 'after')
   */
  substrateRuns: Throughput[];
  /** Whether `substrateRuns` brackets the hub run (before and after) or follows it */
  substrateBracketed: boolean;
  /** hub ÷ the mean of the two substrate runs */
  ratio: { accepted: number; delivered: number; p99: number };
  /** hub ÷ each substrate run on its own, lowest and highest: how much the machine's load moved meanwhile */
  ratioRange: { accepted: [number, number]; delivered: [number, number] };
}

/** Per submission, as measured in the first load run */
export interface UsagePerSubmission {
  /** function → service → operation → tally ÷ submissions ("runner" = the event source mapping's SQS calls) */
  requests: Record<string, Record<string, Record<string, PerSubmissionTally>>>;
  /** function → invocations and records per invocation */
  invocations: Record<string, { invocations: number; recordsPerInvocation: number }>;
  /** function → bytes logged (stdout) per submission */
  logBytes: Record<string, number>;
}

export interface PerSubmissionTally {
  requests: number;
  billedRequests: number;
  writeUnits: number;
  readUnits: number;
  bytes: number;
  empty: number;
}

export interface PipelineResult {
  concurrency: number;
  runs: LoadRun[];
  /** Sizes asked for that did not fit in the time, with why */
  skipped: { submissions: number; reason: string }[];
  usage: UsagePerSubmission;
  /** One submission at a time: each handler's invocation (ms, wall) and POST → DELIVERED */
  quiet: { receiveMs: Figure; deliverArchiveMs: Figure; endToEndMs: Figure };
  startSeconds: number;
  /** Queues Lambda would poll in the demo configuration (each target's queue and its dead-letter queue) */
  queuesPolled: number;
}

export interface PipelineOptions {
  sizes: number[];
  concurrency: number;
  /** Epoch ms by which the whole section should be done: larger sizes shrink to fit (and say so) */
  deadline: number;
  log: (line: string) => void;
}

/** Invocations of the wrapped handlers: count, records, wall time; and a signal per delivered archive message. */
class Invocations {
  readonly calls = new Map<string, { invocations: number; records: number; ms: number[] }>();
  delivered = 0;
  #waiters: { count: number; resolve: () => void }[] = [];

  record(name: string, records: number, ms: number, delivered: number) {
    const c = this.calls.get(name) ?? { invocations: 0, records: 0, ms: [] };
    c.invocations++;
    c.records += records;
    c.ms.push(ms);
    this.calls.set(name, c);
    if (delivered > 0) {
      this.delivered += delivered;
      const ready = this.#waiters.filter((w) => this.delivered >= w.count);
      this.#waiters = this.#waiters.filter((w) => this.delivered < w.count);
      for (const w of ready) w.resolve();
    }
  }

  /** Resolves once `count` archive messages have been delivered in total, or at `deadline`. */
  until(count: number, deadline: number): Promise<boolean> {
    if (this.delivered >= count) return Promise.resolve(true);
    return new Promise((done) => {
      const timer = setTimeout(() => done(false), Math.max(0, deadline - Date.now()));
      this.#waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          done(true);
        },
      });
    });
  }

  snapshot() {
    return new Map([...this.calls].map(([k, v]) => [k, { ...v, ms: [...v.ms] }]));
  }
}

/** Wraps the handlers the hub builds (each from its own environment) with the counting. */
function wrapHandlers(invocations: Invocations) {
  const wrap =
    (name: Handler, handler: AnyHandler): AnyHandler =>
    async (event, context) => {
      const records = (event as { Records?: unknown[] }).Records?.length ?? 1;
      const started = performance.now();
      const result = await asCaller(name, () => handler(event, context));
      const failures = (result as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures?.length ?? 0;
      invocations.record(
        name,
        records,
        performance.now() - started,
        name === 'deliver-archive' ? records - failures : 0,
      );
      return result;
    };
  return (name: string, handler: unknown): unknown =>
    (HANDLERS as readonly string[]).includes(name) ? wrap(name as Handler, handler as AnyHandler) : handler;
}

async function requestBodies(prefix: string, count: number, seed: number): Promise<string[]> {
  const sample = JSON.parse(await readFile(join(SAMPLES_DIR, 'tt-kort-soknad.json'), 'utf8')) as SubmissionEnvelope;
  return ttKortCases(count, seed).map((c, i) =>
    JSON.stringify({ ...c.envelope, submissionId: `${prefix}-${i}`, attachments: sample.attachments }),
  );
}

function postAll(input: PosterInput): Promise<PosterOutput> {
  return new Promise((done, fail) => {
    const worker = new Worker(new URL('./poster.ts', import.meta.url), { workerData: input });
    worker.once('message', (m: { result?: PosterOutput; error?: string }) => {
      if (m.result) done(m.result);
      else fail(new Error(m.error));
      worker.terminate();
    });
    worker.once('error', fail);
  });
}

/** When each delivery of these submissions became DELIVERED (its history), read from the table after the run. */
async function deliveredTimes(hub: Hub, trackingIds: Set<string>): Promise<Map<string, number>> {
  const times = new Map<string, number>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await hub.clients.dynamodb.send(
      new ScanCommand({
        TableName: hub.resources.tableName,
        FilterExpression: 'begins_with(sk, :d)',
        ExpressionAttributeValues: { ':d': { S: 'DELIVERY#' } },
        ProjectionExpression: 'trackingId, history',
        ...(start ? { ExclusiveStartKey: start as never } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const { trackingId, history } = unmarshall(item) as {
        trackingId: string;
        history: { at: string; status: string }[];
      };
      if (!trackingIds.has(trackingId)) continue;
      const delivered = history.find((h) => h.status === 'DELIVERED');
      if (delivered) times.set(trackingId, Date.parse(delivered.at));
    }
    start = page.LastEvaluatedKey as Record<string, unknown> | undefined;
  } while (start);
  return times;
}

/** `value` against each of `baselines`: the lowest and the highest ratio. */
function range(value: number, baselines: number[]): [number, number] {
  const ratios = baselines.map((b) => value / b);
  return [Math.min(...ratios), Math.max(...ratios)];
}

/** Average operations per submission of one function, from the request counts: service/operation → count. */
function opsPer(counts: RequestCounts, fn: string, submissions: number): Map<string, number> {
  const ops = new Map<string, number>();
  for (const [key, t] of counts) {
    const [caller, service, operation] = key.split('\t');
    const op = `${service}/${(operation ?? '').split(':')[0]}`;
    if (caller === fn) ops.set(op, (ops.get(op) ?? 0) + t.requests / submissions);
  }
  return ops;
}

/** Per submission, by function, service and operation ("PutItem (idempotency table)" for that table's calls). */
function perSubmission(counts: RequestCounts, n: number, idempotencyTable: string): UsagePerSubmission['requests'] {
  const out: UsagePerSubmission['requests'] = {};
  for (const [key, t] of counts) {
    const [caller = '', service = '', qualified = ''] = key.split('\t');
    const [name, table] = qualified.split(':');
    const operation = table === idempotencyTable ? `${name} (idempotency table)` : (name ?? '');
    const byService = out[caller] ?? {};
    out[caller] = byService;
    const byOp = byService[service] ?? {};
    byService[service] = byOp;
    const sum = byOp[operation] ?? { requests: 0, billedRequests: 0, writeUnits: 0, readUnits: 0, bytes: 0, empty: 0 };
    byOp[operation] = sum;
    sum.requests += t.requests / n;
    sum.billedRequests += t.billedRequests / n;
    sum.writeUnits += t.writeUnits / n;
    sum.readUnits += t.readUnits / n;
    sum.bytes += t.bytes / n;
    sum.empty += t.empty / n;
  }
  return out;
}

export async function measurePipeline(options: PipelineOptions): Promise<PipelineResult> {
  installRequestCounter();
  const logs = captureLogs();
  const invocations = new Invocations();
  const dataDir = await mkdtemp(join(tmpdir(), 'skjemaflyt-bench-hub-'));
  const started = performance.now();
  let hub: Hub | undefined;
  let substrateClients: LocalClients | undefined;
  try {
    hub = await startHub({
      port: 0,
      dataDir,
      log: () => {},
      wrapHandler: wrapHandlers(invocations),
      retentionIntervalMs: 0,
      // One token for the whole run, as a provider would hold one for its lifetime: longer than the longest run.
      maskinportenTokenTtlSeconds: 3600,
    });
    const startSeconds = (performance.now() - started) / 1000;
    options.log(`hub started in ${startSeconds.toFixed(1)} s`);
    const token = await providerTokens({
      dataDir,
      registry: buildRegistry(hub.config),
      maskinporten: hub.maskinporten,
    })('eskjema', '3101');
    const archiveQueue = hub.plan.queues.find((q) => q.handler === 'deliver-archive');
    if (!archiveQueue) throw new Error('The demo configuration has no archive queue');
    const url = hub.url;
    const post = async (body: string) => {
      const r = await fetch(`${url}/v1/submissions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      });
      if (r.status !== 202) throw new Error(`POST answered ${r.status}: ${(await r.text()).slice(0, 300)}`);
      return (await r.json()) as { trackingId: string };
    };

    // Warm-up: handlers imported, JIT warm, emulators' first tables and queues touched.
    const warm = await requestBodies('warm', 20, 1);
    await Promise.all(warm.map(post));
    await invocations.until(warm.length, Date.now() + 60_000);

    // One at a time: how long each handler takes for one submission (what one Lambda instance would bill), and
    // which writes and sends each makes (what the substrate repeats).
    const quietBefore = invocations.snapshot();
    const quietRequests = snapshot();
    const endToEnd: number[] = [];
    const quietBodies = await requestBodies('quiet', 15, 2);
    for (const body of quietBodies) {
      const t0 = Date.now();
      const target = invocations.delivered + 1;
      await post(body);
      await invocations.until(target, Date.now() + 30_000);
      endToEnd.push(Date.now() - t0);
    }
    const quietMs = (name: string) =>
      (invocations.calls.get(name)?.ms ?? []).slice(quietBefore.get(name)?.ms.length ?? 0);
    const quiet = {
      receiveMs: figure(quietMs('receive')),
      deliverArchiveMs: figure(quietMs('deliver-archive')),
      endToEndMs: figure(endToEnd),
    };
    const quietCounts = since(quietRequests);
    const sampleItems =
      (await hub.clients.dynamodb.send(new ScanCommand({ TableName: hub.resources.tableName, Limit: 50 }))).Items ?? [];
    const substratePlan: SubstratePlan = {
      produce: opsPer(quietCounts, 'receive', quietBodies.length),
      consume: opsPer(quietCounts, 'deliver-archive', quietBodies.length),
      batchSize: archiveQueue.settings.batchSize,
      maxConcurrency: archiveQueue.settings.maxConcurrency,
      waitTimeSeconds: 1,
      submissionItem: sampleItems.find((i) => i.sk?.S === 'SUBMISSION') ?? {},
      deliveryItem: sampleItems.find((i) => i.sk?.S?.startsWith('DELIVERY#')) ?? {},
    };

    const runs: LoadRun[] = [];
    const skipped: PipelineResult['skipped'] = [];
    let usage: UsagePerSubmission | undefined;
    substrateClients = createLocalClients(hub.endpoints);
    const clients = substrateClients;
    const substrate = (n: number, tag: string) =>
      asCaller('substrate', () => runSubstrate(clients, substratePlan, n, options.concurrency, tag));
    // The database's JIT warmed for the substrate as the hub's warm-up did for the hub (the first run was slower).
    await substrate(300, 'warm');
    for (const [index, asked] of options.sizes.entries()) {
      let n = asked;
      let bracketed = true;
      const previous = runs.at(-1);
      if (previous) {
        // What fits in the time left: the hub run at the delivery rate just measured, and the substrate twice, or
        // once if twice does not fit (better the size asked for against one substrate run than a smaller size).
        const hubPer = 1 / previous.hub.deliveredPerSecond;
        const substratePer =
          previous.substrateRuns.reduce((sum, r) => sum + r.seconds / r.submissions, 0) / previous.substrateRuns.length;
        const secondsLeft = (options.deadline - Date.now()) / 1000 - 20;
        // No margin on top: rates at N=1,000 include the start and the drain, and larger runs go faster (measured:
        // ~35 % more deliveries per second at 7,500), so the estimate already errs long.
        const fits = (runsOfSubstrate: number) =>
          Math.floor(secondsLeft / (hubPer + runsOfSubstrate * substratePer) / 500) * 500;
        if (fits(2) < n) bracketed = false;
        if (fits(1) < n) {
          skipped.push({
            submissions: asked,
            reason:
              `would take about ${Math.round(asked * (hubPer + substratePer))} s with one substrate run at the rates ` +
              `measured at N=${previous.hub.submissions} (${previous.hub.deliveredPerSecond.toFixed(1)} deliveries/s); ` +
              `${Math.max(0, Math.round(secondsLeft))} s of the bench's time were left`,
          });
          n = fits(1);
          if (n <= previous.hub.submissions) break;
        }
      }
      // The substrate before and after the hub, so a change in the machine's load during the run hits both sides.
      let before: Throughput | undefined;
      if (bracketed) {
        options.log(`N=${n}: substrate …`);
        before = await substrate(n, `${index}a`);
        options.log(
          `substrate: ${before.acceptedPerSecond.toFixed(1)} accepted/s, ${before.deliveredPerSecond.toFixed(1)} delivered/s`,
        );
      }
      options.log(`N=${n}: posting to the hub, ${options.concurrency} at a time …`);
      const bodies = await requestBodies(`load${index}`, n, 100 + index);
      const requestsBefore = snapshot();
      const logsBefore = logs.snapshot();
      const callsBefore = invocations.snapshot();
      const deliveredBefore = invocations.delivered;
      const posted = await postAll({ url, token, bodies, concurrency: options.concurrency });
      const accepted = posted.trackingIds.filter(Boolean).length;
      options.log(`accepted ${accepted} (${posted.throttled} throttled answers, ${posted.failed.length} failed)`);
      const complete = await invocations.until(deliveredBefore + accepted, options.deadline + 120_000);
      const counts = since(requestsBefore);
      const delivered = await deliveredTimes(hub, new Set(posted.trackingIds.filter(Boolean)));
      if (!complete || delivered.size < accepted) {
        options.log(`only ${delivered.size} of ${accepted} delivered in time`);
      }
      const rows = posted.trackingIds.flatMap((id, i) => {
        const at = delivered.get(id);
        return at
          ? [{ sent: posted.sentAt[i] as number, accepted: posted.acceptedAt[i] as number, delivered: at }]
          : [];
      });
      const hubRun = throughput(
        rows.map((r) => r.sent),
        rows.map((r) => r.accepted),
        rows.map((r) => r.delivered),
      );
      if (!usage) {
        const calls = invocations.snapshot();
        usage = {
          requests: perSubmission(counts, n, hub.resources.idempotencyTableName),
          invocations: Object.fromEntries(
            [...calls].map(([name, c]) => {
              const previousCalls = callsBefore.get(name) ?? { invocations: 0, records: 0 };
              const inv = c.invocations - previousCalls.invocations;
              return [
                name,
                { invocations: inv / n, recordsPerInvocation: (c.records - previousCalls.records) / Math.max(1, inv) },
              ];
            }),
          ),
          logBytes: Object.fromEntries([...logs.since(logsBefore)].map(([fn, bytes]) => [fn, bytes / n])),
        };
      }
      options.log(
        `hub: ${hubRun.acceptedPerSecond.toFixed(1)} accepted/s, ${hubRun.deliveredPerSecond.toFixed(1)} delivered/s; substrate again …`,
      );
      const after = await substrate(n, `${index}b`);
      options.log(
        `substrate: ${after.acceptedPerSecond.toFixed(1)} accepted/s, ${after.deliveredPerSecond.toFixed(1)} delivered/s`,
      );
      const substrateRuns = before ? [before, after] : [after];
      const mean = (f: (t: Throughput) => number) =>
        substrateRuns.reduce((sum, t) => sum + f(t), 0) / substrateRuns.length;
      runs.push({
        hub: { ...hubRun, throttled: posted.throttled, failed: posted.failed.length + (accepted - rows.length) },
        substrateRuns,
        substrateBracketed: bracketed,
        ratio: {
          accepted: hubRun.acceptedPerSecond / mean((t) => t.acceptedPerSecond),
          delivered: hubRun.deliveredPerSecond / mean((t) => t.deliveredPerSecond),
          p99: hubRun.latencyMs.p99 / mean((t) => t.latencyMs.p99),
        },
        ratioRange: {
          accepted: range(
            hubRun.acceptedPerSecond,
            substrateRuns.map((t) => t.acceptedPerSecond),
          ),
          delivered: range(
            hubRun.deliveredPerSecond,
            substrateRuns.map((t) => t.deliveredPerSecond),
          ),
        },
      });
    }
    return {
      concurrency: options.concurrency,
      runs,
      skipped,
      usage: usage as UsagePerSubmission,
      quiet,
      startSeconds,
      queuesPolled: hub.plan.queues.length * 2,
    };
  } finally {
    substrateClients?.destroy();
    await hub?.stop();
    logs.restore();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export type { LogCounts, Throughput };
