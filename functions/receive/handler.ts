import { createDynamoDb } from '../../shared/aws/dynamodb.ts';
import { createS3 } from '../../shared/aws/s3.ts';
import { createSqs } from '../../shared/aws/sqs.ts';
import { registryLoader } from '../../shared/config/runtime.ts';
import { authenticator, bodyText, httpFunction } from '../../shared/http/handler.ts';
import { jsonResponse, problemOf } from '../../shared/http/problem.ts';
import { DeliveryQueue } from '../../shared/queue/delivery-queue.ts';
import { atColdStart } from '../../shared/runtime/cold-start.ts';
import type { FunctionEnv } from '../../shared/runtime/env.ts';
import { searchSecret } from '../../shared/secrets/search-secret.ts';
import { createSecretStore } from '../../shared/secrets/store.ts';
import { DocumentStore } from '../../shared/store/documents.ts';
import { DynamoUploads } from '../../shared/store/dynamodb/uploads.ts';
import { SubmissionStore } from '../../shared/store/submissions.ts';
import { receiveSubmission } from '../../shared/submission/receive.ts';
import { s3UploadObjects } from '../../shared/uploads/s3-objects.ts';
import { createUpload } from '../../shared/uploads/uploads.ts';

/** POST /v1/submissions; POST /v1/uploads (a large attachment's pre-signed upload) */
export function createHandler(env: FunctionEnv<'receive'>) {
  const registry = registryLoader(env.config);
  // Which provider a Maskinporten token is, the configuration says.
  const authenticate = authenticator(env.jwt, async () => (await registry()).providerIdentities);
  const { dynamo } = createDynamoDb(env.aws);
  const store = new SubmissionStore(dynamo, env.tableName);
  const s3 = createS3(env.aws);
  const documents = new DocumentStore(s3, env.bucketName);
  const queue = new DeliveryQueue(createSqs(env.aws), env.queueUrls);
  const uploads = { uploads: new DynamoUploads(dynamo, env.tableName), objects: s3UploadObjects(s3, env.bucketName) };
  const secret = searchSecret(createSecretStore(env.secrets, env.aws));
  return httpFunction('receive', async (event) => {
    const principal = await authenticate(event);
    if (event.routeKey === 'POST /v1/uploads') {
      const upload = await createUpload(principal, parseJson(bodyText(event)), uploads);
      return jsonResponse(201, upload, { 'cache-control': 'no-store' });
    }
    const { status, receipt } = await receiveSubmission(
      { principal, contentType: event.headers?.['content-type'], body: bodyText(event) },
      { registry: await registry(), store, documents, queue, uploads, searchSecret: secret },
    );
    return jsonResponse(status, receipt, { location: receipt.statusUrl });
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw problemOf('invalid-json', 'Forespørselen er ikke gyldig JSON.', {
      errors: [{ path: '', code: 'invalid-json', message: 'Ugyldig JSON.' }],
    });
  }
}

export const handler = atColdStart('receive', createHandler);
