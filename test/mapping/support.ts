import { XMLParser } from 'fast-xml-parser';
import type { Registry } from '../../shared/config/registry.ts';
import { type PreviewOptions, previewSubmission } from '../../shared/mapping/preview.ts';
import { type Sample, sample } from '../support/hub.ts';

export { demoRegistry } from '../support/factories.ts';

// Each validation starts a libxml2 worker; keep some headroom on slow machines.
export const VALIDATE_TIMEOUT = 30_000;

/** A sample submission with its form data changed (and, so it is another submission, another submissionId). */
export async function changedSample(
  name: string,
  change: (formXml: string) => string,
  submissionId = `${name}-endret`,
): Promise<Sample> {
  const body = await sample(name);
  const formData = body.formData as { contentType: string; content: string };
  return { ...body, submissionId, formData: { ...formData, content: change(formData.content) } };
}

/** Previews and insists it worked: every file, by name. */
export async function produce(registry: Registry, body: unknown, options: PreviewOptions = {}) {
  const preview = await previewSubmission(registry, body, options);
  if (preview.problems.length > 0) throw new Error(JSON.stringify(preview.problems, null, 2));
  return Object.fromEntries(preview.files.map((f) => [f.filename, f.body]));
}

const REPEATED = new Set([
  'dokumentbeskrivelse',
  'korrespondansepart',
  'klassifikasjon',
  'matrikkelnummer',
  'part',
  'sakspart',
  'postadresse',
  'skjermingMetadata',
]);
const parser = new XMLParser({
  ignoreAttributes: false,
  removeNSPrefix: true,
  parseTagValue: false,
  isArray: (name) => REPEATED.has(name),
});

/** An arkivmelding as data (namespace prefixes dropped, every value as written). */
export function parseArkivmelding(xml: string): any {
  return parser.parse(xml).arkivmelding;
}

export function parseXml(xml: string): any {
  return parser.parse(xml);
}
