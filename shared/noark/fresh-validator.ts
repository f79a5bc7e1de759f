/**
 * XSD validation the way xmllint-wasm does it on its own: a fresh worker and wasm compile for every run. Not used
 * by the delivery path (validate.ts keeps one warm worker); it is the reference the warm worker is tested against
 * and the 'before' the bench measures.
 */
import { validateXML } from 'xmllint-wasm';
import type { ArchiveFormat } from './formats.ts';
import { loadSchemas, readValidationOutput, type ValidationResult, validationFileName } from './xsd.ts';

export async function validateWithFreshWorker(format: ArchiveFormat, xmls: string[]): Promise<ValidationResult[]> {
  const { schema, preload } = await loadSchemas(format);
  const result = await validateXML({
    xml: xmls.map((contents, i) => ({ fileName: validationFileName(i), contents })),
    schema,
    preload,
    maxMemoryPages: 16 * 256,
  });
  return readValidationOutput(result.rawOutput, xmls.length);
}
