import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_CONFIG_PATH } from '../shared/config/load.ts';
import { manyMunicipalities } from '../test/cdk/support.ts';
import { median } from './stats.ts';

/**
 * Synth time (issue 16): `cdk synth` of one stack (config/halden.json) and of ten (ten Halden-shaped deployments,
 * as a municipality-per-stack operator has them), each a fresh process with a fresh output folder, so every run
 * bundles the functions as a first `cdk synth` on a new checkout does. Timed inside the process (bench/synth-child.ts)
 * and from outside (the process's whole life: Node's start and TypeScript stripping too).
 */
export interface SynthRun {
  stacks: number;
  wallMs: number;
  importMs: number;
  loadAndCheckMs: number;
  constructMs: number;
  synthMs: number;
  cpuMs: number;
  childrenCpuMs: number;
  processWallMs: number;
}

export interface SynthResult {
  cases: { name: string; stacks: number; runs: SynthRun[]; medianWallMs: number; medianCpuMs: number }[];
}

const CHILD = resolve(import.meta.dirname, 'synth-child.ts');

function synthOnce(config: string, outdir: string): SynthRun {
  const started = performance.now();
  const out = execFileSync(process.execPath, [CHILD, config, outdir], {
    encoding: 'utf8',
    cwd: resolve(import.meta.dirname, '..'),
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const processWallMs = performance.now() - started;
  const line = out.trim().split('\n').at(-1) ?? '{}';
  return { ...(JSON.parse(line) as Omit<SynthRun, 'processWallMs'>), processWallMs };
}

export async function measureSynth(options: { runs: number; log: (line: string) => void }): Promise<SynthResult> {
  const ten = await manyMunicipalities(10);
  const cases = [
    { name: 'one stack (halden.json)', config: join(DEFAULT_CONFIG_PATH, 'halden.json') },
    { name: 'ten stacks', config: ten },
  ];
  const result: SynthResult = { cases: [] };
  for (const c of cases) {
    const runs: SynthRun[] = [];
    for (let i = 0; i < options.runs; i++) {
      const outdir = await mkdtemp(join(tmpdir(), 'skjemaflyt-bench-synth-'));
      try {
        runs.push(synthOnce(c.config, outdir));
      } finally {
        await rm(outdir, { recursive: true, force: true });
      }
      options.log(`synth ${c.name}: ${Math.round((runs.at(-1)?.processWallMs ?? 0) / 1000)} s`);
    }
    result.cases.push({
      name: c.name,
      stacks: runs[0]?.stacks ?? 0,
      runs,
      medianWallMs: median(runs.map((r) => r.processWallMs)),
      medianCpuMs: median(runs.map((r) => r.cpuMs + r.childrenCpuMs)),
    });
  }
  await rm(ten, { recursive: true, force: true });
  return result;
}

export function synthTable(result: SynthResult): string {
  const s = (ms: number) => (ms / 1000).toFixed(1);
  const rows = result.cases.map((c) => {
    const m = (pick: (r: SynthRun) => number) => s(median(c.runs.map(pick)));
    return [
      c.name,
      String(c.stacks),
      s(c.medianWallMs),
      s(c.medianCpuMs),
      m((r) => r.importMs),
      m((r) => r.loadAndCheckMs),
      m((r) => r.constructMs),
      m((r) => r.synthMs),
    ];
  });
  const header = [
    'case',
    'stacks',
    'wall s',
    'CPU s',
    'import',
    'load+check',
    'construct',
    'synth (bundle, nag, write)',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
  return [
    'Synth: `cdk synth` in a fresh process with an empty output folder (medians; wall from process start to exit,',
    'CPU of the process and of esbuild; the phases are wall seconds inside the process).',
    line(header),
    ...rows.map(line),
  ].join('\n');
}
