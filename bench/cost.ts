/**
 * The AWS price of 100,000 submissions, from what the bench measured: requests per submission by service and
 * operation (DynamoDB capacity units as DynamoDB Local computed them, SQS payload, S3 bytes), invocations and records
 * per invocation, handler durations one submission at a time, bytes logged. Beside it, what the design choices that
 * cost most add to that price.
 */
import { FUNCTIONS, type FunctionName } from '../infra/cdk/functions.ts';
import type { UsagePerSubmission } from './pipeline/pipeline.ts';

/**
 * List prices, US East (N. Virginia), on-demand, no free tier, as published in 2025. Stockholm (eu-north-1, the demo's
 * region) is within a few per cent for these services; put your region's prices here for a quote.
 */
export const PRICES = {
  source: 'AWS list prices, us-east-1, 2025, free tiers left out',
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerRequest: 0.2 / 1e6,
  sqsPerRequest: 0.4 / 1e6,
  dynamoPerWriteUnit: 0.625 / 1e6,
  dynamoPerReadUnit: 0.125 / 1e6,
  s3PerPut: 0.005 / 1000,
  s3PerGet: 0.0004 / 1000,
  s3PerGbMonth: 0.023,
  apiGatewayHttpPerRequest: 1.0 / 1e6,
  logsPerGbIngested: 0.5,
} as const;

/** START, END and REPORT lines Lambda itself writes per invocation (an estimate: about 360 bytes). */
const PLATFORM_LOG_BYTES = 360;
/** An idle SQS event source mapping long-polls (20 s) with about five pollers: receives per queue per month. */
const IDLE_RECEIVES_PER_QUEUE_MONTH = 5 * 3 * 60 * 24 * 30;

export interface CostLine {
  item: string;
  /** How the figure was reached, in numbers */
  basis: string;
  usd: number;
}

export interface CostModel {
  submissions: number;
  prices: typeof PRICES;
  lines: CostLine[];
  totalUsd: number;
  /** Not per submission: what the stack costs each month whatever the volume */
  monthly: CostLine[];
  /** What each design choice adds to the price of `submissions` (or could save), largest first */
  designChoices: (CostLine & { share: number })[];
}

export interface CostInputs {
  usage: UsagePerSubmission;
  /** ms per invocation, one submission at a time */
  receiveMs: number;
  deliverArchiveMs: number;
  /** XSD validation as delivered (warm worker), CPU ms per record: a record alone, and five sharing a run */
  validationMs: number;
  validationBatchedMs: number;
  /** The same with a fresh worker and wasm compile per run (xmllint-wasm's validateXML, how it was before) */
  validationFreshMs: number;
  validationFreshBatchedMs: number;
  /** Queues the demo configuration has Lambda poll (each target's queue and its dead-letter queue) */
  queuesPolled: number;
}

type Tally = UsagePerSubmission['requests'][string][string][string];

function eachTally(usage: UsagePerSubmission, visit: (fn: string, service: string, op: string, t: Tally) => void) {
  for (const [fn, services] of Object.entries(usage.requests)) {
    for (const [service, ops] of Object.entries(services)) {
      for (const [op, t] of Object.entries(ops)) visit(fn, service, op, t);
    }
  }
}

const gb = (fn: FunctionName) => FUNCTIONS[fn].memoryMb / 1024;
const fmt = (n: number, digits = 2) => n.toFixed(digits);

export function costModel(inputs: CostInputs, submissions = 100_000): CostModel {
  const { usage } = inputs;
  const p = PRICES;
  const lines: CostLine[] = [];

  // Lambda: the functions that ran per submission (the local runner's own calls stand in for the event source mapping).
  const invocations = (fn: string) => (usage.invocations[fn]?.invocations ?? 0) * submissions;
  const receiveGbS = invocations('receive') * (inputs.receiveMs / 1000) * gb('receive');
  // Measured one message per invocation; a batch of five shares the fixed part, so this is on the high side.
  const deliverGbS = submissions * (inputs.deliverArchiveMs / 1000) * gb('deliver-archive');
  lines.push({
    item: 'Lambda duration (ARM64)',
    basis: `receive ${fmt(inputs.receiveMs, 0)} ms × ${FUNCTIONS.receive.memoryMb} MB, deliver-archive ${fmt(inputs.deliverArchiveMs, 0)} ms/record × ${FUNCTIONS['deliver-archive'].memoryMb} MB = ${fmt(receiveGbS + deliverGbS, 0)} GB-s`,
    usd: (receiveGbS + deliverGbS) * p.lambdaArmPerGbSecond,
  });
  const lambdaRequests = Object.keys(usage.invocations).reduce((sum, fn) => sum + invocations(fn), 0);
  lines.push({
    item: 'Lambda requests',
    basis: Object.entries(usage.invocations)
      .map(([fn, i]) => `${fn} ${fmt(i.invocations)}/submission (${fmt(i.recordsPerInvocation, 1)} records each)`)
      .join(', '),
    usd: lambdaRequests * p.lambdaPerRequest,
  });

  let sqs = 0;
  let wru = 0;
  let rru = 0;
  let puts = 0;
  let gets = 0;
  let putBytes = 0;
  eachTally(usage, (fn, service, op, t) => {
    if (fn === 'substrate') return;
    if (service === 'SQS') {
      // Empty long polls depend on the local poll wait (1 s); on AWS they are the idle cost below.
      sqs += t.billedRequests - t.empty;
    } else if (service === 'DynamoDB' && fn !== 'runner') {
      wru += t.writeUnits;
      rru += t.readUnits;
    } else if (service === 'S3') {
      if (op === 'PutObject') {
        puts += t.requests;
        putBytes += t.bytes;
      } else if (op === 'GetObject') gets += t.requests;
    }
  });
  lines.push({
    item: 'SQS requests',
    basis: `${fmt(sqs)} per submission (send, receive, delete; 64 KB chunks)`,
    usd: sqs * submissions * p.sqsPerRequest,
  });
  lines.push({
    item: 'DynamoDB on-demand',
    basis: `${fmt(wru, 1)} WRU + ${fmt(rru, 1)} RRU per submission`,
    usd: submissions * (wru * p.dynamoPerWriteUnit + rru * p.dynamoPerReadUnit),
  });
  lines.push({
    item: 'S3 requests',
    basis: `${fmt(puts, 1)} PUT + ${fmt(gets, 1)} GET per submission`,
    usd: submissions * (puts * p.s3PerPut + gets * p.s3PerGet),
  });
  const storedGb = (putBytes * submissions) / 1e9;
  lines.push({
    item: 'S3 storage, first month',
    basis: `${fmt(putBytes / 1024, 1)} KB per submission = ${fmt(storedGb, 2)} GB`,
    usd: storedGb * p.s3PerGbMonth,
  });
  lines.push({
    item: 'API Gateway HTTP API',
    basis: '1 request per submission (the POST; status polling not counted)',
    usd: submissions * p.apiGatewayHttpPerRequest,
  });
  const logBytes =
    Object.values(usage.logBytes).reduce((a, b) => a + b, 0) + (lambdaRequests / submissions) * PLATFORM_LOG_BYTES;
  lines.push({
    item: 'CloudWatch Logs ingestion',
    basis: `${fmt(logBytes, 0)} bytes per submission (handlers' JSON lines + ~${PLATFORM_LOG_BYTES} B of START/END/REPORT per invocation)`,
    usd: ((logBytes * submissions) / 1e9) * p.logsPerGbIngested,
  });
  const totalUsd = lines.reduce((sum, l) => sum + l.usd, 0);

  const monthly: CostLine[] = [
    {
      item: 'SQS: Lambda polling idle queues',
      basis: `${inputs.queuesPolled} queues × ~${IDLE_RECEIVES_PER_QUEUE_MONTH.toLocaleString('en')} empty receives a month`,
      usd: inputs.queuesPolled * IDLE_RECEIVES_PER_QUEUE_MONTH * p.sqsPerRequest,
    },
  ];

  // What the choices that cost most add (against the cheapest way that keeps the guarantee, where there is one).
  const op = (fn: string, service: string, name: string): Tally | undefined => usage.requests[fn]?.[service]?.[name];
  const choices: CostLine[] = [];
  const perRecordGbS = (ms: number) => submissions * (ms / 1000) * gb('deliver-archive');
  choices.push({
    item: 'XSD validation of every arkivmelding (one warm libxml2 worker, a batch shares a run)',
    basis:
      `${fmt(inputs.validationMs, 1)} ms CPU for a record alone at ${FUNCTIONS['deliver-archive'].memoryMb} MB (the price ` +
      `here); in an SQS batch of 5: ${fmt(inputs.validationBatchedMs, 1)} ms each. A fresh worker per run as before: ` +
      `${fmt(inputs.validationFreshMs, 0)} ms, ${fmt(inputs.validationFreshBatchedMs, 0)} ms in a batch of 5`,
    usd: perRecordGbS(inputs.validationMs) * p.lambdaArmPerGbSecond,
  });
  const transact = op('receive', 'DynamoDB', 'TransactWriteItems');
  if (transact) {
    choices.push({
      item: 'Receipt, submission and deliveries in one transaction',
      basis: `a transaction costs twice the WRU of plain writes: ${fmt(transact.writeUnits / 2, 1)} WRU of ${fmt(transact.writeUnits, 1)}`,
      usd: submissions * (transact.writeUnits / 2) * p.dynamoPerWriteUnit,
    });
  }
  let idempotencyWru = 0;
  let idempotencyRru = 0;
  let historyWru = 0;
  let updates = 0;
  eachTally(usage, (fn, service, name, t) => {
    if (service !== 'DynamoDB' || fn === 'runner' || fn === 'substrate') return;
    if (name.includes('(idempotency table)')) {
      idempotencyWru += t.writeUnits;
      idempotencyRru += t.readUnits;
    } else if (name === 'UpdateItem') {
      historyWru += t.writeUnits;
      updates += t.requests;
    }
  });
  choices.push({
    item: 'Idempotency record per delivery (Powertools)',
    basis: `${fmt(idempotencyWru, 1)} WRU + ${fmt(idempotencyRru, 1)} RRU per submission in its own table`,
    usd: submissions * (idempotencyWru * p.dynamoPerWriteUnit + idempotencyRru * p.dynamoPerReadUnit),
  });
  choices.push({
    item: 'Status history and index rewritten on every status change',
    basis: `${fmt(updates, 1)} updates per submission at ${fmt(historyWru / Math.max(updates, 1e-9), 1)} WRU each; 1 WRU each if the item stayed under 1 KB`,
    usd: submissions * Math.max(0, historyWru - updates) * p.dynamoPerWriteUnit,
  });
  choices.push({
    item: 'Original, form data and every attachment as their own S3 objects',
    basis:
      `${fmt(puts, 1)} PUT + ${fmt(gets, 1)} GET per submission; the original alone (the rest read from it) would be ` +
      '1 PUT + 1 GET, and would not store the attachments twice',
    usd: submissions * (Math.max(0, puts - 1) * p.s3PerPut + Math.max(0, gets - 1) * p.s3PerGet),
  });
  choices.push({
    item: '1024 MB for receive and deliver-archive',
    basis: 'half the GB-s at 512 MB if the duration stayed the same (it would not for CPU-bound work)',
    usd: ((receiveGbS + deliverGbS) / 2) * p.lambdaArmPerGbSecond,
  });
  choices.push({
    item: 'API Gateway in front of receive',
    basis: 'a Lambda function URL would cost nothing per request, but has no JWT authorizer or throttling',
    usd: submissions * p.apiGatewayHttpPerRequest,
  });
  choices.push({
    item: 'Structured logs (Powertools) and Lambda platform lines',
    basis: `${fmt(logBytes, 0)} bytes per submission`,
    usd: ((logBytes * submissions) / 1e9) * p.logsPerGbIngested,
  });
  const designChoices = choices.map((c) => ({ ...c, share: c.usd / totalUsd })).sort((a, b) => b.usd - a.usd);
  return { submissions, prices: PRICES, lines, totalUsd, monthly, designChoices };
}
