import { extensionsFor } from './attachment-types.ts';
import { isCleanName } from './text.ts';

/**
 * Attachment filenames end up as S3 keys, as files in a file-drop folder and as filnavn in the archive.
 * Names that try to be something other than a name are refused; the rest are reduced to a form that is
 * safe on every file system before they are used anywhere.
 */

/** Windows device names: `CON.pdf` opens the console, not a file, on any Windows share the file-drop lands on. */
const DEVICE_NAME = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])$/i;

/** Names the hub writes itself into an archive folder. */
const RESERVED = new Set(['arkivmelding.xml', 'skjemadata.xml', 'skjemadata.json']);

const MAX_LENGTH = 120;

/** Why a filename is refused (a message for the provider, without the name), or undefined. */
export function filenameProblem(name: string): string | undefined {
  if (/[/\\]/.test(name)) return 'Filnavnet kan ikke inneholde / eller \\ (ingen mappestier).';
  if (name.startsWith('.')) return 'Filnavnet kan ikke begynne med punktum.';
  if (!isCleanName(name)) return 'Filnavnet inneholder kontrolltegn eller usynlige tegn.';
  if (DEVICE_NAME.test(name.split('.')[0]?.trimEnd() ?? '')) {
    return 'Filnavnet er et reservert enhetsnavn i Windows (som CON, NUL, COM1).';
  }
  if (/[. ]$/.test(name)) return 'Filnavnet kan ikke slutte med punktum eller mellomrom.';
  return undefined;
}

/**
 * The safe form of an accepted name: NFC, characters Windows forbids replaced, spaces collapsed, at most
 * 120 characters, and an extension that fits the content type (so the archive and a file manager agree on
 * what the file is).
 */
export function safeFilename(name: string, contentType: string): string {
  const clean = name
    .normalize('NFC')
    .replace(/[<>:"|?*]/g, '_')
    .replace(/\s+/g, ' ')
    .trim();
  const dot = clean.lastIndexOf('.');
  let stem = dot > 0 ? clean.slice(0, dot) : clean;
  let extension = dot > 0 ? clean.slice(dot + 1) : '';
  const accepted = extensionsFor(contentType);
  if (accepted.length > 0 && !accepted.includes(extension.toLowerCase())) {
    stem = clean;
    extension = accepted[0] ?? '';
  }
  stem = [...stem.replace(/[. ]+$/, '')].slice(0, MAX_LENGTH - extension.length - 1).join('') || 'vedlegg';
  return extension ? `${stem}.${extension}` : stem;
}

/**
 * Distinct names within one submission, compared as Windows and macOS would (case-insensitive): a second
 * `vedlegg.pdf` becomes `vedlegg (2).pdf`. The archive's own files keep their names.
 */
export function distinctFilenames(names: string[]): string[] {
  const taken = new Set(RESERVED);
  return names.map((name) => {
    const dot = name.lastIndexOf('.');
    const stem = dot > 0 ? name.slice(0, dot) : name;
    const extension = dot > 0 ? name.slice(dot) : '';
    let candidate = name;
    for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem} (${n})${extension}`;
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}
