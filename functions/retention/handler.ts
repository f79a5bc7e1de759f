import { dynamoDb } from '../../shared/aws/dynamodb.ts';
import { s3Client } from '../../shared/aws/s3.ts';
import { runtimeRegistry } from '../../shared/config/runtime.ts';
import { runRetention } from '../../shared/retention/cleanup.ts';
import { readEnv } from '../../shared/runtime/env.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import { SubmissionStore } from '../../shared/store/submissions.ts';

const logger = createLogger('retention');

/**
 * Scheduled (daily on AWS, hourly in the local runner): deletes originals and documents whose retention has
 * passed (see shared/retention/rule.ts). Logs counts only.
 */
export const handler = async () => {
  const env = readEnv();
  const report = await runRetention({
    registry: await runtimeRegistry(),
    store: new SubmissionStore(dynamoDb().dynamo, env.tableName),
    s3: s3Client(),
    bucket: env.bucketName,
  });
  logger.info('Retention run', { examined: report.examined, deleted: report.deleted.length, objects: report.objects });
  return { examined: report.examined, deleted: report.deleted.length, objects: report.objects };
};
