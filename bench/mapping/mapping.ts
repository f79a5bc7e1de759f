/**
 * Mapping throughput: submissions per CPU-second on one core, from the parsed request to the finished arkivmelding
 * string, for each demo form type; against the bare floor (fast-xml-parser parse + build of a document of the same
 * size) and, for TT-kort, against xsltproc transforming the same 10,000 documents in one process. Rounds alternate
 * subject and baselines, so each ratio is taken under the same load. Also where the hub's time goes (stage by
 * stage), and what the XSD validation the archive delivery adds costs per record, alone and in batches.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import type { Target } from '../../shared/config/types.ts';
import { mapToArchive } from '../../shared/mapping/form-type.ts';
import { type ArchiveFormat, writeArkivmelding } from '../../shared/noark/formats.ts';
import { validateWithFreshWorker } from '../../shared/noark/fresh-validator.ts';
import { validateArkivmelding } from '../../shared/noark/validate.ts';
import { parseFormData } from '../../shared/submission/form-data.ts';
import { isCleanText, stringsIn } from '../../shared/submission/text.ts';
import { inspectXml } from '../../shared/submission/xml-guard.ts';
import { type Comparison, compare, type Figure, figure } from '../stats.ts';
import { type MappingCase, sampleCases, ttKortCases, xsltInput } from './documents.ts';
import { type DemoFormType, demoFormTypes, floor, hubMapping } from './subjects.ts';

const STYLESHEET = resolve(import.meta.dirname, 'tt-kort.xsl');

/** The validation variants the cost model and the report refer to */
export const VALIDATION = {
  asDelivered: 'warm worker, 1 per run (a record alone, as delivered)',
  batched: 'warm worker, 5 per run (an SQS batch of 5, as delivered)',
  fresh: 'fresh worker per run, 1 per run (before)',
  freshBatched: 'fresh worker per run, 5 per run (before)',
} as const;

export interface FormTypeMapping {
  formType: string;
  output: DemoFormType['output'];
  documents: number;
  /** Submissions per CPU-second: hub against the floor */
  perCpuSecond: Comparison;
  /** The same in wall-clock time */
  perSecond: Comparison;
}

export interface MappingResult {
  formTypes: FormTypeMapping[];
  ttKort: {
    documents: number;
    /** Hub against xsltproc (per CPU-second of each process, and per wall-clock second) */
    vsXsltproc: Comparison;
    vsXsltprocWall: Comparison;
    /**
     * Hub against the same stylesheet with its two costly rules cut short (Oslo time from the UTC time of receipt,
     * ASCII file references): a different output, shown to say what those rules cost xsltproc
     */
    vsXsltprocShortcuts: Comparison;
    /** Outputs of xsltproc byte for byte equal to the hub's, of `documents` */
    identicalOutputs: number;
    /** Where the hub's time goes, µs of CPU per document */
    stagesMicroseconds: Record<string, number>;
  };
  /**
   * XSD validation of the TT-kort arkivmelding, ms per record, alone and batched: as delivered (shared/noark/validate.ts: one warm worker, records arriving together share a run) and with a fresh
   * worker per run as before
   */
  validation: {
    perRecordCpuMs: Record<string, Figure>;
    perRecordWallMs: Record<string, Figure>;
    /** One-document validation's CPU per record ÷ the mapping's */
    timesMapping: number;
  };
}

interface Timing {
  cpuSeconds: number;
  wallSeconds: number;
}

async function timed(work: () => Promise<void> | void): Promise<Timing> {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  await work();
  const used = process.cpuUsage(cpu);
  return { cpuSeconds: (used.user + used.system) / 1e6, wallSeconds: (performance.now() - wall) / 1000 };
}

/**
 * Runs xsltproc over every document in `dir` in one process; its CPU time from the shell's `times`. With
 * `shortcuts`, the stylesheet takes times as written and file names as given (not the hub's output).
 */
function xsltproc(dir: string, files: string[], out: string, shortcuts = false): Promise<Timing> {
  return new Promise((done, fail) => {
    const wall = performance.now();
    // `times` prints the shell's then its children's user and system time (e.g. "0m2.383s 0m0.285s").
    const script = 'xsltproc --nonet "$@" > "$OUT" || exit $?; times';
    const params = shortcuts ? ['--param', 'shortcuts', '1'] : [];
    const child = spawn('bash', ['-c', script, 'bench', ...params, STYLESHEET, ...files], {
      cwd: dir,
      env: { ...process.env, OUT: out },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', fail);
    child.on('close', (code) => {
      const wallSeconds = (performance.now() - wall) / 1000;
      const children = stdout.trim().split('\n').at(-1) ?? '';
      const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
      if (code !== 0 || seconds.length !== 2) {
        fail(new Error(`xsltproc failed (${code}): ${stderr.slice(0, 500)}`));
        return;
      }
      done({ cpuSeconds: (seconds[0] as number) + (seconds[1] as number), wallSeconds });
    });
  });
}

async function runHub(demo: DemoFormType, cases: MappingCase[], keep?: string[]): Promise<Timing> {
  return timed(async () => {
    for (const [i, c] of cases.entries()) {
      const xml = await hubMapping(demo, c);
      if (keep) keep[i] = xml;
    }
  });
}

function runFloor(build: (c: MappingCase) => string, cases: MappingCase[]): Promise<Timing> {
  return timed(() => {
    for (const c of cases) build(c);
  });
}

const rate = (n: number, seconds: number[]) => seconds.map((s) => n / s);

/** µs of CPU per document for each step of the hub's path, each step run alone over the same documents. */
async function stages(demo: DemoFormType, cases: MappingCase[]): Promise<Record<string, number>> {
  const format = (demo.target as Target & { format: ArchiveFormat }).format;
  const per = (t: Timing) => (t.cpuSeconds * 1e6) / cases.length;
  const contents = cases.map((c) => c.envelope.formData.content);
  const guard = await timed(() => {
    for (const x of contents) inspectXml(x, { maxDepth: 32, maxElements: 5000 });
  });
  const validator = await timed(() => {
    for (const x of contents) XMLValidator.validate(x);
  });
  const parsed = contents.map(() => ({}) as Record<string, unknown>);
  const parse = await timed(() => {
    for (const [i, x] of contents.entries()) parsed[i] = parseFormData('application/xml', x).data;
  });
  const texts = await timed(() => {
    for (const data of parsed) {
      for (const { value } of stringsIn(data, '/formData/content')) isCleanText(value);
    }
  });
  const records: Awaited<ReturnType<typeof mapToArchive>>[] = [];
  const map = await timed(async () => {
    for (const [i, c] of cases.entries()) {
      const input = {
        trackingId: c.trackingId,
        receivedAt: c.receivedAt,
        envelope: c.envelope,
        formData: parsed[i] ?? {},
      };
      records.push(await mapToArchive(demo.formType, input, c.documents));
    }
  });
  const write = await timed(() => {
    for (const r of records) writeArkivmelding(format, r.arkivmelding);
  });
  return {
    'parse form data (all checks)': per(parse),
    '… of which DTD/size guard': per(guard),
    '… of which XMLValidator': per(validator),
    '… of which text checks (every string)': per(texts),
    'mapping (compiled definition)': per(map),
    'writing the XML': per(write),
  };
}

/**
 * How the bench validates: as the archive delivery does (shared/noark/validate.ts: one warm worker per process,
 * records arriving together share a libxml2 run), and as it did before, with xmllint-wasm's own `validateXML`
 * (a fresh worker and wasm compile per run).
 */
type Validate = (xmls: string[]) => Promise<{ valid: boolean }[]>;

async function validation(xmls: string[], log: (line: string) => void) {
  const asDelivered: Validate = (batch) => Promise.all(batch.map((x) => validateArkivmelding('fiks-arkiv-v1', x)));
  const fresh: Validate = (batch) => validateWithFreshWorker('fiks-arkiv-v1', batch);
  // Calls per variant: enough for a median, few enough to stay within the bench's time.
  const plan: [string, Validate, number, number][] = [
    [VALIDATION.asDelivered, asDelivered, 1, 15],
    [VALIDATION.batched, asDelivered, 5, 9],
    ['warm worker, 25 per run (the most one run takes)', asDelivered, 25, 5],
    [VALIDATION.fresh, fresh, 1, 9],
    [VALIDATION.freshBatched, fresh, 5, 5],
  ];
  const cpu: Record<string, Figure> = {};
  const wall: Record<string, Figure> = {};
  let offset = 0;
  await asDelivered(xmls.slice(0, 1)); // the worker's start, once per instance: not per record
  for (const [label, validate, size, calls] of plan) {
    const cpuRuns: number[] = [];
    const wallRuns: number[] = [];
    for (let k = 0; k < calls; k++) {
      const batch = xmls.slice(offset, offset + size);
      offset = (offset + size) % (xmls.length - 100);
      let valid = true;
      const t = await timed(async () => {
        valid = (await validate(batch)).every((r) => r.valid);
      });
      if (!valid) throw new Error('The hub wrote an arkivmelding that is not valid against the XSD');
      cpuRuns.push((t.cpuSeconds * 1000) / size);
      wallRuns.push((t.wallSeconds * 1000) / size);
    }
    cpu[label] = figure(cpuRuns);
    wall[label] = figure(wallRuns);
    log(`validation ${label}: ${cpu[label].median.toFixed(2)} ms CPU per record`);
  }
  return { cpu, wall };
}

export async function measureMapping(options: { rounds: number; documents: number; log: (line: string) => void }) {
  const { rounds, log } = options;
  const demos = await demoFormTypes();
  const tt = demos.get('tt-kort-soknad');
  if (!tt) throw new Error('The demo configuration has no tt-kort-soknad');
  const ttCases = ttKortCases(options.documents);
  const dir = await mkdtemp(join(tmpdir(), 'skjemaflyt-bench-xslt-'));
  try {
    const files = ttCases.map((_, i) => `${String(i).padStart(5, '0')}.xml`);
    for (const [i, c] of ttCases.entries()) await writeFile(join(dir, files[i] as string), xsltInput(c));
    const out = join(dir, 'out.xml');

    // TT-kort: hub, floor and xsltproc in turns, over the same documents.
    const hubOutputs: string[] = new Array(ttCases.length);
    await runHub(tt, ttCases.slice(0, 500)); // warm-up (JIT), not measured
    const ttFloor = floor(hubOutputs[0] ?? (await hubMapping(tt, ttCases[0] as MappingCase)), tt.output);
    const hub: Timing[] = [];
    const flo: Timing[] = [];
    const xslt: Timing[] = [];
    const shortcut: Timing[] = [];
    let identical = 0;
    for (let r = 0; r < rounds; r++) {
      hub.push(await runHub(tt, ttCases, r === 0 ? hubOutputs : undefined));
      flo.push(await runFloor(ttFloor, ttCases));
      xslt.push(await xsltproc(dir, files, out));
      if (r === 0) {
        const produced = (await readFile(out, 'utf8')).split(/(?=<\?xml version)/);
        identical = produced.filter((x, i) => x === hubOutputs[i]).length;
        await (await open(out, 'w')).close();
      }
      shortcut.push(await xsltproc(dir, files, out, true));
      log(
        `TT-kort round ${r + 1}: hub ${(ttCases.length / (hub[r] as Timing).cpuSeconds).toFixed(0)}/s, ` +
          `floor ${(ttCases.length / (flo[r] as Timing).cpuSeconds).toFixed(0)}/s, ` +
          `xsltproc ${(ttCases.length / (xslt[r] as Timing).cpuSeconds).toFixed(0)}/s ` +
          `(with shortcuts ${(ttCases.length / (shortcut[r] as Timing).cpuSeconds).toFixed(0)}/s) (CPU)`,
      );
    }
    const n = ttCases.length;
    const formTypes: FormTypeMapping[] = [
      {
        formType: tt.formType.id,
        output: tt.output,
        documents: n,
        perCpuSecond: compare(
          rate(
            n,
            hub.map((t) => t.cpuSeconds),
          ),
          rate(
            n,
            flo.map((t) => t.cpuSeconds),
          ),
        ),
        perSecond: compare(
          rate(
            n,
            hub.map((t) => t.wallSeconds),
          ),
          rate(
            n,
            flo.map((t) => t.wallSeconds),
          ),
        ),
      },
    ];

    // The other demo form types: their own sample (one document, distinct trackingIds), against their own floor.
    for (const [id, demo] of demos) {
      if (id === tt.formType.id) continue;
      const cases = await sampleCases(id, Math.min(2000, options.documents));
      await runHub(demo, cases.slice(0, 200));
      const build = floor(await hubMapping(demo, cases[0] as MappingCase), demo.output);
      const h: Timing[] = [];
      const f: Timing[] = [];
      for (let r = 0; r < rounds; r++) {
        h.push(await runHub(demo, cases));
        f.push(await runFloor(build, cases));
      }
      formTypes.push({
        formType: id,
        output: demo.output,
        documents: cases.length,
        perCpuSecond: compare(
          rate(
            cases.length,
            h.map((t) => t.cpuSeconds),
          ),
          rate(
            cases.length,
            f.map((t) => t.cpuSeconds),
          ),
        ),
        perSecond: compare(
          rate(
            cases.length,
            h.map((t) => t.wallSeconds),
          ),
          rate(
            cases.length,
            f.map((t) => t.wallSeconds),
          ),
        ),
      });
      log(`${id}: ${(formTypes.at(-1) as FormTypeMapping).perCpuSecond.subject.median.toFixed(0)}/s (CPU)`);
    }

    const stagesMicroseconds = await stages(tt, ttCases.slice(0, 2000));
    const checked = await validation(hubOutputs, log);
    const mappingCpuMs = 1000 / (formTypes[0] as FormTypeMapping).perCpuSecond.subject.median;
    return {
      formTypes,
      ttKort: {
        documents: n,
        vsXsltproc: compare(
          rate(
            n,
            hub.map((t) => t.cpuSeconds),
          ),
          rate(
            n,
            xslt.map((t) => t.cpuSeconds),
          ),
        ),
        vsXsltprocShortcuts: compare(
          rate(
            n,
            hub.map((t) => t.cpuSeconds),
          ),
          rate(
            n,
            shortcut.map((t) => t.cpuSeconds),
          ),
        ),
        vsXsltprocWall: compare(
          rate(
            n,
            hub.map((t) => t.wallSeconds),
          ),
          rate(
            n,
            xslt.map((t) => t.wallSeconds),
          ),
        ),
        identicalOutputs: identical,
        stagesMicroseconds,
      },
      validation: {
        perRecordCpuMs: checked.cpu,
        perRecordWallMs: checked.wall,
        timesMapping: (checked.cpu[VALIDATION.asDelivered]?.median ?? Number.NaN) / mappingCpuMs,
      },
    } satisfies MappingResult;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
