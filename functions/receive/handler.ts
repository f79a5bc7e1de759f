import { dynamoDb } from '../../shared/aws/dynamodb.ts';
import { s3Client } from '../../shared/aws/s3.ts';
import { sqsClient } from '../../shared/aws/sqs.ts';
import { runtimeRegistry } from '../../shared/config/runtime.ts';
import { authenticate, bodyText, httpFunction } from '../../shared/http/handler.ts';
import { jsonResponse } from '../../shared/http/problem.ts';
import { DeliveryQueue } from '../../shared/queue/delivery-queue.ts';
import { readEnv } from '../../shared/runtime/env.ts';
import { DocumentStore } from '../../shared/store/documents.ts';
import { SubmissionStore } from '../../shared/store/submissions.ts';
import { receiveSubmission } from '../../shared/submission/receive.ts';

/** POST /v1/submissions */
export const handler = httpFunction('receive', async (event) => {
  const principal = await authenticate(event);
  const env = readEnv();
  const { status, receipt } = await receiveSubmission(
    { principal, contentType: event.headers?.['content-type'], body: bodyText(event) },
    {
      registry: await runtimeRegistry(),
      store: new SubmissionStore(dynamoDb().dynamo, env.tableName),
      documents: new DocumentStore(s3Client(), env.bucketName),
      queue: new DeliveryQueue(sqsClient(), env.queueUrls),
    },
  );
  return jsonResponse(status, receipt, { location: receipt.statusUrl });
});
