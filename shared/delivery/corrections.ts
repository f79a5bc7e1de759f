/**
 * A person's corrections of a submission's form data (the console's correct-and-resend): kept beside the
 * submission, never written into it. The original stays exactly as received; every mapping of the submission
 * after a correction reads the form data with the corrections applied, in the order they were made.
 * Stored as `submissions/<trackingId>/corrections.json`, so the retention rule deletes them with the rest.
 */

export interface FieldCorrection {
  /** A path into the form data, dotted: `soker.adresse.postnummer` */
  field: string;
  /** The value before (null when the field was missing or empty) */
  from: string | null;
  to: string;
}

export interface Correction {
  at: string;
  /** Who corrected it */
  by: string;
  /** Why, in their words */
  reason: string;
  /** The delivery it was made from */
  deliveryId: string;
  changes: FieldCorrection[];
}

export const correctionsKey = (trackingId: string) => `submissions/${trackingId}/corrections.json`;

const SEGMENT = /^[\p{L}_][\p{L}\p{N}_-]{0,99}$/u;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** A field path a person may correct: dotted names, no array steps, nothing that reaches an object's prototype. */
export function isFieldPath(path: string): boolean {
  const steps = path.split('.');
  return steps.length <= 12 && steps.every((s) => SEGMENT.test(s) && !FORBIDDEN.has(s));
}

/** The value at a dotted path, when it is one value (not a group or a list). */
export function scalarAt(data: unknown, path: string): { found: boolean; value: string | null } {
  let node: unknown = data;
  for (const step of path.split('.')) {
    if (!node || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, step)) {
      return { found: false, value: null };
    }
    node = (node as Record<string, unknown>)[step];
  }
  if (node === null || node === undefined || node === '') return { found: true, value: null };
  if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') {
    return { found: true, value: String(node) };
  }
  return { found: false, value: null };
}

/** Whether the path leads to a group or a list (which a single value must not replace). */
export function isGroupAt(data: unknown, path: string): boolean {
  let node: unknown = data;
  for (const step of path.split('.')) {
    if (!node || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, step)) return false;
    node = (node as Record<string, unknown>)[step];
  }
  return node !== null && typeof node === 'object';
}

/** The form data with every correction applied in order; the input is not changed. */
export function applyCorrections(data: Record<string, unknown>, corrections: readonly Correction[]) {
  if (corrections.length === 0) return data;
  const copy = structuredClone(data);
  for (const correction of corrections) {
    for (const change of correction.changes) {
      if (!isFieldPath(change.field)) continue;
      const steps = change.field.split('.');
      let node: Record<string, unknown> | undefined = copy;
      for (const step of steps.slice(0, -1)) {
        const next: unknown = Object.hasOwn(node, step) ? node[step] : undefined;
        if (next === undefined || next === null || next === '') node[step] = {};
        else if (typeof next !== 'object' || Array.isArray(next)) {
          node = undefined;
          break;
        }
        node = (node as Record<string, unknown>)[step] as Record<string, unknown>;
      }
      if (!node) continue;
      const last = steps.at(-1) as string;
      const current = Object.hasOwn(node, last) ? node[last] : undefined;
      if (current !== null && typeof current === 'object') continue;
      node[last] = sameType(current, change.to);
    }
  }
  return copy;
}

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * A corrected value keeps the JSON type the field had (a number stays a number), so the data contract checks it as
 * it checks a sent one; text that is not of that type stays text, and the contract says what it should be. XML
 * values are all text.
 */
function sameType(current: unknown, to: string): unknown {
  if (typeof current === 'number' && JSON_NUMBER.test(to)) return Number(to);
  if (typeof current === 'boolean' && (to === 'true' || to === 'false')) return to === 'true';
  return to;
}

/** The stored corrections, or none. */
export function parseCorrections(bytes: Uint8Array | undefined): Correction[] {
  if (!bytes) return [];
  const parsed = JSON.parse(Buffer.from(bytes).toString('utf8')) as { corrections?: Correction[] };
  return Array.isArray(parsed.corrections) ? parsed.corrections : [];
}
