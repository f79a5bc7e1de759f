/**
 * XSD validation with the libxml2 build from xmllint-wasm, without that library's fixed cost per call (its
 * `validateXML` starts a worker thread, reads and compiles xmllint.wasm and tears it all down again every time).
 * This keeps one worker per process (per Lambda instance) with the wasm compiled once; each call still gets a fresh
 * libxml2 instance (its own memory, nothing carried over from the document before) and parses the schema anew.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ArchiveFormat } from './formats.ts';
import { loadSchemas, readValidationOutput, type ValidationResult, validationFileName } from './xsd.ts';

/** Runs in the worker: xmllint's Emscripten module, started per job from the one compiled wasm module. */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const createXmllint = require(workerData.glue);
const compiled = new WebAssembly.Module(readFileSync(workerData.wasm));
parentPort.on('message', (job) => {
  if (!job || job.skjemaflyt !== true) return;
  let stderr = '';
  const reply = (exitCode, text) => parentPort.postMessage({ skjemaflyt: true, id: job.id, exitCode, stderr: text });
  createXmllint({
    inputFiles: job.inputFiles,
    arguments: job.args,
    print() {},
    printErr(text) { stderr += text + '\\n'; },
    onExit(exitCode) { reply(exitCode, stderr); },
    onAbort(reason) { reply(-1, 'WASM Abort: ' + reason); },
    wasmMemory: new WebAssembly.Memory({ initial: 256, maximum: job.maxMemoryPages }),
    instantiateWasm(imports, receive) {
      WebAssembly.instantiate(compiled, imports).then((instance) => receive(instance, compiled), (e) => reply(-1, String(e)));
      return {};
    },
  }).catch((e) => reply(-1, String(e && e.message || e)));
});
`;

/** Room for many documents with long texts in one run (as validate.ts). */
const MAX_MEMORY_PAGES = 16 * 256;

interface Reply {
  skjemaflyt: true;
  id: number;
  exitCode: number;
  stderr: string;
}

export interface WarmValidator {
  /** Several documents of one format in one libxml2 run; results in the order given. */
  validate(format: ArchiveFormat, xmls: string[]): Promise<ValidationResult[]>;
  close(): Promise<void>;
}

/** A run took longer than any real one does: its worker is stopped and the next run gets a fresh one. */
export class ValidatorTimeoutError extends Error {
  constructor(ms: number) {
    super(`XSD validation did not finish within ${ms} ms`);
    this.name = 'ValidatorTimeoutError';
  }
}

export interface WarmValidatorOptions {
  /** How long one run may take (a run of 25 arkivmeldinger takes ~25 ms). Default 10 s. */
  runTimeoutMs?: number;
}

interface Pending {
  worker: Worker;
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
}

export function createWarmValidator(options: WarmValidatorOptions = {}): WarmValidator {
  // Resolved from this module's place: beside the sources here, functions/<name>/ in a Lambda bundle (which ships
  // xmllint-wasm in node_modules, not bundled). Not createRequire: the bundles' banner already declares that name.
  const glue = fileURLToPath(import.meta.resolve('xmllint-wasm/xmllint-node.js'));
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, Pending>();

  /** Ends what one worker had in hand; a worker already replaced does not touch its successor's jobs. */
  const failAll = (w: Worker, error: Error) => {
    for (const [id, p] of pending) {
      if (p.worker !== w) continue;
      pending.delete(id);
      p.reject(error);
    }
    if (worker === w) worker = undefined;
  };
  const start = () => {
    const w = new Worker(WORKER, { eval: true, workerData: { glue, wasm: join(dirname(glue), 'xmllint.wasm') } });
    // An idle validator must not keep a process (a test, a CLI) alive; a job in flight refs it again.
    w.unref();
    w.on('message', (reply: Reply) => {
      if (reply?.skjemaflyt !== true) return;
      const p = pending.get(reply.id);
      pending.delete(reply.id);
      if (![...pending.values()].some((q) => q.worker === w)) w.unref();
      p?.resolve(reply);
    });
    w.on('error', (error) => failAll(w, error));
    w.on('exit', (code) => failAll(w, new Error(`The validator worker stopped (${code})`)));
    return w;
  };

  return {
    async validate(format, xmls) {
      if (xmls.length === 0) return [];
      const { schema, preload } = await loadSchemas(format);
      const names = xmls.map((_, i) => validationFileName(i));
      worker ??= start();
      const w = worker;
      const id = nextId++;
      const runTimeoutMs = options.runTimeoutMs ?? 10_000; // read per run: it may be changed meanwhile
      let timer: NodeJS.Timeout | undefined;
      const reply = await new Promise<Reply>((resolve, reject) => {
        pending.set(id, { worker: w, resolve, reject });
        w.ref();
        timer = setTimeout(() => {
          // Whatever libxml2 is stuck on, the worker goes with it; its other jobs fail too and are retried.
          failAll(w, new ValidatorTimeoutError(runTimeoutMs));
          void w.terminate();
        }, runTimeoutMs);
        timer.unref();
        w.postMessage({
          skjemaflyt: true,
          id,
          inputFiles: [...xmls.map((contents, i) => ({ fileName: names[i], contents })), schema, ...preload],
          args: ['--schema', schema.fileName, '--noout', ...names],
          maxMemoryPages: MAX_MEMORY_PAGES,
        });
      }).finally(() => clearTimeout(timer));
      // 0: all valid; 3 and 4: a document is not well-formed or not valid. Anything else is a setup failure.
      if (reply.exitCode !== 0 && reply.exitCode !== 3 && reply.exitCode !== 4) {
        throw new Error(`xmllint failed (${reply.exitCode}): ${reply.stderr.slice(0, 300)}`);
      }
      return readValidationOutput(reply.stderr, xmls.length);
    },
    async close() {
      const w = worker;
      worker = undefined;
      await w?.terminate();
    },
  };
}
