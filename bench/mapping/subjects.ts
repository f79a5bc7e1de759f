/**
 * What the mapping bench runs: the hub's own path (as the archive delivery runs it), the bare floor, and the XSD
 * validation the delivery adds after mapping.
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { DEFAULT_CONFIG_PATH, loadHubConfig } from '../../shared/config/load.ts';
import { buildRegistry } from '../../shared/config/registry.ts';
import type { FormType, Target } from '../../shared/config/types.ts';
import type { MappingInput } from '../../shared/mapping/context.ts';
import { mapToArchive, mapToPayload } from '../../shared/mapping/form-type.ts';
import { type ArchiveFormat, writeArkivmelding } from '../../shared/noark/formats.ts';
import { parseFormData } from '../../shared/submission/form-data.ts';
import type { MappingCase } from './documents.ts';

export interface DemoFormType {
  formType: FormType;
  /** The first archive target (its format), or the first specialist system when the form type has no archive */
  target: Target;
  output: 'arkivmelding' | 'payload';
}

/** The demo configuration's form types, each with the output its first delivery makes. */
export async function demoFormTypes(): Promise<Map<string, DemoFormType>> {
  const registry = buildRegistry(await loadHubConfig(DEFAULT_CONFIG_PATH));
  const found = new Map<string, DemoFormType>();
  for (const deployment of registry.config.deployments) {
    for (const formType of deployment.formTypes) {
      if (found.has(formType.id)) continue;
      const targets = formType.deliveries.map((d) => registry.target(d.target));
      const archive = targets.find((t) => t.kind === 'archive');
      const target = archive ?? targets[0];
      if (target) found.set(formType.id, { formType, target, output: archive ? 'arkivmelding' : 'payload' });
    }
  }
  return found;
}

function inputOf(c: MappingCase): MappingInput {
  const parsed = parseFormData(c.envelope.formData.contentType, c.envelope.formData.content);
  return { trackingId: c.trackingId, receivedAt: c.receivedAt, envelope: c.envelope, formData: parsed.data };
}

/**
 * The hub's mapping, from the parsed request to the finished string: the form data parsed safely (the same checks
 * as on delivery), the form type's compiled mapping, the writer of the target's format. No XSD validation here.
 */
export async function hubMapping(demo: DemoFormType, c: MappingCase): Promise<string> {
  const input = inputOf(c);
  if (demo.output === 'payload') {
    if (demo.target.kind !== 'fagsystem') throw new Error('a payload needs a specialist-system target');
    return (await mapToPayload(demo.formType, demo.target, input)).body;
  }
  const format = (demo.target as Target & { format: ArchiveFormat }).format;
  const record = await mapToArchive(demo.formType, input, c.documents);
  return writeArkivmelding(format, record.arkivmelding);
}

/**
 * The bare floor: fast-xml-parser parses the form, and its builder writes a document the size and shape of the
 * arkivmelding (taken once from a real one), with a few values from the form put in and no mapping logic at all.
 */
export function floor(shape: string, output: DemoFormType['output']): (c: MappingCase) => string {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false });
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', format: true });
  const json = output === 'payload' && shape.trimStart().startsWith('{');
  const template = (json ? JSON.parse(shape) : parser.parse(shape)) as Record<string, unknown>;
  const root = Object.values(template).find((v) => v && typeof v === 'object') as Record<string, unknown>;
  return (c) => {
    const form = parser.parse(c.envelope.formData.content) as Record<string, unknown>;
    // Something from the form and the trackingId go into the document, so the parse is used and no two are alike.
    template.bench = Object.keys(form).join(' ');
    (root ?? template).bench = c.trackingId;
    return json ? JSON.stringify(template, null, 2) : (builder.build(template) as string);
  };
}
