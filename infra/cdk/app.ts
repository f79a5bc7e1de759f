import { ConfigError } from '../../shared/config/errors.ts';
import { DEFAULT_CONFIG_PATH } from '../../shared/config/load.ts';
import { buildApp } from './build.ts';
import { loadDeployments } from './deployments.ts';

/**
 * `npx cdk synth` / `npx cdk deploy <stack>`: one stack per configuration file in SKJEMAFLYT_CONFIG (a file or a
 * folder; default: the repository's config/), the same files the local runner reads.
 */
try {
  const deployments = await loadDeployments(process.env.SKJEMAFLYT_CONFIG ?? DEFAULT_CONFIG_PATH);
  buildApp(deployments).app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
