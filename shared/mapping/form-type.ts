/**
 * A form type's mappings, compiled once per cold start (the configuration loader compiles every form type, so a
 * definition that does not compile stops the start with file and field) and kept beside the form type.
 */
import type { FagsystemTarget, FormType, HubConfig } from '../config/types.ts';
import type { StoredDocument } from '../submission/types.ts';
import { type ArchiveMapper, type ArchiveRecord, compileArchiveMapping } from './archive.ts';
import { DefinitionCompiler, type Issue } from './compiler.ts';
import type { MappingInput } from './context.ts';
import { MappingError } from './errors.ts';
import { compilePayload, type Payload, type PayloadMapper } from './fagsystem.ts';

export interface CompiledFormType {
  archive?: ArchiveMapper;
  /** By specialist system name */
  payloads: Map<string, PayloadMapper>;
}

const compiled = new WeakMap<FormType, CompiledFormType>();

/** Compiles a form type's definition with its archive settings; problems come back as issues (JSON pointers). */
export function compileFormType(formType: FormType): { compiled: CompiledFormType; issues: Issue[] } {
  const { definition } = formType;
  const issues: Issue[] = [];
  const result: CompiledFormType = { payloads: new Map() };
  // One compiler per output: each evaluates only its own expressions.
  if (definition.archive && formType.archive) {
    const c = new DefinitionCompiler(definition.id);
    result.archive = compileArchiveMapping(c, formType);
    issues.push(...c.issues);
  }
  for (const [system, mapping] of Object.entries(definition.payloads ?? {})) {
    const c = new DefinitionCompiler(definition.id);
    result.payloads.set(system, compilePayload(c, system, mapping));
    issues.push(...c.issues);
  }
  if (issues.length === 0) compiled.set(formType, result);
  return { compiled: result, issues };
}

/**
 * Compiles every form type's mappings, once per cold start of a function that maps: a definition that does not
 * compile stops the start (synth has refused such a configuration already).
 */
export function compileMappings(config: HubConfig): void {
  for (const deployment of config.deployments) for (const formType of deployment.formTypes) compiledFor(formType);
}

function compiledFor(formType: FormType): CompiledFormType {
  const known = compiled.get(formType);
  if (known) return known;
  const { compiled: result, issues } = compileFormType(formType);
  if (issues.length > 0) {
    throw new MappingError(
      `Skjemadefinisjonen ${formType.id} kan ikke brukes: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    );
  }
  return result;
}

/** The submission as an archive record (not yet in a wire format). */
export function mapToArchive(
  formType: FormType,
  input: MappingInput,
  documents: StoredDocument[],
): Promise<ArchiveRecord> {
  const archive = compiledFor(formType).archive;
  if (!archive) {
    throw new MappingError(
      `Skjematypen ${formType.id} har ingen arkivmapping (archive i form-types/${formType.id}.json) eller ingen arkivinnstillinger (archive i konfigurasjonen).`,
    );
  }
  return archive(input, documents);
}

/** The submission as the specialist system's payload. */
export function mapToPayload(formType: FormType, target: FagsystemTarget, input: MappingInput): Promise<Payload> {
  const payload = compiledFor(formType).payloads.get(target.system);
  if (!payload) {
    throw new MappingError(
      `Skjemadefinisjonen ${formType.id} har ingen nyttelast for fagsystemet ${target.system} (payloads.${target.system}).`,
    );
  }
  return payload(input, target.payloadFormat);
}
