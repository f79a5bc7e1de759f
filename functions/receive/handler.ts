import { createDynamoDb } from '../../shared/aws/dynamodb.ts';
import { createS3 } from '../../shared/aws/s3.ts';
import { createSqs } from '../../shared/aws/sqs.ts';
import { registryLoader } from '../../shared/config/runtime.ts';
import { authenticator, bodyText, httpFunction } from '../../shared/http/handler.ts';
import { jsonResponse } from '../../shared/http/problem.ts';
import { DeliveryQueue } from '../../shared/queue/delivery-queue.ts';
import { atColdStart } from '../../shared/runtime/cold-start.ts';
import type { FunctionEnv } from '../../shared/runtime/env.ts';
import { DocumentStore } from '../../shared/store/documents.ts';
import { SubmissionStore } from '../../shared/store/submissions.ts';
import { receiveSubmission } from '../../shared/submission/receive.ts';

/** POST /v1/submissions */
export function createHandler(env: FunctionEnv<'receive'>) {
  const registry = registryLoader(env.config);
  // Which provider a Maskinporten token is, the configuration says.
  const authenticate = authenticator(env.jwt, async () => (await registry()).providerIdentities);
  const store = new SubmissionStore(createDynamoDb(env.aws).dynamo, env.tableName);
  const documents = new DocumentStore(createS3(env.aws), env.bucketName);
  const queue = new DeliveryQueue(createSqs(env.aws), env.queueUrls);
  return httpFunction('receive', async (event) => {
    const principal = await authenticate(event);
    const { status, receipt } = await receiveSubmission(
      { principal, contentType: event.headers?.['content-type'], body: bodyText(event) },
      { registry: await registry(), store, documents, queue },
    );
    return jsonResponse(status, receipt, { location: receipt.statusUrl });
  });
}

export const handler = atColdStart('receive', createHandler);
