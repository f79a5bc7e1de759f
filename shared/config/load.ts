import { resolve } from 'node:path';
import { compileFormType } from '../mapping/form-type.ts';
import { readHubConfig } from './read.ts';
import type { HubConfig } from './types.ts';

/** The demo configuration shipped in the repository. */
export const DEFAULT_CONFIG_PATH = resolve(import.meta.dirname, '../../config');

/**
 * Loads a configuration with every check, the mappings compiled too: for synth, the local tools and the tests.
 * The functions read it with readHubConfig (shared/config/runtime.ts), which compiles mappings only where they map.
 */
export function loadHubConfig(path: string = DEFAULT_CONFIG_PATH): Promise<HubConfig> {
  return readHubConfig(path, { compileMappings: (formType) => compileFormType(formType).issues });
}
