import { resolve } from 'node:path';
import { contractIssues } from '../contract/drift.ts';
import { compileFormType } from '../mapping/form-type.ts';
import { hostVariable, type VariableLookup } from '../runtime/env.ts';
import validateDeployment from '../validators/config.js';
import validateDefinition from '../validators/form-type.js';
import { readHubConfig } from './read.ts';
import type { HubConfig } from './types.ts';

/** The demo configuration shipped in the repository. */
export const DEFAULT_CONFIG_PATH = resolve(import.meta.dirname, '../../config');

/**
 * Loads a configuration with every check: the schemas (schemas/config.schema.json, schemas/form-type.schema.json)
 * and the mappings compiled. For synth, the local tools and the tests; the functions read the checked files with
 * readHubConfig (shared/config/runtime.ts and ConfigChecks say why). `${VARIABLE}`s come from this machine's
 * environment unless `variables` says otherwise.
 */
export function loadHubConfig(
  path: string = DEFAULT_CONFIG_PATH,
  variables: VariableLookup = hostVariable,
): Promise<HubConfig> {
  return readHubConfig(
    path,
    {
      deploymentSchema: validateDeployment,
      definitionSchema: validateDefinition,
      // The mappings compile, and read only fields the form's data contract declares (shared/contract/drift.ts).
      compileMappings: (formType) => [...compileFormType(formType).issues, ...contractIssues(formType.definition)],
    },
    variables,
  );
}
