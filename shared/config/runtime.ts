import { readEnv } from '../runtime/env.ts';
import { readHubConfig } from './read.ts';
import { buildRegistry, type Registry } from './registry.ts';

let registry: Promise<Registry> | undefined;

/**
 * The configuration the functions run with: read, cross-checked and indexed once per cold start. It is the file
 * synth checked against its schemas (infra/cdk/deployments.ts), shipped unchanged in the configuration layer, so
 * the schemas are not checked again here (see ConfigChecks); the functions that map compile the mappings
 * (compileMappings in shared/mapping/form-type.ts), so the others never load JSONata.
 */
export function runtimeRegistry(): Promise<Registry> {
  // A failed read is not kept: the next invocation reads again.
  registry ??= readHubConfig(readEnv().configPath)
    .then(buildRegistry)
    .catch((error: unknown) => {
      registry = undefined;
      throw error;
    });
  return registry;
}
