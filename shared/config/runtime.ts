import { readEnv } from '../runtime/env.ts';
import { readHubConfig } from './read.ts';
import { buildRegistry, type Registry } from './registry.ts';

let registry: Promise<Registry> | undefined;

/**
 * The configuration the functions run with: read, validated and indexed once per cold start. Synth has checked
 * it fully already (infra/cdk/deployments.ts); the mappings are compiled by the functions that map
 * (compileMappings in shared/mapping/form-type.ts), so the others never load JSONata.
 */
export function runtimeRegistry(): Promise<Registry> {
  registry ??= readHubConfig(readEnv().configPath).then(buildRegistry);
  return registry;
}
