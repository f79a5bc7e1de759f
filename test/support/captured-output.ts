import { format } from 'node:util';
import { afterAll, beforeEach, onTestFailed, onTestFinished } from 'vitest';
import { REPORT } from './report.ts';

/**
 * Vitest setupFile: what the code under test writes to stdout/stderr or the console (the functions' JSON log lines,
 * the local runner's lines, the AWS SDK's warnings, `npm start` children piped by test/support/hub-process.ts) is
 * kept, not printed. A failing test prints what was written since the previous test ended; a failing
 * beforeAll/afterAll prints the file's tail. A test that means to print a line uses report() (./report.ts).
 * SKJEMAFLYT_TEST_LOGS=all prints everything as it comes.
 */

const MAX_KEPT = 20_000; // chunks (≈ log lines) kept per test file; older ones are dropped
const MAX_SHOWN = 300; // lines shown for one failure

if (process.env.SKJEMAFLYT_TEST_LOGS !== 'all') {
  const kept: string[] = [];
  let dropped = 0; // chunks dropped from the front: kept[i] is chunk number dropped + i
  const position = () => dropped + kept.length;
  const since = (from: number) => kept.slice(Math.max(0, from - dropped)).join('');

  const capture = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    kept.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    if (kept.length > MAX_KEPT) {
      const excess = kept.length - MAX_KEPT / 2;
      kept.splice(0, excess);
      dropped += excess;
    }
    const callback = rest.find((r) => typeof r === 'function') as ((error?: Error) => void) | undefined;
    if (callback) process.nextTick(callback);
    return true;
  }) as typeof process.stdout.write;
  const realConsole = { log: console.log.bind(console), error: console.error.bind(console) };
  (globalThis as Record<symbol, unknown>)[REPORT] = realConsole.log;
  process.stdout.write = capture;
  process.stderr.write = capture;
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    console[method] = (...args: unknown[]) => {
      capture(`${format(...args)}\n`);
    };
  }

  const show = (what: string, text: string) => {
    if (!text.trim()) return;
    const lines = text.trimEnd().split('\n');
    const left = lines.length > MAX_SHOWN ? `(${lines.length - MAX_SHOWN} earlier lines left out)\n` : '';
    // vitest's console: the reporter prints it under the failing test's name.
    realConsole.error(`── output of the code under test, ${what} ──\n${left}${lines.slice(-MAX_SHOWN).join('\n')}`);
  };

  let testEnded = 0;
  let shownFor = -1;
  beforeEach(() => {
    const from = testEnded;
    onTestFailed(() => {
      shownFor = position();
      show('during this test (and the hooks before it)', since(from));
    });
    onTestFinished(() => {
      testEnded = position();
    });
  });

  // A failing beforeAll/afterAll fails no test: show the file's output then, unless a failing test just did.
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads the hook's first parameter as a fixture pattern
  afterAll(({}, file) => {
    const failedHook = (suite: typeof file): boolean =>
      Boolean(suite.result?.errors?.length) || suite.tasks.some((t) => t.type === 'suite' && failedHook(t));
    if (failedHook(file) && shownFor !== position()) show('in this file', since(0));
  });
}
