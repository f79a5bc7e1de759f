/**
 * The handlers' log lines (Powertools writes JSON to stdout, which CloudWatch Logs ingests and bills by the byte):
 * counted by the function that wrote them and kept off the bench's own output while the hub runs.
 */
import { currentCaller } from './requests.ts';

/** function → bytes written */
export type LogCounts = Map<string, number>;

export function captureLogs() {
  const counts: LogCounts = new Map();
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const caller = currentCaller();
    if (!caller) return (write as (...args: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
    const bytes = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    counts.set(caller, (counts.get(caller) ?? 0) + bytes);
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  return {
    snapshot: (): LogCounts => new Map(counts),
    since(before: LogCounts): LogCounts {
      return new Map([...counts].map(([k, v]) => [k, v - (before.get(k) ?? 0)]));
    },
    restore() {
      process.stdout.write = write;
    },
  };
}
