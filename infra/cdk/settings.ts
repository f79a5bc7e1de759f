import { RegionInfo } from 'aws-cdk-lib/region-info';
import { checkDeploymentForAws } from '../../shared/config/checks.ts';
import { endpointUrlProblem } from '../../shared/config/endpoint-url.ts';
import {
  type DeliveryHandlerName,
  deliveryHandlerFor,
  NOTIFICATIONS,
  ROUTES,
  type RoutePlan,
} from '../../shared/config/plan.ts';
import type { AwsSettings, DeploymentConfig, Provider, Throttle, TokenIssuer } from '../../shared/config/types.ts';
import { retryDelaySeconds } from '../../shared/delivery/backoff.ts';

/**
 * What a deployment's configuration means on AWS: defaults for the optional `aws` settings, the numbers the
 * stack derives (function timeouts), and the checks only AWS needs. Plain data, so it is tested without synth.
 */

type Issue = { file: string; path: string; message: string };

/** SQS keeps a message at most 14 days: every queue keeps them that long, to outlive a long archive outage. */
export const QUEUE_RETENTION_SECONDS = 14 * 24 * 3600;
/** AWS: a queue's visibility timeout must be at least six times the timeout of the function it feeds. */
export const VISIBILITY_PER_FUNCTION_TIMEOUT = 6;
export const MIN_FUNCTION_TIMEOUT_SECONDS = 3;
export const MAX_FUNCTION_TIMEOUT_SECONDS = 900;
/** Beyond an HTTP target's own timeout: reading documents, validating, recording the receipt. */
export const HTTP_DELIVERY_MARGIN_SECONDS = 5;
/**
 * A cold start inside the first invocation's time: reading the configuration, compiling mappings, warming the XSD
 * validator (measured at 2–4 s on a 1 GB function; bench/coldstart.ts), with room to spare.
 */
export const COLD_START_SECONDS = 8;
/** SQS queue names are at most 80 characters. */
export const MAX_QUEUE_NAME_LENGTH = 80;
/** A Fiks IO send: a Maskinporten token, the archive's catalog certificate, signing and encrypting, the upload. */
export const FIKS_IO_DELIVERY_SECONDS = 20;
/** The SQS event source mapping's maximum concurrency cannot be set below 2. */
export const MIN_EVENT_SOURCE_CONCURRENCY = 2;
/** Lambda's limit on a function's environment, all variables together. */
export const LAMBDA_ENVIRONMENT_BYTES = 4096;
/** What the other variables (table, bucket, config path, issuer, JWKS URL, Powertools) take, generously. */
const ENVIRONMENT_BYTES_BESIDES_QUEUES = 1500;

/** Where file-drop targets write on Lambda: /tmp, the only writable place (demo only: it does not outlive the instance). */
export const LAMBDA_DATA_DIR = '/tmp/skjemaflyt';

export interface ResolvedAws {
  account?: string;
  region?: string;
  auth: Record<RoutePlan['caller'], Required<TokenIssuer>>;
  alarmEmails: string[];
  oldestMessageAgeSeconds: number;
  logLevel: NonNullable<AwsSettings['logLevel']>;
  tracing: boolean;
  console: NonNullable<AwsSettings['console']>;
  logRetentionDays: number;
  documents: { expireAfterDays?: number; noncurrentVersionsExpireAfterDays: number };
  throttling: { default: Throttle; routes: Map<string, Throttle> };
}

/** Per route, when the configuration does not say: a provider like the security defaults, admins a little less. */
const DEFAULT_ROUTE_THROTTLE: Record<RoutePlan['caller'], Throttle> = {
  provider: { rateLimit: 25, burstLimit: 50 },
  admin: { rateLimit: 10, burstLimit: 20 },
};

export function routeKey(route: Pick<RoutePlan, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/**
 * The `aws` settings with their defaults (call after checkForAws has passed). The providers' authorizer asks for
 * the providers' Maskinporten scopes unless `aws.auth.providers.scopes` says otherwise.
 */
export function resolveAws(aws: AwsSettings, providers: Provider[] = []): ResolvedAws {
  const issuer = (t: TokenIssuer, scopes: string[]): Required<TokenIssuer> => ({ ...t, scopes: t.scopes ?? scopes });
  const providerScopes = [...new Set(providers.map((p) => p.maskinporten.scope))];
  const stageDefault = aws.throttling?.default ?? { rateLimit: 50, burstLimit: 100 };
  return {
    ...(aws.account ? { account: aws.account } : {}),
    ...(aws.region ? { region: aws.region } : {}),
    auth: { provider: issuer(aws.auth.providers, providerScopes), admin: issuer(aws.auth.admins, []) },
    alarmEmails: aws.alarmEmails ?? [],
    oldestMessageAgeSeconds: (aws.alarms?.oldestMessageAgeMinutes ?? 30) * 60,
    logLevel: aws.logLevel ?? 'INFO',
    tracing: aws.tracing ?? true,
    console: aws.console ?? {},
    logRetentionDays: aws.logRetentionDays ?? 90,
    documents: {
      ...(aws.documents?.expireAfterDays ? { expireAfterDays: aws.documents.expireAfterDays } : {}),
      noncurrentVersionsExpireAfterDays: aws.documents?.noncurrentVersionsExpireAfterDays ?? 30,
    },
    throttling: {
      default: stageDefault,
      routes: new Map(
        ROUTES.map((r) => [
          routeKey(r),
          aws.throttling?.routes?.[routeKey(r)] ?? aws.throttling?.default ?? DEFAULT_ROUTE_THROTTLE[r.caller],
        ]),
      ),
    },
  };
}

/**
 * A delivery function's timeout: a sixth of the shortest visibility timeout among the queues it reads, so every
 * queue keeps AWS's six-to-one margin (a message is not handed out again while an attempt may still be running).
 */
export function deliveryFunctionTimeouts(config: DeploymentConfig): Map<DeliveryHandlerName, number> {
  const timeouts = new Map<DeliveryHandlerName, number>();
  for (const target of config.targets) {
    const handler = deliveryHandlerFor(target);
    const timeout = Math.min(
      MAX_FUNCTION_TIMEOUT_SECONDS,
      Math.floor(target.delivery.visibilityTimeoutSeconds / VISIBILITY_PER_FUNCTION_TIMEOUT),
    );
    timeouts.set(handler, Math.min(timeouts.get(handler) ?? Number.POSITIVE_INFINITY, timeout));
  }
  return timeouts;
}

/**
 * A queue's name on AWS: `skjemaflyt-<deployment>-<target>`. Queue names are unique per account and region, and so
 * are stack names (`skjemaflyt-<deployment>`): two deployment folders in one account cannot share a queue unless they
 * are the same stack. (Tables and buckets are named by CloudFormation, unique anyway.)
 */
export function awsQueueName(deployment: string, targetId: string): string {
  return targetId === NOTIFICATIONS
    ? `skjemaflyt-${deployment}-${NOTIFICATIONS}`
    : `skjemaflyt-${deployment}-${targetId}`;
}

export function awsDeadLetterQueueName(deployment: string, targetId: string): string {
  return `${awsQueueName(deployment, targetId)}-dlq`;
}

/** The longest a delivery can keep a message on the queue before it is dead-lettered: every attempt and every wait. */
export function worstCaseRetrySpanSeconds(delivery: DeploymentConfig['targets'][number]['delivery']): number {
  let span = delivery.maxAttempts * delivery.visibilityTimeoutSeconds;
  for (let attempt = 1; attempt < delivery.maxAttempts; attempt++) span += retryDelaySeconds(attempt, delivery.retry);
  return span;
}

/** The regions that exist, as this aws-cdk-lib knows them. */
const AWS_REGIONS: ReadonlySet<string> = new Set(RegionInfo.regions.map((r) => r.name));

/** What a deployment needs before it can become a stack; each issue names the file and the field. */
export function checkForAws(file: string, config: DeploymentConfig): Issue[] {
  const issues: Issue[] = checkDeploymentForAws(file, config, AWS_REGIONS);
  const add = (path: string, message: string) => issues.push({ file, path, message });
  if (!config.aws) {
    add(
      '/aws',
      'missing: a deployment on AWS needs "aws": { "auth": { "providers": …, "admins": … } } (token issuers)',
    );
  }
  const authorizerScopes = config.aws?.auth.providers.scopes;
  config.providers.forEach((provider, i) => {
    if (authorizerScopes && !authorizerScopes.includes(provider.maskinporten.scope)) {
      add(
        `/providers/${i}/maskinporten/scope`,
        `"${provider.maskinporten.scope}" is not among aws.auth.providers.scopes: API Gateway would refuse this provider's tokens`,
      );
    }
  });
  const hosting = config.aws?.console;
  if (hosting?.domainName && !hosting.certificateArn) {
    add('/aws/console/certificateArn', `missing: ${hosting.domainName} needs an ACM certificate (in us-east-1)`);
  }
  if (
    hosting?.certificateArn &&
    !/^arn:aws:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]+$/.test(hosting.certificateArn)
  ) {
    add('/aws/console/certificateArn', 'must be an ACM certificate in us-east-1 (CloudFront takes no other region)');
  }
  if (hosting?.certificateArn && !hosting.domainName)
    add('/aws/console/domainName', 'missing: the certificate is for which domain?');
  if (
    hosting?.webAclArn &&
    !/^arn:aws:wafv2:us-east-1:\d{12}:global\/webacl\/[\w-]+\/[0-9a-f-]+$/.test(hosting.webAclArn)
  ) {
    add(
      '/aws/console/webAclArn',
      'must be a WAF web ACL of scope CLOUDFRONT (arn:aws:wafv2:us-east-1:<account>:global/webacl/…)',
    );
  }
  const known = new Set(ROUTES.map(routeKey));
  for (const key of Object.keys(config.aws?.throttling?.routes ?? {})) {
    if (!known.has(key))
      add(`/aws/throttling/routes/${pointerEscape(key)}`, `unknown route; routes: ${[...known].join(', ')}`);
  }

  // Records, documents, secrets and signed notifications leave the stack over https only.
  config.targets.forEach((target, i) => {
    const t = target.transport;
    const urls =
      t.type === 'http'
        ? { url: t.url }
        : t.type === 'fiks-io'
          ? { apiUrl: t.apiUrl, 'maskinporten/tokenEndpoint': t.maskinporten.tokenEndpoint }
          : {};
    for (const [field, url] of Object.entries(urls)) {
      const problem = endpointUrlProblem(url, { httpsOnly: true });
      if (problem) add(`/targets/${i}/transport/${field}`, problem);
    }
  });
  config.providers.forEach((provider, i) => {
    const problem = provider.webhook && endpointUrlProblem(provider.webhook.url, { httpsOnly: true });
    if (problem) add(`/providers/${i}/webhook/url`, problem);
  });

  const timeouts = deliveryFunctionTimeouts(config);
  config.targets.forEach((target, i) => {
    const at = `/targets/${i}/delivery`;
    const { delivery } = target;
    if (delivery.maxConcurrency < MIN_EVENT_SOURCE_CONCURRENCY) {
      add(
        `${at}/maxConcurrency`,
        `must be at least ${MIN_EVENT_SOURCE_CONCURRENCY} on AWS (the lowest maximum concurrency an SQS event source mapping takes)`,
      );
    }
    // The function serving this target must have time for the slowest target it serves.
    const handler = deliveryHandlerFor(target);
    const needed = Math.max(
      ...config.targets.filter((t) => deliveryHandlerFor(t) === handler).map(secondsNeeded),
      MIN_FUNCTION_TIMEOUT_SECONDS,
    );
    const minimum = needed * VISIBILITY_PER_FUNCTION_TIMEOUT;
    if ((timeouts.get(handler) ?? 0) < needed && delivery.visibilityTimeoutSeconds < minimum) {
      add(
        `${at}/visibilityTimeoutSeconds`,
        `must be at least ${minimum} on AWS: the ${handler} function's timeout is a sixth of its queues' shortest ` +
          `visibility timeout and needs ${needed} s (${MIN_FUNCTION_TIMEOUT_SECONDS} s at least; an HTTP target: ` +
          `${COLD_START_SECONDS} s cold start, its timeoutMs (twice with a secret: a 401 reads it again and calls ` +
          `once more) and ${HTTP_DELIVERY_MARGIN_SECONDS} s; a Fiks IO target ${FIKS_IO_DELIVERY_SECONDS} s)`,
      );
    }
    const span = worstCaseRetrySpanSeconds(delivery);
    if (span > QUEUE_RETENTION_SECONDS) {
      add(
        at,
        `attempts and retries can take ${Math.ceil(span / 3600)} hours, longer than SQS keeps a message ` +
          `(${QUEUE_RETENTION_SECONDS / 86400} days): messages would expire instead of being dead-lettered; ` +
          'lower maxAttempts or retry.maxDelaySeconds',
      );
    }
  });

  config.targets.forEach((target, i) => {
    const name = awsDeadLetterQueueName(config.deployment, target.id);
    if (name.length > MAX_QUEUE_NAME_LENGTH) {
      add(
        `/targets/${i}/id`,
        `too long for an SQS queue name on AWS ("${name}" has ${name.length} of ${MAX_QUEUE_NAME_LENGTH} characters)`,
      );
    }
  });

  // SKJEMAFLYT_QUEUE_URLS carries every queue URL in each function's environment (Lambda allows 4 KB in all).
  const longestRegion = 'ap-southeast-5';
  const urls = Object.fromEntries(
    config.targets.map((t) => [
      t.id,
      `https://sqs.${longestRegion}.amazonaws.com/123456789012/${awsQueueName(config.deployment, t.id)}`,
    ]),
  );
  const bytes = JSON.stringify(urls).length + ENVIRONMENT_BYTES_BESIDES_QUEUES;
  if (bytes > LAMBDA_ENVIRONMENT_BYTES) {
    add(
      '/targets',
      `${config.targets.length} targets are more than one stack's functions can carry (their queue URLs would ` +
        `take about ${bytes} of Lambda's ${LAMBDA_ENVIRONMENT_BYTES} bytes of environment); split the deployment`,
    );
  }
  return issues;
}

/**
 * The seconds one attempt at a target may take, cold start included. An HTTP target with a secret may be called
 * twice (after a 401/403 the secret is read again and the call repeated once: shared/targets/http-client.ts).
 */
export function secondsNeeded(target: DeploymentConfig['targets'][number]): number {
  const t = target.transport;
  // Fiks IO's allowance is its own (it keeps connections and tokens warm across invocations).
  if (t.type === 'fiks-io') return FIKS_IO_DELIVERY_SECONDS;
  if (t.type !== 'http') return MIN_FUNCTION_TIMEOUT_SECONDS;
  const calls = t.auth ? 2 : 1;
  return COLD_START_SECONDS + calls * Math.ceil(t.timeoutMs / 1000) + HTTP_DELIVERY_MARGIN_SECONDS;
}

/** RFC 6901: a key inside a JSON pointer. */
function pointerEscape(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
