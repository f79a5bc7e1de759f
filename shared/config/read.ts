import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { DEFINITIONS_DIR, joinDefinitions } from '../mapping/definitions.ts';
import type { VariableLookup } from '../runtime/env.ts';
import { type ConfigChecks, schemaIssues } from './checks.ts';
import { endpointUrlProblem } from './endpoint-url.ts';
import { ConfigError } from './errors.ts';
import { checkProviderIdentities } from './identities.ts';
import { checkReferences } from './references.ts';
import type { DeploymentFile, FiksIoTransport, HubConfig } from './types.ts';

/**
 * Reads a deployment file or every `*.json` in a folder, joins its form types with their mapping definitions
 * (`form-types/<id>.json` beside the deployment files) and cross-checks them all; with `checks`, also against
 * their schemas and with the mappings compiled (see ConfigChecks). `${VARIABLE}`s are looked up in `variables`.
 */
export async function readHubConfig(path: string, checks: ConfigChecks, variables: VariableLookup): Promise<HubConfig> {
  const isFolder = (await stat(path)).isDirectory();
  const files = isFolder
    ? (await readdir(path))
        .filter((name) => name.endsWith('.json'))
        .sort()
        .map((name) => join(path, name))
    : [path];
  if (files.length === 0) throw new ConfigError([{ file: path, path: '', message: 'no *.json configuration files' }]);
  const deployments: { file: string; config: DeploymentFile }[] = [];
  for (const file of files)
    deployments.push({ file: basename(file), config: await parseDeployment(file, checks, variables) });
  const joined = await joinDefinitions(deployments, join(isFolder ? path : dirname(path), DEFINITIONS_DIR), checks);
  const issues = [...checkReferences(deployments), ...checkProviderIdentities(deployments), ...joined.issues];
  if (issues.length > 0) throw new ConfigError(issues);
  return { deployments: joined.deployments.map((d) => d.config) };
}

async function parseDeployment(file: string, checks: ConfigChecks, variables: VariableLookup): Promise<DeploymentFile> {
  const name = basename(file);
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ConfigError([{ file: name, path: '', message: `not valid JSON: ${(error as Error).message}` }]);
  }
  const schema = checks.deploymentSchema;
  if (schema && !schema(data)) throw new ConfigError(schemaIssues(name, schema.errors));
  return expandEnv(name, data as DeploymentFile, variables);
}

/** `${VARIABLE}` in a target's folder or URL, or a webhook's URL. */
const VARIABLE_PATTERN = /\$\{([A-Z_][A-Z0-9_]*)\}/g;

/** The `${VARIABLE}`s a deployment file uses (before expansion): what its functions' environment must carry. */
export function variablesIn(config: DeploymentFile): string[] {
  const texts = [
    ...config.targets.map((t) =>
      t.transport.type === 'http'
        ? t.transport.url
        : t.transport.type === 'fiks-io'
          ? [
              t.transport.apiUrl,
              t.transport.amqpUrl,
              t.transport.maskinporten.tokenEndpoint,
              t.transport.maskinporten.audience,
            ].join(' ')
          : t.transport.dir,
    ),
    ...config.providers.flatMap((p) => (p.webhook ? [p.webhook.url] : [])),
  ];
  return [...new Set(texts.flatMap((text) => [...text.matchAll(VARIABLE_PATTERN)].map(([, name]) => name ?? '')))]
    .filter(Boolean)
    .sort();
}

/**
 * `${VARIABLE}` in target folders and URLs: the data dir and endpoints move between machines, the configuration
 * does not. An unset variable is an error naming the field (SKJEMAFLYT_DATA_DIR defaults to ./.skjemaflyt), and so
 * is a URL that is not https or loopback http (endpoint-url.ts).
 */
function expandEnv(file: string, config: DeploymentFile, variables: VariableLookup): DeploymentFile {
  const issues: { file: string; path: string; message: string }[] = [];
  const expand = (text: string, path: string) =>
    text.replace(VARIABLE_PATTERN, (_, name: string) => {
      const value = name === 'SKJEMAFLYT_DATA_DIR' ? resolve(variables(name) ?? '.skjemaflyt') : variables(name);
      if (value === undefined) issues.push({ file, path, message: `environment variable ${name} is not set` });
      return value ?? '';
    });
  // Checked after expansion: a `${VARIABLE}` must not smuggle in a plain-http address either.
  const url = (text: string, path: string) => {
    const expanded = expand(text, path);
    const problem = endpointUrlProblem(expanded);
    if (problem) issues.push({ file, path, message: problem });
    return expanded;
  };
  const targets = config.targets.map((t, i) => ({
    ...t,
    transport:
      t.transport.type === 'fiks-io'
        ? expandFiksIo(t.transport, `/targets/${i}/transport`, expand, url)
        : t.transport.type === 'http'
          ? { ...t.transport, url: url(t.transport.url, `/targets/${i}/transport/url`) }
          : { ...t.transport, dir: expand(t.transport.dir, `/targets/${i}/transport/dir`) },
  }));
  const providers = config.providers.map((p, i) =>
    p.webhook ? { ...p, webhook: { ...p.webhook, url: url(p.webhook.url, `/providers/${i}/webhook/url`) } } : p,
  );
  if (issues.length > 0) throw new ConfigError(issues);
  return { ...config, targets, providers };
}

/** A Fiks IO transport's endpoints and Maskinporten audience (the local stand-in's are known only at start). */
function expandFiksIo(
  transport: FiksIoTransport,
  at: string,
  expand: (text: string, path: string) => string,
  url: (text: string, path: string) => string,
): FiksIoTransport {
  const { maskinporten } = transport;
  return {
    ...transport,
    // The HTTP endpoints carry the record and the Maskinporten grant: https, or loopback http for the stand-in.
    apiUrl: url(transport.apiUrl, `${at}/apiUrl`),
    amqpUrl: expand(transport.amqpUrl, `${at}/amqpUrl`),
    maskinporten: {
      ...maskinporten,
      tokenEndpoint: url(maskinporten.tokenEndpoint, `${at}/maskinporten/tokenEndpoint`),
      audience: expand(maskinporten.audience, `${at}/maskinporten/audience`),
    },
  };
}
