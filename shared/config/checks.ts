import type { ErrorObject } from 'ajv';
import type { Issue } from '../mapping/compiler.ts';
import type { FormTypeDefinition } from '../mapping/definition.ts';
import type { DeploymentFile, FormType } from './types.ts';

/** A JSON Schema validator compiled at build time (shared/validators/, npm run generate:validators). */
export type SchemaValidator<T> = ((data: unknown) => data is T) & { errors?: ErrorObject[] | null };

/**
 * What checking a configuration takes beyond reading it: its JSON Schemas and compiling its mappings. Synth, the
 * local tools and the tests check everything (load.ts). The functions read the files synth checked, shipped
 * unchanged in the configuration layer, and leave the schemas out: their generated validators would add ~140 KB
 * to every bundle. Only the functions that map compile the mappings (compileMappings in mapping/form-type.ts).
 */
export interface ConfigChecks {
  deploymentSchema?: SchemaValidator<DeploymentFile>;
  definitionSchema?: SchemaValidator<FormTypeDefinition>;
  compileMappings?: (formType: FormType) => Issue[];
}

/** Schema errors as issues naming the file and the field. */
export function schemaIssues(file: string, errors: ErrorObject[] | null | undefined) {
  return (errors ?? []).map((e) => ({
    file,
    path: e.instancePath,
    message:
      e.keyword === 'additionalProperties'
        ? `unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`
        : (e.message ?? 'invalid'),
  }));
}
