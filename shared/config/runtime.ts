import { readEnv } from '../runtime/env.ts';
import { loadHubConfig } from './load.ts';
import { buildRegistry, type Registry } from './registry.ts';

let registry: Promise<Registry> | undefined;

/** The configuration the functions run with: loaded, validated and indexed once per cold start. */
export function runtimeRegistry(): Promise<Registry> {
  registry ??= loadHubConfig(readEnv().configPath).then(buildRegistry);
  return registry;
}
