/**
 * Cold start: each function bundled as the CDK stack bundles it (infra/cdk/functions.ts bundlingFor, through
 * esbuild's own API, no synth) and as many Lambda projects ship a handler (unminified, the AWS SDK left external and
 * loaded from node_modules). For each: the size raw and gzipped, and the time to import it in a fresh Node 24
 * process, measured inside that process around the `import()`.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { bundlingFor, FUNCTIONS, type FunctionName } from '../infra/cdk/functions.ts';
import { type Comparison, compare, type Figure, figure } from './stats.ts';

const REPO = resolve(import.meta.dirname, '..');

interface Built {
  production: string;
  sdkExternal: string;
  /** Minified like production but with the SDK left to the runtime: the size the goal would need */
  minifiedSdkExternalBytes: number;
  contents: { name: string; bytes: number }[];
  /** Bytes of @aws-sdk/* and @smithy/* in the production bundle */
  sdkBytes: number;
}

export interface BundleSize {
  /** index.mjs as shipped */
  bytes: number;
  gzipBytes: number;
  /** The source map shipped beside it (production only) */
  mapBytes?: number;
}

export interface ColdStartResult {
  function: FunctionName;
  memoryMb: number;
  production: BundleSize;
  sdkExternal: BundleSize;
  /** Import time in ms (wall, inside the process): production against the SDK-external build */
  importMs: Comparison;
  /** The same imports in CPU ms of the process (less sensitive to other load on the machine) */
  importCpuMs: Comparison;
  /** The largest packages in the production bundle (bytes of minified output) */
  contents: { name: string; bytes: number }[];
  /** Bytes of the AWS SDK (@aws-sdk/*, @smithy/*) in the production bundle */
  sdkBytes: number;
  /** The bundle minified as in production but with the SDK left to the runtime */
  minifiedSdkExternalBytes: number;
  /** Production imported without NODE_OPTIONS=--enable-source-maps, which the stack sets (what the flag costs) */
  importMsWithoutSourceMaps: Figure;
}

/** Builds both variants of one function into `dir`; returns the entry file of each. */
async function buildVariants(name: FunctionName, dir: string): Promise<Built> {
  const options = bundlingFor(name);
  const entry = join(REPO, 'functions', name, 'handler.ts');
  const common: BuildOptions = {
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: options.format === OutputFormat.CJS ? 'cjs' : 'esm',
    target: options.target ?? 'node24',
    mainFields: options.mainFields ?? ['module', 'main'],
    ...(options.banner ? { banner: { js: options.banner } } : {}),
    logLevel: 'error',
    absWorkingDir: REPO,
  };
  // The production asset: functions/<name>/index.mjs, and what afterBundling copies in beside it.
  const production = join(dir, 'production', name);
  const productionEntry = join(production, 'functions', name, 'index.mjs');
  const { metafile } = await build({
    ...common,
    alias: aliasesOf(options),
    metafile: true,
    outfile: productionEntry,
    minify: options.minify ?? false,
    sourcemap: options.sourceMap ?? false,
    sourcesContent: options.sourcesContent ?? true,
    external: [...(options.externalModules ?? []), ...(options.bundleAwsSDK ? [] : ['@aws-sdk/*'])],
  });
  if (FUNCTIONS[name].archiveSchemas) {
    await mkdir(join(production, 'node_modules'), { recursive: true });
    await cp(join(REPO, 'node_modules/xmllint-wasm'), join(production, 'node_modules/xmllint-wasm'), {
      recursive: true,
      dereference: true,
    });
    await cp(join(REPO, 'schemas'), join(production, 'schemas'), { recursive: true });
  }
  // The common way: unminified, no source map, the SDK from node_modules (the Lambda runtime's, here the repo's).
  const external = join(dir, 'sdk-external', name);
  const externalEntry = join(external, 'functions', name, 'index.mjs');
  await build({
    ...common,
    outfile: externalEntry,
    minify: false,
    sourcemap: false,
    external: [...(options.externalModules ?? []), '@aws-sdk/*'],
  });
  await symlink(join(REPO, 'node_modules'), join(external, 'node_modules'), 'dir');
  const minified = join(dir, 'minified-sdk-external', name, 'index.mjs');
  await build({
    ...common,
    outfile: minified,
    minify: true,
    external: [...(options.externalModules ?? []), '@aws-sdk/*'],
  });
  if (FUNCTIONS[name].archiveSchemas) await cp(join(REPO, 'schemas'), join(external, 'schemas'), { recursive: true });
  const packages = metafile ? bytesByPackage(metafile) : [];
  return {
    production: productionEntry,
    sdkExternal: externalEntry,
    minifiedSdkExternalBytes: (await stat(minified)).size,
    contents: packages.slice(0, 5),
    sdkBytes: packages.filter((p) => /^@(aws-sdk|smithy)\//.test(p.name)).reduce((sum, p) => sum + p.bytes, 0),
  };
}

/**
 * The `--alias:pkg=path` arguments the stack passes to esbuild, for the API (the production build only: the
 * baseline ships the SDK as it comes). Any other esbuild argument would make the bench measure something else
 * than what ships, so it stops here until the bench learns it.
 */
function aliasesOf(options: BundlingOptions): Record<string, string> {
  const { '--alias': alias, ...rest } = options.esbuildArgs ?? {};
  if (Object.keys(rest).length > 0) throw new Error(`bench/coldstart.ts does not apply ${Object.keys(rest)}`);
  const list = Array.isArray(alias) ? alias : typeof alias === 'string' ? [alias] : [];
  return Object.fromEntries(list.map((pair) => pair.split('=', 2) as [string, string]));
}

/** What fills a bundle: bytes in the output by npm package (or "skjemaflyt" for the repository's own code). */
function bytesByPackage(metafile: Metafile): { name: string; bytes: number }[] {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const name = match?.[1] ?? 'skjemaflyt';
      byPackage.set(name, (byPackage.get(name) ?? 0) + input.bytesInOutput);
    }
  }
  return [...byPackage].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

async function sizeOf(file: string, withMap: boolean): Promise<BundleSize> {
  const bytes = await readFile(file);
  return {
    bytes: bytes.byteLength,
    gzipBytes: gzipSync(bytes, { level: 9 }).byteLength,
    ...(withMap ? { mapBytes: (await stat(`${file}.map`)).size } : {}),
  };
}

// Inside the fresh process: only the import is timed (Node's own start is the same for both variants).
const PROBE = `const u0 = process.cpuUsage(); const t0 = performance.now();
const m = await import(process.argv[1]);
const ms = performance.now() - t0; const u = process.cpuUsage(u0);
if (typeof m.handler !== 'function') throw new Error('no handler');
process.stdout.write(JSON.stringify({ ms, cpuMs: (u.user + u.system) / 1000 }));`;

/** Imports a bundle in a fresh Node process (outside the repository, nothing in the environment but what Lambda sets). */
function importOnce(file: string, nodeOptions: string): Promise<{ ms: number; cpuMs: number }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', PROBE, pathToFileURL(file).href], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: nodeOptions, AWS_REGION: 'eu-north-1', NODE_PATH: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', fail);
    child.on('close', (code) => {
      if (code === 0) done(JSON.parse(out));
      else fail(new Error(`import of ${file} failed (${code}): ${err.slice(0, 500)}`));
    });
  });
}

export async function measureColdStart(options: { runs: number; log: (line: string) => void }) {
  const dir = await mkdtemp(join(tmpdir(), 'skjemaflyt-bench-bundles-'));
  try {
    const names = Object.keys(FUNCTIONS) as FunctionName[];
    const entries = new Map<FunctionName, Built>();
    const buildStarted = performance.now();
    for (const name of names) entries.set(name, await buildVariants(name, dir));
    options.log(`built ${names.length * 2} bundles in ${Math.round(performance.now() - buildStarted)} ms`);

    const results: ColdStartResult[] = [];
    for (const name of names) {
      const files = entries.get(name) as Built;
      const runs = { production: [] as number[], productionCpu: [] as number[], noMaps: [] as number[] };
      const baseline = { ms: [] as number[], cpu: [] as number[] };
      // Interleaved, so both variants see the same load from the rest of the machine.
      for (let r = 0; r < options.runs; r++) {
        const prod = await importOnce(files.production, '--enable-source-maps');
        const ext = await importOnce(files.sdkExternal, '');
        const plain = await importOnce(files.production, '');
        runs.production.push(prod.ms);
        runs.productionCpu.push(prod.cpuMs);
        runs.noMaps.push(plain.ms);
        baseline.ms.push(ext.ms);
        baseline.cpu.push(ext.cpuMs);
      }
      results.push({
        function: name,
        memoryMb: FUNCTIONS[name].memoryMb,
        production: await sizeOf(files.production, true),
        sdkExternal: await sizeOf(files.sdkExternal, false),
        contents: files.contents,
        sdkBytes: files.sdkBytes,
        minifiedSdkExternalBytes: files.minifiedSdkExternalBytes,
        importMs: compare(runs.production, baseline.ms),
        importCpuMs: compare(runs.productionCpu, baseline.cpu),
        importMsWithoutSourceMaps: figure(runs.noMaps),
      });
      options.log(`${name}: imported ${options.runs}× each way`);
    }
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
