import type { DeliverySettings, HubConfig, Target } from './types.ts';

/**
 * What a configuration implies in infrastructure: the one source of truth for the local runner
 * and (later) the CDK stacks. Plain data out of plain data.
 */

export type DeliveryHandlerName = 'deliver-archive' | 'deliver-fagsystem';
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
}

export interface HubPlan {
  tableName: string;
  idempotencyTableName: string;
  bucketName: string;
  queues: QueuePlan[];
  routes: RoutePlan[];
}

export const ROUTES: RoutePlan[] = [
  { method: 'POST', path: '/v1/submissions', handler: 'receive' },
  { method: 'GET', path: '/v1/submissions/{trackingId}', handler: 'get-submission' },
  { method: 'GET', path: '/v1/admin/me', handler: 'admin' },
  { method: 'GET', path: '/v1/admin/overview', handler: 'admin' },
  { method: 'GET', path: '/v1/admin/deliveries', handler: 'admin' },
  { method: 'POST', path: '/v1/admin/deliveries/retry', handler: 'admin' },
  { method: 'GET', path: '/v1/admin/deliveries/{id}', handler: 'admin' },
  { method: 'POST', path: '/v1/admin/deliveries/{id}/retry', handler: 'admin' },
  { method: 'POST', path: '/v1/admin/deliveries/{id}/resolve', handler: 'admin' },
  { method: 'POST', path: '/v1/admin/deliveries/{id}/national-id', handler: 'admin' },
];

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
  return { idempotencyTableName: `${names.tableName}-idempotency`, ...names, queues, routes: ROUTES };
}
