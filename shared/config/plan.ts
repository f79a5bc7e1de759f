import { NOTIFICATION_DELIVERY } from '../notify/schedule.ts';
import type { DeliverySettings, HubConfig, Target } from './types.ts';

/**
 * What a configuration implies in infrastructure: the one source of truth for the local runner
 * and the CDK stacks (infra/cdk). Plain data out of plain data.
 */

export type DeliveryHandlerName = 'deliver-archive' | 'deliver-fagsystem' | 'notify';
export type HttpHandlerName = 'receive' | 'get-submission' | 'admin' | 'form-types' | 'console-session';

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
  /**
   * The browser comes with the console's session cookie, not a bearer token: no gateway authorizer can check it,
   * so the function checks the session (or a staff bearer token) itself. Sign-in routes have no caller yet.
   */
  session?: 'sign-in' | 'accepted';
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
  { method: 'GET', path: '/v1/submissions', handler: 'get-submission', caller: 'provider' },
  { method: 'POST', path: '/v1/uploads', handler: 'receive', caller: 'provider' },
  { method: 'GET', path: '/v1/submissions/{trackingId}', handler: 'get-submission', caller: 'provider' },
  { method: 'GET', path: '/v1/form-types', handler: 'form-types', caller: 'provider' },
  { method: 'GET', path: '/v1/form-types/{id}/schema', handler: 'form-types', caller: 'provider' },
  { method: 'GET', path: '/v1/form-types/{id}/example', handler: 'form-types', caller: 'provider' },
  ...(
    [
      ['GET', '/v1/admin/me'],
      ['GET', '/v1/admin/overview'],
      ['GET', '/v1/admin/deliveries'],
      ['POST', '/v1/admin/deliveries/retry'],
      ['GET', '/v1/admin/deliveries/{id}'],
      ['POST', '/v1/admin/deliveries/{id}/retry'],
      ['POST', '/v1/admin/deliveries/{id}/resolve'],
      ['POST', '/v1/admin/deliveries/{id}/national-id'],
      ['POST', '/v1/admin/deliveries/{id}/name'],
      ['POST', '/v1/admin/deliveries/{id}/retry-now'],
      ['POST', '/v1/admin/deliveries/{id}/reopen'],
      ['GET', '/v1/admin/deliveries/{id}/documents/{document}'],
      ['GET', '/v1/admin/deliveries/{id}/correction'],
      ['POST', '/v1/admin/deliveries/{id}/correction/preview'],
      ['POST', '/v1/admin/deliveries/{id}/correct'],
      ['GET', '/v1/admin/failures'],
      ['POST', '/v1/admin/deliveries/outcome'],
      ['POST', '/v1/admin/deliveries/search'],
    ] as const
  ).map(([method, path]): RoutePlan => ({ method, path, handler: 'admin', caller: 'admin', session: 'accepted' })),
  // The console's sign-in (backend-for-frontend): the identity provider's redirects land here.
  ...(
    [
      ['GET', '/auth/login'],
      ['GET', '/auth/callback'],
      ['GET', '/auth/session'],
      ['POST', '/auth/logout'],
    ] as const
  ).map(
    ([method, path]): RoutePlan => ({ method, path, handler: 'console-session', caller: 'admin', session: 'sign-in' }),
  ),
];

/** The queue of status-change notifications to providers' webhooks (keyed like a target in the queue URLs). */
export const NOTIFICATIONS = 'notifications';

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
