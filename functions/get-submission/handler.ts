import { createDynamoDb } from '../../shared/aws/dynamodb.ts';
import { registryLoader } from '../../shared/config/runtime.ts';
import { authenticator, httpFunction } from '../../shared/http/handler.ts';
import { jsonResponse } from '../../shared/http/problem.ts';
import { atColdStart } from '../../shared/runtime/cold-start.ts';
import type { FunctionEnv } from '../../shared/runtime/env.ts';
import { SubmissionStore } from '../../shared/store/submissions.ts';
import { parseFeedQuery, providerFeed } from '../../shared/tracking/feed.ts';
import { statusView } from '../../shared/tracking/status-view.ts';

/** GET /v1/submissions/{trackingId}; GET /v1/submissions (the provider's feed, or find by submissionId) */
export function createHandler(env: FunctionEnv<'get-submission'>) {
  const registry = registryLoader(env.config);
  // Which provider a Maskinporten token is, the configuration says.
  const authenticate = authenticator(env.jwt, async () => (await registry()).providerIdentities);
  const store = new SubmissionStore(createDynamoDb(env.aws).dynamo, env.tableName);
  return httpFunction('get-submission', async (event) => {
    const principal = await authenticate(event);
    const trackingId = event.pathParameters?.trackingId;
    if (trackingId === undefined) {
      const feed = await providerFeed(principal, parseFeedQuery(event.queryStringParameters ?? {}), store);
      return jsonResponse(200, feed, { 'cache-control': 'no-store' });
    }
    const found = /^[0-9a-f-]{36}$/.test(trackingId) ? await store.get(trackingId) : undefined;
    return jsonResponse(200, statusView(principal, found), { 'cache-control': 'no-store' });
  });
}

export const handler = atColdStart('get-submission', createHandler);
