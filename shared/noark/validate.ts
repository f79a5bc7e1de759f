/**
 * Validates arkivmelding XML against the vendored official XSDs (schemas/fiks-arkiv-v1, schemas/eformidling) with
 * libxml2 (xmllint-wasm, in one worker thread per process). Each run parses the schema once, so documents asked
 * for together share a run. Messages are cleared of the quoted values xmllint echoes (they can be personal data).
 */
import type { ArchiveFormat } from './formats.ts';
import { createWarmValidator, type WarmValidator } from './warm-validator.ts';
import type { ValidationResult } from './xsd.ts';

export type { ValidationResult } from './xsd.ts';

/**
 * The process's validator: one worker with xmllint compiled once (warm-validator.ts), started on first use. Not
 * per call: starting a worker and compiling the wasm cost ~60 ms, 30 times the validation of a record itself.
 */
let validator: WarmValidator | undefined;
function sharedValidator(): WarmValidator {
  validator ??= createWarmValidator();
  return validator;
}

/** Validates several documents of one format in one libxml2 run; results in the order given. */
export function validateArkivmeldinger(format: ArchiveFormat, xmls: string[]): Promise<ValidationResult[]> {
  return sharedValidator().validate(format, xmls);
}

/** At most this many documents share one libxml2 run (its memory grows with them). */
const MAX_DOCUMENTS_PER_RUN = 25;

interface Waiting {
  xml: string;
  resolve: (result: ValidationResult) => void;
  reject: (error: unknown) => void;
}

const waiting = new Map<ArchiveFormat, Waiting[]>();
const running = new Set<ArchiveFormat>();

/**
 * One document. Runs at once when the validator is idle; documents that arrive while a run is going (the other
 * records of an SQS batch) wait and go together in the next run, so the schema is parsed once for all of them.
 */
export function validateArkivmelding(format: ArchiveFormat, xml: string): Promise<ValidationResult> {
  return new Promise((resolve, reject) => {
    const queue = waiting.get(format) ?? [];
    waiting.set(format, queue);
    queue.push({ xml, resolve, reject });
    if (!running.has(format)) void runWaiting(format);
  });
}

async function runWaiting(format: ArchiveFormat): Promise<void> {
  running.add(format);
  try {
    for (;;) {
      const batch = waiting.get(format)?.splice(0, MAX_DOCUMENTS_PER_RUN) ?? [];
      if (batch.length === 0) return;
      try {
        const results = await validateArkivmeldinger(
          format,
          batch.map((w) => w.xml),
        );
        batch.forEach((w, i) => {
          w.resolve(results[i] ?? { valid: false, errors: [{ message: 'no result' }] });
        });
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
  } finally {
    running.delete(format);
  }
}

export function validateFiksArkivV1(xml: string): Promise<ValidationResult> {
  return validateArkivmelding('fiks-arkiv-v1', xml);
}

export function validateEFormidling(xml: string): Promise<ValidationResult> {
  return validateArkivmelding('eformidling', xml);
}
