/**
 * `npm run bench`: mapping throughput, cold start, the local pipeline end to end and the AWS price of 100,000
 * submissions, each against a baseline measured in the same run. Prints the tables and writes bench/results.json.
 *
 *   npm run bench                                  everything, in about ten minutes on two cores
 *   npm run bench -- --only mapping,coldstart      some sections (cost needs mapping and pipeline)
 *   npm run bench -- --only synth                  cdk synth of one stack and of ten
 *   BENCH_BUDGET_SECONDS=300 npm run bench         a shorter run: the pipeline's larger N shrinks to fit
 *   BENCH_PIPELINE_SIZES=1000,10000                the N to post (default 1,000 then 10,000, as time allows)
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ColdStartResult } from './coldstart.ts';
import type { CostModel } from './cost.ts';
import { resultsJson } from './json.ts';
import type { MappingResult } from './mapping/mapping.ts';
import type { PipelineResult } from './pipeline/pipeline.ts';
import { coldStartTable, costTables, goals, goalsTable, mappingTables, pipelineTables } from './report.ts';
import { median, spread } from './stats.ts';

// fauxqs persists through node:sqlite, which Node still calls experimental: not worth a warning in the output.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  if (/SQLite is an experimental feature/.test(typeof warning === 'string' ? warning : warning.message)) return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

const SECTIONS = ['mapping', 'coldstart', 'pipeline', 'cost', 'fiks-io', 'synth'] as const;
type Section = (typeof SECTIONS)[number];

const { values } = parseArgs({ options: { only: { type: 'string' } } });
const only = new Set((values.only?.split(',') ?? SECTIONS) as Section[]);
const budgetSeconds = Number(process.env.BENCH_BUDGET_SECONDS ?? 660);
const sizes = (process.env.BENCH_PIPELINE_SIZES ?? '1000,10000').split(',').map(Number);
const started = Date.now();
const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
const log = (line: string) => process.stderr.write(`[bench ${elapsed()}] ${line}\n`);

if (Number(process.versions.node.split('.')[0]) < 24) {
  throw new Error(`The bench needs Node 24 (npm run bench uses the project's own); this is ${process.version}`);
}
let xsltprocVersion: string;
try {
  xsltprocVersion = execFileSync('xsltproc', ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? '';
} catch {
  throw new Error('xsltproc is not installed (Debian: apt-get install xsltproc); the mapping baseline needs it');
}

const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? '',
  node: process.version,
  xsltproc: xsltprocVersion,
  loadAverageAtStart: loadavg()[0] ?? 0,
  loadAverageAtEnd: 0,
};
log(`load average ${machine.loadAverageAtStart.toFixed(1)} on ${machine.cpus} cores; budget ${budgetSeconds} s`);

let mapping: MappingResult | undefined;
let coldStart: ColdStartResult[] | undefined;
let pipeline: PipelineResult | undefined;
let cost: CostModel | undefined;

if (only.has('mapping')) {
  log('mapping …');
  const { measureMapping } = await import('./mapping/mapping.ts');
  mapping = await measureMapping({ rounds: 3, documents: 10_000, log });
}
if (only.has('coldstart')) {
  log('cold start …');
  const { measureColdStart } = await import('./coldstart.ts');
  coldStart = await measureColdStart({ runs: 4, log });
}
if (only.has('pipeline')) {
  log('pipeline …');
  const { measurePipeline } = await import('./pipeline/pipeline.ts');
  pipeline = await measurePipeline({ sizes, concurrency: 64, deadline: started + budgetSeconds * 1000, log });
}
let fiksIo: import('./fiks-io.ts').FiksIoSealingResult | undefined;
if (only.has('fiks-io')) {
  log('fiks-io …');
  const { measureFiksIoSealing } = await import('./fiks-io.ts');
  fiksIo = await measureFiksIoSealing();
}
let synth: import('./synth.ts').SynthResult | undefined;
if (only.has('synth')) {
  log('synth …');
  const { measureSynth } = await import('./synth.ts');
  synth = await measureSynth({ runs: 2, log });
}
if (only.has('cost') && pipeline && mapping) {
  const { costModel } = await import('./cost.ts');
  const { VALIDATION } = await import('./mapping/mapping.ts');
  const validation = mapping.validation.perRecordCpuMs;
  cost = costModel({
    usage: pipeline.usage,
    receiveMs: pipeline.quiet.receiveMs.median,
    deliverArchiveMs: pipeline.quiet.deliverArchiveMs.median,
    validationMs: validation[VALIDATION.asDelivered]?.median ?? Number.NaN,
    validationBatchedMs: validation[VALIDATION.batched]?.median ?? Number.NaN,
    validationFreshMs: validation[VALIDATION.fresh]?.median ?? Number.NaN,
    validationFreshBatchedMs: validation[VALIDATION.freshBatched]?.median ?? Number.NaN,
    queuesPolled: pipeline.queuesPolled,
  });
}
machine.loadAverageAtEnd = loadavg()[0] ?? 0;

// How noisy the machine was: the spread of every set of repeated runs (subject and baseline alike).
const spreads = [
  ...(mapping?.formTypes.flatMap((f) => [f.perCpuSecond.subject.spread, f.perCpuSecond.baseline.spread]) ?? []),
  ...(mapping ? [mapping.ttKort.vsXsltproc.baseline.spread] : []),
  ...(coldStart?.flatMap((f) => [f.importMs.subject.spread, f.importMs.baseline.spread]) ?? []),
  ...(pipeline?.runs.map((r) => spread(r.substrateRuns.map((t) => t.deliveredPerSecond))) ?? []),
];
const noise = {
  loadAverage: [machine.loadAverageAtStart, machine.loadAverageAtEnd],
  medianSpreadOfRuns: median(spreads),
  maxSpreadOfRuns: spreads.length ? Math.max(...spreads) : 0,
  note: 'spread = (slowest - fastest) / median of the repeated runs of one figure; ratios pair runs taken together',
};
const goalList = goals(mapping, coldStart, pipeline);

const out = [
  mapping && mappingTables(mapping),
  coldStart && coldStartTable(coldStart),
  pipeline && pipelineTables(pipeline),
  cost && costTables(cost),
  fiksIo && (await import('./fiks-io.ts')).fiksIoTable(fiksIo),
  synth && (await import('./synth.ts')).synthTable(synth),
  goalList.length > 0 && goalsTable(goalList),
  `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.node}; load average ${machine.loadAverageAtStart.toFixed(1)} ` +
    `at the start, ${machine.loadAverageAtEnd.toFixed(1)} at the end.` +
    (spreads.length > 0
      ? ` Repeated runs spread ${Math.round(noise.medianSpreadOfRuns * 100)} % (median; up to ` +
        `${Math.round(noise.maxSpreadOfRuns * 100)} %) around their median.`
      : '') +
    ` Took ${elapsed()}.`,
]
  .filter(Boolean)
  .join('\n\n');
process.stdout.write(`\n${out}\n`);

const results = {
  generatedAt: new Date().toISOString(),
  seconds: Math.round((Date.now() - started) / 1000),
  sections: [...only],
  machine,
  noise,
  goals: goalList,
  mapping,
  coldStart,
  pipeline,
  cost,
  fiksIo,
  synth,
};
const file = resolve(import.meta.dirname, 'results.json');
await writeFile(file, resultsJson(results));
log(`wrote ${file}`);
