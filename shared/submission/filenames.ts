import { trimEndOf } from '../text/trim.ts';
import { extensionsFor } from './attachment-types.ts';
import { isCleanName } from './text.ts';

/**
 * Attachment filenames end up as S3 keys, as files in a file-drop folder and as filnavn in the archive.
 * Names that try to be something other than a name are refused; the rest are reduced to a form that is
 * safe on every file system before they are used anywhere.
 *
 * A name is checked in every form it takes on the way (as given, NFC, NFKC, trimmed at both ends, the safe
 * form, the archive's ASCII form), because each of them can turn a harmless name into a dangerous one:
 * ` CON.pdf` loses its space, fullwidth `ＣＯＮ.pdf` becomes `CON.pdf` under NFKC, and `CØN.pdf` becomes `CoN.pdf`
 * in the archive's ASCII.
 */

/** Windows device names: `CON.pdf` opens the console, not a file, on any Windows share the file-drop lands on. */
const DEVICE_NAME = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])$/i;

/** Names the hub writes itself into an archive folder. */
const RESERVED = new Set(['arkivmelding.xml', 'skjemadata.xml', 'skjemadata.json']);

const MAX_LENGTH = 120;

/**
 * Whether Windows takes `name` for a device: the part before the first dot, without the spaces Windows ignores
 * around it (`CON .txt` and `NUL.tar.gz` are devices too).
 */
export function isDeviceName(name: string): boolean {
  return DEVICE_NAME.test((name.split('.')[0] ?? '').trim());
}

/** Every form a name takes before it is written anywhere (see above). */
function formsOf(name: string): string[] {
  const safe = cleanFilename(name, '');
  return [name, name.normalize('NFC'), name.normalize('NFKC'), safe, joined(asciiParts(safe))].map((form) =>
    form.trim(),
  );
}

/** Why a filename is refused (a message for the provider, without the name), or undefined. */
export function filenameProblem(name: string): string | undefined {
  if (/[/\\]/.test(name)) return 'Filnavnet kan ikke inneholde / eller \\ (ingen mappestier).';
  if (name.startsWith('.')) return 'Filnavnet kan ikke begynne med punktum.';
  if (!isCleanName(name)) return 'Filnavnet inneholder kontrolltegn eller usynlige tegn.';
  if (formsOf(name).some(isDeviceName)) {
    return 'Filnavnet er, eller blir når det lagres, et reservert enhetsnavn i Windows (som CON, NUL, COM1).';
  }
  if (/[. ]$/.test(name)) return 'Filnavnet kan ikke slutte med punktum eller mellomrom.';
  return undefined;
}

/**
 * The safe form of an accepted name: NFC, characters Windows forbids replaced, spaces collapsed, at most
 * 120 characters, and an extension that fits the content type (so the archive and a file manager agree on
 * what the file is). Never a device name.
 */
export function safeFilename(name: string, contentType: string): string {
  const safe = cleanFilename(name, contentType);
  // Refused on receipt already (filenameProblem); made harmless here too, so no other way in can write one.
  return isDeviceName(safe) ? `_${safe}` : safe;
}

function cleanFilename(name: string, contentType: string): string {
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
  stem = [...trimEndOf(stem, '. ')].slice(0, MAX_LENGTH - extension.length - 1).join('') || 'vedlegg';
  return extension ? `${stem}.${extension}` : stem;
}

/**
 * The name a file travels under to the archive (referanseDokumentfil): plain ASCII as the Fiks Arkiv schema
 * advises (æ → ae, ø → o, å → aa, accents dropped, anything else a dash), a stem of at most 80 and an extension
 * of at most 8 characters. Never a device name.
 */
export function archiveFilename(original: string): { stem: string; ext: string } {
  const parts = asciiParts(original);
  return isDeviceName(joined(parts)) ? { ...parts, stem: `_${parts.stem}` } : parts;
}

function asciiParts(original: string): { stem: string; ext: string } {
  const dot = original.lastIndexOf('.');
  const ext = dot > 0 ? ascii(original.slice(dot + 1)).slice(0, 8) : '';
  const stem = ascii(dot > 0 ? original.slice(0, dot) : original).slice(0, 80) || 'dokument';
  return { stem, ext };
}

function joined({ stem, ext }: { stem: string; ext: string }): string {
  return ext ? `${stem}.${ext}` : stem;
}

function ascii(text: string): string {
  const cleaned = text
    .replace(/[Ææ]/g, 'ae')
    .replace(/[Øø]/g, 'o')
    .replace(/[Åå]/g, 'aa')
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-');
  return trimEndOf(cleaned.replace(/^[-.]+/, ''), '-.');
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
