/**
 * Characters that have no business in submitted text. They do not show, or they make text display other than
 * it reads: a name with a right-to-left override or a zero-width space looks like someone else's in the
 * archive, and control characters break the systems downstream.
 */

/**
 * Anywhere (free text included): control characters except tab, line feed and carriage return; bidirectional
 * overrides, embeddings and isolates (they make text display other than it reads); zero-width space, word joiner
 * and invisible operators; a BOM inside text; interlinear annotation; U+FFFD (what a decoder leaves of invalid
 * UTF-8); noncharacters; lone surrogates. The plain direction marks (LRM, RLM, ALM) stay allowed in free text:
 * Arabic or Hebrew text mixed with Norwegian needs them, and they reorder nothing. Names refuse them too.
 */
const FORBIDDEN_IN_TEXT =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\uFFF9-\uFFFB\uFFFD\uFFFE\uFFFF\p{Cs}]/u;

/**
 * In names, titles, filenames and other one-line identity fields: also every other invisible formatting
 * character (zero-width joiner and non-joiner, soft hyphen …), private-use characters and line breaks.
 * Free text keeps the joiners, which emoji and some scripts need.
 */
const FORBIDDEN_IN_NAMES = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\u2028\u2029\uFFFD\uFFFE\uFFFF]/u;

export function isCleanText(value: string): boolean {
  return !FORBIDDEN_IN_TEXT.test(value);
}

export function isCleanName(value: string): boolean {
  return !FORBIDDEN_IN_NAMES.test(value);
}

/**
 * A name for an error message: what it is refused for shown as `\u{…}` (a bidi override echoed as itself
 * would turn the message around too), and cut at 64 characters.
 */
export function visibleName(value: string): string {
  let out = '';
  for (const c of value.length > 64 ? value.slice(0, 64) : value) {
    out += isCleanName(c) ? c : `\\u{${(c.codePointAt(0) ?? 0).toString(16).toUpperCase()}}`;
  }
  return value.length > 64 ? `${out}…` : out;
}

export const UNCLEAN_MESSAGE =
  'Feltet inneholder kontrolltegn eller usynlige tegn (for eksempel nullbreddetegn eller retningstegn), som ikke er tillatt.';

/** Every key in a parsed value, with the JSON pointer of the object that holds it (below `base`). */
export function* keysIn(value: unknown, base = ''): Generator<{ path: string; key: string }> {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* keysIn(value[i], `${base}/${i}`);
  } else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      yield { path: base, key };
      yield* keysIn(v, `${base}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`);
    }
  }
}

/** Every string in a parsed value with its JSON pointer (below `base`). */
export function* stringsIn(value: unknown, base = ''): Generator<{ path: string; value: string }> {
  if (typeof value === 'string') {
    yield { path: base, value };
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* stringsIn(value[i], `${base}/${i}`);
  } else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      yield* stringsIn(v, `${base}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`);
    }
  }
}
