/**
 * What JSON.parse does not tell: a key given twice (it silently keeps the last, so a provider and the hub
 * may read different values), keys that pollute prototypes when code later merges the object, and how deep
 * and how many the values are. One linear pass over text that JSON.parse has already accepted.
 */

export type JsonIssue =
  | { kind: 'duplicate-key'; path: string }
  | { kind: 'forbidden-key'; path: string }
  | { kind: 'too-deep'; path: string }
  | { kind: 'too-many-values'; path: string };

/** Keys that reach Object.prototype or a constructor when an object is merged or assigned. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

interface Frame {
  object: boolean;
  keys: Set<string> | undefined;
  /** The current key (objects) or index (arrays) */
  at: string | number;
  expectKey: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The first problem in `text`, or undefined. `text` must be valid JSON (parse it first): the scanner
 * trusts its structure.
 */
export function inspectJson(text: string, limits: { maxDepth: number; maxValues: number }): JsonIssue | undefined {
  const stack: Frame[] = [];
  // Where the value being read sits; for a key, where the key's value goes.
  const path = () => pointer(stack.map((f) => f.at));
  const keyPath = (key: string) => pointer([...stack.slice(0, -1).map((f) => f.at), key]);
  let values = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      const top = stack.at(-1);
      if (top?.object && top.expectKey) {
        const raw = text.slice(i, end + 1);
        // Decoding matters: "__pro\u0074o__" is "__proto__".
        const key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (FORBIDDEN_KEYS.has(key)) return { kind: 'forbidden-key', path: keyPath(key) };
        if (top.keys?.has(key)) return { kind: 'duplicate-key', path: keyPath(key) };
        top.keys?.add(key);
        top.at = key;
        top.expectKey = false;
      } else if (++values > limits.maxValues) {
        return { kind: 'too-many-values', path: path() };
      }
      i = end + 1;
      continue;
    }
    switch (c) {
      case 0x7b: // {
      case 0x5b: {
        // [
        if (++values > limits.maxValues) return { kind: 'too-many-values', path: path() };
        if (stack.length >= limits.maxDepth) return { kind: 'too-deep', path: path() };
        const object = c === 0x7b;
        stack.push({ object, keys: object ? new Set() : undefined, at: object ? '' : 0, expectKey: object });
        i++;
        break;
      }
      case 0x7d: // }
      case 0x5d: // ]
        stack.pop();
        i++;
        break;
      case 0x2c: {
        // ,
        const top = stack.at(-1);
        if (top?.object) top.expectKey = true;
        else if (top) top.at = (top.at as number) + 1;
        i++;
        break;
      }
      default:
        if (isScalarStart(c)) {
          if (++values > limits.maxValues) return { kind: 'too-many-values', path: path() };
          i = scalarEnd(text, i);
        } else {
          i++;
        }
    }
  }
  return undefined;
}

/** Index of the closing quote of the string starting at `start`. */
function stringEnd(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const q = text.indexOf('"', from);
    if (q < 0) return text.length - 1;
    let backslashes = 0;
    for (let k = q - 1; k > start && text.charCodeAt(k) === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return q;
    from = q + 1;
  }
}

/** true, false, null or a number */
function isScalarStart(c: number): boolean {
  return c === 0x74 || c === 0x66 || c === 0x6e || c === 0x2d || (c >= 0x30 && c <= 0x39);
}

function scalarEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x2c || c === 0x5d || c === 0x7d || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) break;
    i++;
  }
  return i;
}

/** JSON pointer (RFC 6901); long keys are cut so a hostile key is not echoed back whole. */
export function pointer(tokens: (string | number)[]): string {
  return tokens
    .map((t) => {
      const s = String(t);
      return `/${(s.length > 64 ? `${s.slice(0, 64)}…` : s).replaceAll('~', '~0').replaceAll('/', '~1')}`;
    })
    .join('');
}
