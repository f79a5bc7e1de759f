/**
 * The vendored official XSDs of each archive format, and how xmllint's report on a run reads as one result per
 * document (messages cleared of the values xmllint quotes: they can be personal data).
 */
import { readFile } from 'node:fs/promises';
import type { XMLFileInfo } from 'xmllint-wasm';
import type { ArchiveFormat } from './formats.ts';

const SCHEMAS: Record<ArchiveFormat, { dir: URL; main: string; imports: string[] }> = {
  'fiks-arkiv-v1': {
    dir: new URL('../../schemas/fiks-arkiv-v1/', import.meta.url),
    main: 'no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd',
    // Imported by the main XSD as `./metadatakatalog.xsd`; preloaded next to it in xmllint's in-memory file system.
    imports: ['metadatakatalog.xsd'],
  },
  eformidling: {
    dir: new URL('../../schemas/eformidling/', import.meta.url),
    main: 'arkivmelding.xsd',
    imports: ['metadatakatalog.xsd'],
  },
};

export interface ValidationResult {
  valid: boolean;
  errors: { line?: number; message: string }[];
}

const loaded = new Map<ArchiveFormat, Promise<{ schema: XMLFileInfo; preload: XMLFileInfo[] }>>();

/** The format's main XSD and the XSDs it imports, read once. */
export function loadSchemas(format: ArchiveFormat): Promise<{ schema: XMLFileInfo; preload: XMLFileInfo[] }> {
  let schemas = loaded.get(format);
  if (!schemas) {
    const { dir, main, imports } = SCHEMAS[format];
    const load = async (fileName: string): Promise<XMLFileInfo> => ({
      fileName,
      contents: await readFile(new URL(fileName, dir), 'utf8'),
    });
    schemas = Promise.all([load(main), Promise.all(imports.map(load))]).then(([schema, preload]) => ({
      schema,
      preload,
    }));
    // A failed read (e.g. missing schema folder) must not be cached forever.
    schemas.catch(() => loaded.delete(format));
    loaded.set(format, schemas);
  }
  return schemas;
}

/** The file name document `index` gets in xmllint's in-memory file system (its messages name it). */
export function validationFileName(index: number): string {
  return `arkivmelding-${index}.xml`;
}

/**
 * xmllint's report on documents named by `validationFileName`, as one result per document. Reads the
 * `arkivmelding-0.xml:12: message` lines itself: the library's own split also returns the source line that xmllint
 * echoes after a parser error.
 */
export function readValidationOutput(rawOutput: string, count: number): ValidationResult[] {
  const errors = new Map<number, { line: number; message: string }[]>();
  for (const m of rawOutput.matchAll(/^arkivmelding-(\d+)\.xml:(\d+): (.*)$/gm)) {
    const index = Number(m[1]);
    errors.set(index, [...(errors.get(index) ?? []), { line: Number(m[2]), message: withoutValues(m[3] ?? '') }]);
  }
  const failed = new Set(
    [...rawOutput.matchAll(/^arkivmelding-(\d+)\.xml fails to validate$/gm)].map((m) => Number(m[1])),
  );
  return Array.from({ length: count }, (_, i) => {
    const found = errors.get(i) ?? [];
    if (!failed.has(i) && found.length === 0) return { valid: true, errors: [] };
    return { valid: false, errors: found.length > 0 ? found : [{ message: 'arkivmelding.xml fails to validate' }] };
  });
}

/** xmllint quotes offending values ("[facet 'minLength'] The value 'x' has …"): keep the rule, drop the value. */
function withoutValues(message: string): string {
  return message.replace(/(value|Value) '[^']*'/g, "$1 '…'").replace(/: '[^']*' is not/g, ": '…' is not");
}
