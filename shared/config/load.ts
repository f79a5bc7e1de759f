import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import configSchema from '../../schemas/config.schema.json' with { type: 'json' };
import { DEFINITIONS_DIR, joinDefinitions } from '../mapping/definitions.ts';
import { ConfigError } from './errors.ts';
import { checkReferences } from './references.ts';
import type { DeploymentFile, HubConfig } from './types.ts';

/** The demo configuration shipped in the repository. */
export const DEFAULT_CONFIG_PATH = resolve(import.meta.dirname, '../../config');

const validateDeployment = new Ajv({ allErrors: true, strict: false }).compile<DeploymentFile>(configSchema);

/**
 * Loads a deployment file or every `*.json` in a folder, validates each against the schema, joins its form types
 * with their mapping definitions (`form-types/<id>.json` beside the deployment files) and cross-checks them all.
 */
export async function loadHubConfig(path: string = DEFAULT_CONFIG_PATH): Promise<HubConfig> {
  const isFolder = (await stat(path)).isDirectory();
  const files = isFolder
    ? (await readdir(path))
        .filter((name) => name.endsWith('.json'))
        .sort()
        .map((name) => join(path, name))
    : [path];
  if (files.length === 0) throw new ConfigError([{ file: path, path: '', message: 'no *.json configuration files' }]);
  const deployments: { file: string; config: DeploymentFile }[] = [];
  for (const file of files) deployments.push({ file: basename(file), config: await parseDeployment(file) });
  const joined = await joinDefinitions(deployments, join(isFolder ? path : dirname(path), DEFINITIONS_DIR));
  const issues = [...checkReferences(deployments), ...joined.issues];
  if (issues.length > 0) throw new ConfigError(issues);
  return { deployments: joined.deployments.map((d) => d.config) };
}

async function parseDeployment(file: string): Promise<DeploymentFile> {
  const name = basename(file);
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ConfigError([{ file: name, path: '', message: `not valid JSON: ${(error as Error).message}` }]);
  }
  if (!validateDeployment(data)) {
    throw new ConfigError(
      (validateDeployment.errors ?? []).map((e) => ({
        file: name,
        path: e.instancePath,
        message:
          e.keyword === 'additionalProperties'
            ? `unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`
            : (e.message ?? 'invalid'),
      })),
    );
  }
  return expandEnv(data);
}

/** `${SKJEMAFLYT_DATA_DIR}` in target folders: the data dir moves between machines, the configuration does not. */
function expandEnv(config: DeploymentFile): DeploymentFile {
  const dataDir = resolve(process.env.SKJEMAFLYT_DATA_DIR ?? '.skjemaflyt');
  return {
    ...config,
    targets: config.targets.map((t) => ({
      ...t,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration's own placeholder syntax
      transport: { ...t.transport, dir: t.transport.dir.replaceAll('${SKJEMAFLYT_DATA_DIR}', dataDir) },
    })),
  };
}
