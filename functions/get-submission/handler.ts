import { dynamoDb } from '../../shared/aws/dynamodb.ts';
import { authenticate, httpFunction } from '../../shared/http/handler.ts';
import { jsonResponse } from '../../shared/http/problem.ts';
import { readEnv } from '../../shared/runtime/env.ts';
import { SubmissionStore } from '../../shared/store/submissions.ts';
import { statusView } from '../../shared/tracking/status-view.ts';

/** GET /v1/submissions/{trackingId} */
export const handler = httpFunction('get-submission', async (event) => {
  const principal = await authenticate(event);
  const trackingId = event.pathParameters?.trackingId ?? '';
  const store = new SubmissionStore(dynamoDb().dynamo, readEnv().tableName);
  const found = /^[0-9a-f-]{36}$/.test(trackingId) ? await store.get(trackingId) : undefined;
  return jsonResponse(200, statusView(principal, found), { 'cache-control': 'no-store' });
});
