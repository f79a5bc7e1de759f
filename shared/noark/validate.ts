/**
 * Validates Fiks Arkiv V1 arkivmelding XML against the vendored official XSDs (schemas/fiks-arkiv-v1) with
 * libxml2 (xmllint-wasm, runs in a worker thread). Error messages quote offending values, which may be personal
 * data: do not log them unfiltered.
 */
import { readFile } from 'node:fs/promises';
import { validateXML, type XMLFileInfo } from 'xmllint-wasm';

const SCHEMA_DIR = new URL('../../schemas/fiks-arkiv-v1/', import.meta.url);
const MAIN_XSD = 'no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd';
/** Imported by the main XSD as `./metadatakatalog.xsd`; preloaded next to it in xmllint's in-memory file system. */
const IMPORTED_XSDS = ['metadatakatalog.xsd'];
const XML_NAME = 'arkivmelding.xml';

export interface ValidationResult {
  valid: boolean;
  errors: { line?: number; message: string }[];
}

let schemas: Promise<{ schema: XMLFileInfo; preload: XMLFileInfo[] }> | undefined;

function loadSchemas() {
  const load = async (fileName: string): Promise<XMLFileInfo> => ({
    fileName,
    contents: await readFile(new URL(fileName, SCHEMA_DIR), 'utf8'),
  });
  schemas ??= Promise.all([load(MAIN_XSD), Promise.all(IMPORTED_XSDS.map(load))]).then(([schema, preload]) => ({
    schema,
    preload,
  }));
  // A failed read (e.g. missing schema folder) must not be cached forever.
  schemas.catch(() => {
    schemas = undefined;
  });
  return schemas;
}

export async function validateFiksArkivV1(xml: string): Promise<ValidationResult> {
  const { schema, preload } = await loadSchemas();
  // Document problems (not well-formed, schema-invalid) resolve with valid=false; a rejection is a setup failure.
  const result = await validateXML({ xml: { fileName: XML_NAME, contents: xml }, schema, preload });
  if (result.valid) return { valid: true, errors: [] };
  // Read xmllint's `arkivmelding.xml:12: message` lines ourselves: the library's own split also returns the source
  // line that xmllint echoes after a parser error.
  const errors = [...result.rawOutput.matchAll(/^arkivmelding\.xml:(\d+): (.*)$/gm)].map((m) => ({
    line: Number(m[1]),
    message: m[2] ?? '',
  }));
  return { valid: false, errors: errors.length > 0 ? errors : [{ message: 'arkivmelding.xml fails to validate' }] };
}
