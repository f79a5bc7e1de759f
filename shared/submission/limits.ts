import type { DeploymentConfig, HubConfig, Limits } from '../config/types.ts';

export type { Limits };

/**
 * What one request may hold. Defaults fit Lambda: a synchronous invocation carries at most 6 MB, so the body
 * stays well under that (API Gateway itself would take 10 MB). A deployment can set any of these in its
 * configuration file under `limits`.
 */
export const DEFAULT_LIMITS: Limits = {
  maxBodyBytes: 5 * 1024 * 1024,
  maxAttachments: 20,
  maxAttachmentBytes: 3 * 1024 * 1024,
  maxFormDataBytes: 256 * 1024,
  maxFormDataDepth: 32,
  maxFormDataElements: 5000,
  maxStringLength: 10_000,
  // A guard against a runaway client, not a quota: a provider catching up after an outage, or polling many
  // statuses at once, stays well below it. Set lower per deployment where wanted.
  requestsPerSecond: 500,
  burst: 1000,
};

/** The limits of the deployment that serves this municipality (defaults where it sets none). */
export function limitsFor(config: HubConfig, municipality: string | undefined): Limits {
  const deployment = config.deployments.find((d) => d.municipalities.some((m) => m.kommunenummer === municipality));
  return { ...DEFAULT_LIMITS, ...deployment?.limits };
}

/**
 * The most any deployment allows, for checks made before the request says which municipality it is for
 * (the raw body size, the local runner's rate limit). The deployment's own limits apply right after.
 */
export function loosestLimits(
  config: HubConfig,
  which: (deployment: DeploymentConfig) => boolean = () => true,
): Limits {
  const all = config.deployments.filter(which).map((d) => ({ ...DEFAULT_LIMITS, ...d.limits }));
  if (all.length === 0) return DEFAULT_LIMITS;
  const loosest = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(loosest) as (keyof Limits)[]) loosest[key] = Math.max(...all.map((l) => l[key]));
  return loosest;
}

/**
 * Rate and burst for a throttle key (`provider:<id>`, `admin:<subject>`, `ip:<address>`): a provider gets
 * what the deployments it submits to allow; everyone else the most any deployment allows.
 */
export function throttleLimits(config: HubConfig, key: string): Limits {
  const provider = key.startsWith('provider:') ? key.slice('provider:'.length) : undefined;
  const own = provider ? (d: DeploymentConfig) => d.providers.some((p) => p.id === provider) : () => true;
  return loosestLimits(config, config.deployments.some(own) ? own : () => true);
}

export function megabytes(bytes: number): string {
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`.replace('.', ',');
}
