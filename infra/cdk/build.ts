import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Deployment } from './deployments.ts';
import { SkjemaflytStack, stackNameFor } from './stack.ts';

/**
 * Feature flags from cdk.json (the recommended set of this aws-cdk-lib version, as `cdk init` writes it), read
 * here too so that the tests build exactly what `cdk synth` builds.
 */
export const FEATURE_FLAGS: Record<string, unknown> = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../cdk.json'), 'utf8'),
).context;

export interface BuildOptions {
  outdir?: string;
  /** Tests that only read templates: no bundling (CDK puts a placeholder asset in) */
  skipBundling?: boolean;
}

/** The CDK app: one stack per deployment, every stack checked by cdk-nag's AwsSolutions rules at synth. */
export function buildApp(
  deployments: Deployment[],
  options: BuildOptions = {},
): { app: App; stacks: SkjemaflytStack[] } {
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    context: { ...FEATURE_FLAGS, ...(options.skipBundling ? { 'aws:cdk:bundling-stacks': [] } : {}) },
  });
  // Any finding not acknowledged (with its reason) in nag.ts stops the synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stacks = deployments.map((deployment) => {
    const { config, aws } = deployment;
    const stack = new SkjemaflytStack(app, stackNameFor(config.deployment), {
      deployment,
      // `cdk destroy` of a municipality's stack must be a deliberate two-step act.
      terminationProtection: true,
      description: `Skjemaflyt for ${config.name} (${config.municipalities.map((m) => m.kommunenummer).join(', ')}), from ${deployment.file}`,
      ...(aws.account || aws.region ? { env: { account: aws.account, region: aws.region } } : {}),
    });
    Tags.of(stack).add('skjemaflyt:deployment', config.deployment);
    Tags.of(stack).add('skjemaflyt:kommunenummer', config.municipalities.map((m) => m.kommunenummer).join(' '));
    return stack;
  });
  return { app, stacks };
}
