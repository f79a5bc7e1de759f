import { resolveDelivery, retryDelivery, retryMatching } from '../../shared/admin/actions.ts';
import { getDeliveryDetail, listDeliveries, revealNationalId } from '../../shared/admin/deliveries.ts';
import { me, overview } from '../../shared/admin/overview.ts';
import { s3Client } from '../../shared/aws/s3.ts';
import { sqsClient } from '../../shared/aws/sqs.ts';
import { runtimeRegistry } from '../../shared/config/runtime.ts';
import { authenticate, bodyText, httpFunction } from '../../shared/http/handler.ts';
import { jsonResponse, problems } from '../../shared/http/problem.ts';
import { notifyingStore } from '../../shared/notify/notifying-store.ts';
import { DeliveryQueue } from '../../shared/queue/delivery-queue.ts';
import { readEnv } from '../../shared/runtime/env.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import { DocumentStore } from '../../shared/store/documents.ts';

const logger = createLogger('admin');

/** The admin API for archive staff: see, understand, retry and resolve deliveries of their own municipalities. */
export const handler = httpFunction('admin', async (event) => {
  const principal = await authenticate(event);
  const env = readEnv();
  const registry = await runtimeRegistry();
  const deps = {
    // A person's retry or resolve is a status change the provider's webhook hears of too.
    store: notifyingStore(registry, logger),
    queue: new DeliveryQueue(sqsClient(), env.queueUrls),
    documents: new DocumentStore(s3Client(), env.bucketName),
    registry,
  };
  const id = event.pathParameters?.id ?? '';
  const query = event.queryStringParameters ?? {};
  // Personal data in every answer: never cached on the way.
  const ok = (body: unknown) => jsonResponse(200, body, { 'cache-control': 'no-store' });
  switch (event.routeKey) {
    case 'GET /v1/admin/me':
      return ok(me(principal, deps));
    case 'GET /v1/admin/overview':
      return ok(await overview(principal, query, deps));
    case 'GET /v1/admin/deliveries':
      return ok(await listDeliveries(principal, query, deps));
    case 'POST /v1/admin/deliveries/retry':
      return ok(await retryMatching(principal, parseJson(bodyText(event)), deps));
    case 'GET /v1/admin/deliveries/{id}':
      return ok(await getDeliveryDetail(principal, id, deps));
    case 'POST /v1/admin/deliveries/{id}/retry':
      return ok(await retryDelivery(principal, id, deps));
    case 'POST /v1/admin/deliveries/{id}/resolve':
      return ok(await resolveDelivery(principal, id, parseJson(bodyText(event)), deps));
    case 'POST /v1/admin/deliveries/{id}/national-id':
      return ok(await revealNationalId(principal, id, deps));
    default:
      throw problems.notFound('Ukjent adresse.');
  }
});

function parseJson(text: string): unknown {
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw problems.badRequest('Ugyldig JSON.', [{ path: '', message: 'Ugyldig JSON.' }]);
  }
}
