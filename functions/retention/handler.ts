import type { Context } from 'aws-lambda';
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
export const handler = async (_event?: unknown, context?: Context) => {
  const env = readEnv();
  const report = await runRetention({
    registry: await runtimeRegistry(),
    store: new SubmissionStore(dynamoDb().dynamo, env.tableName),
    s3: s3Client(),
    bucket: env.bucketName,
    // Room to finish what is in hand before the function's timeout; what is left waits for the next run.
    ...(context ? { deadline: Date.now() + context.getRemainingTimeInMillis() - 30_000 } : {}),
  });
  const summary = {
    examined: report.examined,
    deleted: report.deleted.length,
    objects: report.objects,
    complete: report.complete,
  };
  logger.info(
    report.complete ? 'Retention run' : 'Retention run stopped at its deadline; the next run goes on',
    summary,
  );
  return summary;
};
