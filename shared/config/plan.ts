import type { DeliverySettings, HubConfig, Target } from './types.ts';

/**
 * What a configuration implies in infrastructure: the one source of truth for the local runner
 * and the CDK stacks (infra/cdk). Plain data out of plain data.
 */

export type DeliveryHandlerName = 'deliver-archive' | 'deliver-fagsystem' | 'notify';
export type HttpHandlerName = 'receive' | 'get-submission' | 'admin';

export interface QueuePlan {
  deployment: string;
  targetId: string;
  /** Queue for the target's deliveries */
  queueName: string;
  /** Its dead-letter queue */
  deadLetterQueueName: string;
  handler: DeliveryHandlerName;
  settings: DeliverySettings;
}

export interface RoutePlan {
  method: 'GET' | 'POST';
  /** API Gateway route syntax, e.g. /v1/submissions/{trackingId} */
  path: string;
  handler: HttpHandlerName;
  /**
   * Whose tokens the gateway lets through (on AWS one JWT authorizer per route). The status route is the
   * providers'; admins read the same data through the admin API.
   */
  caller: 'provider' | 'admin';
}

export interface HubPlan {
  tableName: string;
  idempotencyTableName: string;
  bucketName: string;
  queues: QueuePlan[];
  routes: RoutePlan[];
}

export const ROUTES: RoutePlan[] = [
  { method: 'POST', path: '/v1/submissions', handler: 'receive', caller: 'provider' },
  { method: 'GET', path: '/v1/submissions/{trackingId}', handler: 'get-submission', caller: 'provider' },
  { method: 'GET', path: '/v1/admin/me', handler: 'admin', caller: 'admin' },
  { method: 'GET', path: '/v1/admin/overview', handler: 'admin', caller: 'admin' },
  { method: 'GET', path: '/v1/admin/deliveries', handler: 'admin', caller: 'admin' },
  { method: 'POST', path: '/v1/admin/deliveries/retry', handler: 'admin', caller: 'admin' },
  { method: 'GET', path: '/v1/admin/deliveries/{id}', handler: 'admin', caller: 'admin' },
  { method: 'POST', path: '/v1/admin/deliveries/{id}/retry', handler: 'admin', caller: 'admin' },
  { method: 'POST', path: '/v1/admin/deliveries/{id}/resolve', handler: 'admin', caller: 'admin' },
  { method: 'POST', path: '/v1/admin/deliveries/{id}/national-id', handler: 'admin', caller: 'admin' },
  { method: 'POST', path: '/v1/admin/deliveries/{id}/name', handler: 'admin', caller: 'admin' },
  { method: 'POST', path: '/v1/admin/deliveries/{id}/retry-now', handler: 'admin', caller: 'admin' },
  { method: 'POST', path: '/v1/admin/deliveries/{id}/reopen', handler: 'admin', caller: 'admin' },
  { method: 'GET', path: '/v1/admin/deliveries/{id}/documents/{document}', handler: 'admin', caller: 'admin' },
  { method: 'GET', path: '/v1/admin/deliveries/{id}/correction', handler: 'admin', caller: 'admin' },
  { method: 'POST', path: '/v1/admin/deliveries/{id}/correction/preview', handler: 'admin', caller: 'admin' },
  { method: 'POST', path: '/v1/admin/deliveries/{id}/correct', handler: 'admin', caller: 'admin' },
  { method: 'GET', path: '/v1/admin/failures', handler: 'admin', caller: 'admin' },
  { method: 'POST', path: '/v1/admin/deliveries/outcome', handler: 'admin', caller: 'admin' },
];

/** The queue of status-change notifications to providers' webhooks (keyed like a target in the queue URLs). */
export const NOTIFICATIONS = 'notifications';

const NOTIFICATION_DELIVERY: DeliverySettings = {
  maxAttempts: 8,
  batchSize: 10,
  visibilityTimeoutSeconds: 30,
  maxConcurrency: 2,
  retry: { firstDelaySeconds: 10, factor: 3, maxDelaySeconds: 3600 },
};

export function queueNameFor(targetId: string): string {
  return `skjemaflyt-${targetId}`;
}

export function deadLetterQueueNameFor(targetId: string): string {
  return `skjemaflyt-${targetId}-dlq`;
}

export function deliveryHandlerFor(target: Target): DeliveryHandlerName {
  return target.kind === 'archive' ? 'deliver-archive' : 'deliver-fagsystem';
}

export function planHub(
  config: HubConfig,
  names: { tableName: string; bucketName: string; idempotencyTableName?: string },
): HubPlan {
  const queues = config.deployments.flatMap((deployment) =>
    deployment.targets.map(
      (target): QueuePlan => ({
        deployment: deployment.deployment,
        targetId: target.id,
        queueName: queueNameFor(target.id),
        deadLetterQueueName: deadLetterQueueNameFor(target.id),
        handler: deliveryHandlerFor(target),
        settings: target.delivery,
      }),
    ),
  );
  // One per stack on AWS (queue names are unique in an account), one for the whole local hub.
  const only = config.deployments.length === 1 ? config.deployments[0]?.deployment : undefined;
  const notifications = only ? `${only}-${NOTIFICATIONS}` : NOTIFICATIONS;
  queues.push({
    deployment: only ?? '*',
    targetId: NOTIFICATIONS,
    queueName: queueNameFor(notifications),
    deadLetterQueueName: deadLetterQueueNameFor(notifications),
    handler: 'notify',
    settings: NOTIFICATION_DELIVERY,
  });
  return { idempotencyTableName: `${names.tableName}-idempotency`, ...names, queues, routes: ROUTES };
}
