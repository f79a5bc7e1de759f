import { getDeliveryDetail, listDeliveries, resolveDelivery, retryDelivery } from '../../shared/admin/deliveries.ts';
import { awsClients } from '../../shared/aws/clients.ts';
import { authenticate, bodyText, httpFunction } from '../../shared/http/handler.ts';
import { jsonResponse, problems } from '../../shared/http/problem.ts';
import { DeliveryQueue } from '../../shared/queue/delivery-queue.ts';
import { readEnv } from '../../shared/runtime/env.ts';
import { SubmissionStore } from '../../shared/store/submissions.ts';

/** The admin API for archive staff: list, inspect, retry and resolve deliveries of their own municipalities. */
export const handler = httpFunction('admin', async (event) => {
  const principal = await authenticate(event);
  const env = readEnv();
  const { dynamo, sqs } = awsClients();
  const deps = { store: new SubmissionStore(dynamo, env.tableName), queue: new DeliveryQueue(sqs, env.queueUrls) };
  const id = event.pathParameters?.id ?? '';
  switch (event.routeKey) {
    case 'GET /v1/admin/deliveries':
      return jsonResponse(200, await listDeliveries(principal, event.queryStringParameters ?? {}, deps));
    case 'GET /v1/admin/deliveries/{id}':
      return jsonResponse(200, await getDeliveryDetail(principal, id, deps));
    case 'POST /v1/admin/deliveries/{id}/retry':
      return jsonResponse(200, await retryDelivery(principal, id, deps));
    case 'POST /v1/admin/deliveries/{id}/resolve':
      return jsonResponse(200, await resolveDelivery(principal, id, parseJson(bodyText(event)), deps));
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
