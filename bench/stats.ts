/** Small statistics for the bench: medians, percentiles and the spread that says how noisy the machine was. */

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // Linear interpolation between closest ranks (the usual "type 7").
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  const low = sorted[lo] as number;
  const high = sorted[hi] as number;
  return low + (high - low) * (at - lo);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Relative spread of repeated runs: (max - min) / median. 0.05 means the runs were within 5 % of each other. */
export function spread(values: readonly number[]): number {
  if (values.length < 2) return 0;
  return (Math.max(...values) - Math.min(...values)) / median(values);
}

/** A measured figure: the median of several runs, and the runs themselves. */
export interface Figure {
  median: number;
  runs: number[];
  spread: number;
}

export function figure(runs: number[]): Figure {
  return { median: median(runs), runs, spread: spread(runs) };
}

/**
 * A figure against its baseline, from runs taken in pairs (subject, then baseline, under the same load): the ratio
 * is the median of the per-pair ratios, which cancels most of what other processes on the machine do to both.
 */
export interface Comparison {
  subject: Figure;
  baseline: Figure;
  ratio: Figure;
}

export function compare(subject: number[], baseline: number[]): Comparison {
  const ratios = subject.map((s, i) => s / (baseline[i] as number));
  return { subject: figure(subject), baseline: figure(baseline), ratio: figure(ratios) };
}

export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
