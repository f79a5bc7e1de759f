import { reopenDelivery, resolveDelivery, retryDelivery, retryMatching, retryNow } from '../../shared/admin/actions.ts';
import { correctAndResend, correctionForm, previewCorrection } from '../../shared/admin/corrections.ts';
import {
  getDeliveryDetail,
  listDeliveries,
  revealName,
  revealNationalId,
  searchByNationalId,
} from '../../shared/admin/deliveries.ts';
import { documentHeaders, openDocument } from '../../shared/admin/documents.ts';
import { deliveryOutcome, failureGroups } from '../../shared/admin/failures.ts';
import { me, overview } from '../../shared/admin/overview.ts';
import { sessionPrincipal } from '../../shared/auth/console-session.ts';
import { SessionStore } from '../../shared/auth/sessions.ts';
import { staffAccessOf } from '../../shared/auth/staff.ts';
import { createDynamoDb } from '../../shared/aws/dynamodb.ts';
import { createS3 } from '../../shared/aws/s3.ts';
import { createSqs } from '../../shared/aws/sqs.ts';
import { registryLoader } from '../../shared/config/runtime.ts';
import { authenticator, bodyText, httpFunction } from '../../shared/http/handler.ts';
import { jsonResponse, problems } from '../../shared/http/problem.ts';
import { withStatusNotifications } from '../../shared/notify/notifier.ts';
import { DeliveryQueue } from '../../shared/queue/delivery-queue.ts';
import { atColdStart } from '../../shared/runtime/cold-start.ts';
import type { FunctionEnv } from '../../shared/runtime/env.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import { searchSecret } from '../../shared/secrets/search-secret.ts';
import { createSecretStore } from '../../shared/secrets/store.ts';
import { DocumentStore } from '../../shared/store/documents.ts';
import { SubmissionStore } from '../../shared/store/submissions.ts';

/**
 * The admin API for archive staff: see, understand, retry and resolve deliveries of their own municipalities.
 * The console comes with its session cookie (state-changing calls also with the session's CSRF token); a program
 * with a bearer token from the staff's identity provider. Either way the person's groups give their rights.
 */
export function createHandler(env: FunctionEnv<'admin'>) {
  const logger = createLogger('admin');
  const registry = registryLoader(env.config);
  const staffAccess = async () => staffAccessOf((await registry()).config.deployments);
  const authenticate = authenticator(env.jwt, async () => [], staffAccess);
  const sqs = createSqs(env.aws);
  const dynamo = createDynamoDb(env.aws).dynamo;
  const sessions = new SessionStore(dynamo, env.tableName);
  const submissions = new SubmissionStore(dynamo, env.tableName);
  const queue = new DeliveryQueue(sqs, env.queueUrls);
  const documents = new DocumentStore(createS3(env.aws), env.bucketName);
  const secret = searchSecret(createSecretStore(env.secrets, env.aws));
  return httpFunction('admin', async (event) => {
    const principal =
      (await sessionPrincipal(
        env.consoleSession,
        sessions,
        { method: event.requestContext.http.method, cookies: event.cookies, headers: event.headers ?? {} },
        await staffAccess(),
      )) ?? (await authenticate(event));
    const loaded = await registry();
    const deps = {
      // A person's retry or resolve is a status change the provider's webhook hears of too.
      store: withStatusNotifications(submissions, { registry: loaded, sqs, queueUrls: env.queueUrls, logger }),
      queue,
      documents,
      registry: loaded,
      searchSecret: secret,
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
      case 'GET /v1/admin/failures':
        return ok(await failureGroups(principal, query, deps));
      case 'POST /v1/admin/deliveries/search':
        return ok(await searchByNationalId(principal, parseJson(bodyText(event)), deps));
      case 'POST /v1/admin/deliveries/outcome':
        return ok(await deliveryOutcome(principal, parseJson(bodyText(event)), deps));
      case 'POST /v1/admin/deliveries/retry':
        return ok(await retryMatching(principal, parseJson(bodyText(event)), deps));
      case 'GET /v1/admin/deliveries/{id}':
        return ok(await getDeliveryDetail(principal, id, deps));
      case 'POST /v1/admin/deliveries/{id}/retry':
        return ok(await retryDelivery(principal, id, deps));
      case 'POST /v1/admin/deliveries/{id}/resolve':
        return ok(await resolveDelivery(principal, id, parseJson(bodyText(event)), deps));
      case 'POST /v1/admin/deliveries/{id}/national-id':
        return ok(await revealNationalId(principal, id, parseJson(bodyText(event)), deps));
      case 'POST /v1/admin/deliveries/{id}/name':
        return ok(await revealName(principal, id, parseJson(bodyText(event)), deps));
      case 'POST /v1/admin/deliveries/{id}/retry-now':
        return ok(await retryNow(principal, id, deps));
      case 'POST /v1/admin/deliveries/{id}/reopen':
        return ok(await reopenDelivery(principal, id, parseJson(bodyText(event)), deps));
      case 'GET /v1/admin/deliveries/{id}/documents/{document}': {
        const file = await openDocument(principal, id, event.pathParameters?.document ?? '', query, deps);
        return {
          statusCode: 200,
          headers: documentHeaders(file),
          body: Buffer.from(file.body).toString('base64'),
          isBase64Encoded: true,
        };
      }
      case 'GET /v1/admin/deliveries/{id}/correction':
        return ok(await correctionForm(principal, id, splitFields(query.fields), deps));
      case 'POST /v1/admin/deliveries/{id}/correction/preview':
        return ok(await previewCorrection(principal, id, parseJson(bodyText(event)), deps));
      case 'POST /v1/admin/deliveries/{id}/correct':
        return ok(await correctAndResend(principal, id, parseJson(bodyText(event)), deps));
      default:
        throw problems.notFound('Ukjent adresse.');
    }
  });
}

export const handler = atColdStart('admin', createHandler);

/** `?fields=a.b,c.d`: the fields a failure names, to offer first. */
function splitFields(value: string | undefined): string[] {
  return (value ?? '').split(',').filter(Boolean).slice(0, 20);
}

function parseJson(text: string): unknown {
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw problems.badRequest('Ugyldig JSON.', [{ path: '', message: 'Ugyldig JSON.' }]);
  }
}
