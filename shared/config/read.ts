import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { DEFINITIONS_DIR, joinDefinitions } from '../mapping/definitions.ts';
import { type ConfigChecks, schemaIssues } from './checks.ts';
import { ConfigError } from './errors.ts';
import { checkReferences } from './references.ts';
import type { DeploymentFile, FiksIoTransport, HubConfig } from './types.ts';

/**
 * Reads a deployment file or every `*.json` in a folder, joins its form types with their mapping definitions
 * (`form-types/<id>.json` beside the deployment files) and cross-checks them all; with `checks`, also against
 * their schemas and with the mappings compiled (see ConfigChecks).
 */
export async function readHubConfig(path: string, checks: ConfigChecks = {}): Promise<HubConfig> {
  const isFolder = (await stat(path)).isDirectory();
  const files = isFolder
    ? (await readdir(path))
        .filter((name) => name.endsWith('.json'))
        .sort()
        .map((name) => join(path, name))
    : [path];
  if (files.length === 0) throw new ConfigError([{ file: path, path: '', message: 'no *.json configuration files' }]);
  const deployments: { file: string; config: DeploymentFile }[] = [];
  for (const file of files) deployments.push({ file: basename(file), config: await parseDeployment(file, checks) });
  const joined = await joinDefinitions(deployments, join(isFolder ? path : dirname(path), DEFINITIONS_DIR), checks);
  const issues = [...checkReferences(deployments), ...joined.issues];
  if (issues.length > 0) throw new ConfigError(issues);
  return { deployments: joined.deployments.map((d) => d.config) };
}

async function parseDeployment(file: string, checks: ConfigChecks): Promise<DeploymentFile> {
  const name = basename(file);
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ConfigError([{ file: name, path: '', message: `not valid JSON: ${(error as Error).message}` }]);
  }
  const schema = checks.deploymentSchema;
  if (schema && !schema(data)) throw new ConfigError(schemaIssues(name, schema.errors));
  return expandEnv(name, data as DeploymentFile);
}

/**
 * `${VARIABLE}` in target folders and URLs: the data dir and endpoints move between machines, the configuration
 * does not. An unset variable is an error naming the field (SKJEMAFLYT_DATA_DIR defaults to ./.skjemaflyt).
 */
function expandEnv(file: string, config: DeploymentFile): DeploymentFile {
  const issues: { file: string; path: string; message: string }[] = [];
  const expand = (text: string, path: string) =>
    text.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (_, name: string) => {
      const value = name === 'SKJEMAFLYT_DATA_DIR' ? resolve(process.env[name] ?? '.skjemaflyt') : process.env[name];
      if (value === undefined) issues.push({ file, path, message: `environment variable ${name} is not set` });
      return value ?? '';
    });
  const targets = config.targets.map((t, i) => ({
    ...t,
    transport:
      t.transport.type === 'fiks-io'
        ? expandFiksIo(t.transport, `/targets/${i}/transport`, expand)
        : t.transport.type === 'http'
          ? { ...t.transport, url: expand(t.transport.url, `/targets/${i}/transport/url`) }
          : { ...t.transport, dir: expand(t.transport.dir, `/targets/${i}/transport/dir`) },
  }));
  const providers = config.providers.map((p, i) =>
    p.webhook ? { ...p, webhook: { ...p.webhook, url: expand(p.webhook.url, `/providers/${i}/webhook/url`) } } : p,
  );
  if (issues.length > 0) throw new ConfigError(issues);
  return { ...config, targets, providers };
}

/** A Fiks IO transport's endpoints and Maskinporten audience (the local stand-in's are known only at start). */
function expandFiksIo(
  transport: FiksIoTransport,
  at: string,
  expand: (text: string, path: string) => string,
): FiksIoTransport {
  const { maskinporten } = transport;
  return {
    ...transport,
    apiUrl: expand(transport.apiUrl, `${at}/apiUrl`),
    amqpUrl: expand(transport.amqpUrl, `${at}/amqpUrl`),
    maskinporten: {
      ...maskinporten,
      tokenEndpoint: expand(maskinporten.tokenEndpoint, `${at}/maskinporten/tokenEndpoint`),
      audience: expand(maskinporten.audience, `${at}/maskinporten/audience`),
    },
  };
}
