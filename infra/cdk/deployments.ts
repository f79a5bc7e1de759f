import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ConfigError } from '../../shared/config/errors.ts';
import { DEFAULT_CONFIG_PATH, loadHubConfig } from '../../shared/config/load.ts';
import { variablesIn } from '../../shared/config/read.ts';
import type { DeploymentConfig } from '../../shared/config/types.ts';
import { checkForAws, type ResolvedAws, resolveAws } from './settings.ts';

/** One configuration file, ready to become one stack. */
export interface Deployment {
  /** The file's name, as errors name it */
  file: string;
  /** Absolute path: the stack ships this file to its functions */
  path: string;
  config: DeploymentConfig;
  aws: ResolvedAws;
  /**
   * `${VARIABLE}`s the targets and webhooks use (endpoint URLs), with their values at synth: the functions expand the file
   * themselves, so each gets the same variables. SKJEMAFLYT_DATA_DIR is the stack's own.
   */
  variables: Record<string, string>;
}

/**
 * Every deployment in a file or folder (the same files the local runner reads), validated as the runner does
 * (schema, references across files) and then for AWS. Any problem is one ConfigError naming each file and field.
 */
export async function loadDeployments(path: string = DEFAULT_CONFIG_PATH): Promise<Deployment[]> {
  const hub = await loadHubConfig(path);
  const files = (await stat(path)).isDirectory()
    ? (await readdir(path)).filter((name) => name.endsWith('.json')).map((name) => join(path, name))
    : [path];
  const issues: ConfigError['issues'] = [];
  const deployments: Deployment[] = [];
  for (const file of files.sort()) {
    const raw = JSON.parse(await readFile(file, 'utf8')) as DeploymentConfig;
    const config = hub.deployments.find((d) => d.deployment === raw.deployment);
    if (!config) throw new Error(`${file} was loaded but its deployment is missing`);
    const found = checkForAws(basename(file), config);
    issues.push(...found);
    if (found.length > 0 || !config.aws) continue;
    deployments.push({
      file: basename(file),
      path: resolve(file),
      config,
      aws: resolveAws(config.aws, config.providers),
      variables: variablesOf(raw),
    });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return deployments;
}

/** Targets' URLs and folders, and providers' webhook URLs: every function that reads the file expands them all. */
function variablesOf(raw: DeploymentConfig): Record<string, string> {
  const names = variablesIn(raw).filter((name) => name !== 'SKJEMAFLYT_DATA_DIR');
  // loadHubConfig has already refused a file whose variables are not set.
  return Object.fromEntries(names.map((name) => [name, process.env[name] ?? '']));
}
