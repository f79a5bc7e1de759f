/** Where report() prints: vitest's console, kept aside by ./captured-output.ts before it captures the rest. */
export const REPORT = Symbol.for('skjemaflyt.test.report');

/** A line a test means to print in every run (keep it to one): everything else the code prints is captured. */
export function report(line: string): void {
  const print = (globalThis as Record<symbol, unknown>)[REPORT] as ((line: string) => void) | undefined;
  (print ?? console.log)(line);
}
