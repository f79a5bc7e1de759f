/** Titles an archivist signs off: from controlled values, screened words dropped, no dangling separators, a limit. */
import type { FormType } from '../config/types.ts';
import { trimEndOf } from '../text/trim.ts';
import type { DefinitionCompiler } from './compiler.ts';
import { isExpression, pathsOf } from './values.ts';

export const DEFAULT_TITLE_MAX = 255;

/** The form fields that identify a person: the parties' names and ids, and every national id of the form. */
export function personalPaths(formType: FormType): Set<string> {
  const paths = new Set<string>(formType.formData.nationalIds ?? []);
  const archive = formType.definition.archive;
  for (const p of [...(archive?.korrespondansepart ?? []), ...(archive?.part ?? [])]) {
    for (const spec of [p.navn, p.personid, p.organisasjonid]) for (const path of pathsOf(spec ?? '')) paths.add(path);
  }
  for (const k of archive?.saksmappe?.klassifikasjon ?? []) {
    if (k.skjermetKlasse) for (const path of pathsOf(k.klasseID)) paths.add(path);
  }
  return paths;
}

/** A template without the placeholders that read these paths (the public title: screened words dropped, not masked). */
export function withoutPaths(spec: string, paths: Set<string>): string {
  if (!spec.includes('{') || isExpression(spec)) return spec;
  const kept = spec.replace(/\{([^{}]*)\}/g, (whole, path: string) =>
    paths.has(path.trim()) || path.trim().startsWith('submitter.') ? '' : whole,
  );
  // Nothing left to read: the rest is literal text (finishTitle tidies its separators).
  return kept.includes('{') ? kept : `=${kept}`;
}

/**
 * A title as the journal shows it: one line, no separator left dangling where a value was empty or dropped
 * ("– –", a trailing "–"), and no longer than the limit (shortened at a word, with "…").
 */
export function finishTitle(title: string, max: number): string {
  let t = withoutTrailingSeparators(
    title
      .replace(/\s+/g, ' ')
      .replace(/ ([–—-])(?: [–—,-])+(?= |$)/g, ' $1')
      .replace(/ ,(?: ,)+/g, ' ,')
      .replace(/^(?:[–—,-] )+/, ''),
  ).replace(/ ,/g, ',');
  t = t.trim();
  if ([...t].length > max) {
    const chars = [...t].slice(0, max - 1).join('');
    const cut = chars.lastIndexOf(' ');
    t = `${trimEndOf(cut > max / 2 ? chars.slice(0, cut) : chars, ' \t\n\r–—,-')}…`;
  }
  return t;
}

/** `t` without its trailing " –", " —", " ," or " -" pieces, however many (a loop: `/(?: [–—,-])+$/` backtracks). */
function withoutTrailingSeparators(t: string): string {
  let end = t.length;
  while (end >= 2 && t[end - 2] === ' ' && '–—,-'.includes(t[end - 1] as string)) end -= 2;
  return t.slice(0, end);
}

/** The literal text of a title template must fit (checked when the configuration is loaded). */
export function checkLiteralLength(c: DefinitionCompiler, spec: string, field: string, max: number): void {
  if (isExpression(spec)) return;
  const literal = spec.startsWith('=') ? spec.slice(1) : spec.replace(/\{[^{}]*\}/g, '');
  if ([...literal].length > max) {
    c.issue(field, `the title's own text is ${[...literal].length} characters, more than titleMaxLength ${max}`);
  }
}
