import type { ConfigEnv } from '../runtime/env.ts';
import { readHubConfig } from './read.ts';
import { buildRegistry, type Registry } from './registry.ts';

/**
 * The configuration a function runs with: read, cross-checked and indexed once per handler (per cold start),
 * from the file and variables in its environment. It is the file synth checked against its schemas
 * (infra/cdk/deployments.ts), shipped unchanged in the configuration layer, so the schemas are not checked again
 * here (see ConfigChecks); the functions that map compile the mappings (compileMappings in
 * shared/mapping/form-type.ts), so the others never load JSONata.
 */
export function registryLoader(config: ConfigEnv): () => Promise<Registry> {
  let registry: Promise<Registry> | undefined;
  return () => {
    // A failed read is not kept: the next invocation reads again.
    registry ??= readHubConfig(config.path, {}, (name) =>
      name === 'SKJEMAFLYT_DATA_DIR' ? config.dataDir : config.variable(name),
    )
      .then(buildRegistry)
      .catch((error: unknown) => {
        registry = undefined;
        throw error;
      });
    return registry;
  };
}
