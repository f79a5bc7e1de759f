import type { Context } from 'aws-lambda';
import { createDynamoDb } from '../../shared/aws/dynamodb.ts';
import { createS3 } from '../../shared/aws/s3.ts';
import { registryLoader } from '../../shared/config/runtime.ts';
import { runRetention } from '../../shared/retention/cleanup.ts';
import { atColdStart } from '../../shared/runtime/cold-start.ts';
import type { FunctionEnv } from '../../shared/runtime/env.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import { SubmissionStore } from '../../shared/store/submissions.ts';

/**
 * Scheduled (daily on AWS, hourly in the local runner): deletes originals and documents whose retention has
 * passed, and later the table's personal data of those submissions (see shared/retention/rule.ts). Logs counts only.
 */
export function createHandler(env: FunctionEnv<'retention'>) {
  const logger = createLogger('retention');
  const registry = registryLoader(env.config);
  const store = new SubmissionStore(createDynamoDb(env.aws).dynamo, env.tableName);
  const s3 = createS3(env.aws);
  return async (_event?: unknown, context?: Context) => {
    const report = await runRetention({
      registry: await registry(),
      store,
      s3,
      bucket: env.bucketName,
      // Room to finish what is in hand before the function's timeout; what is left waits for the next run.
      ...(context ? { deadline: Date.now() + context.getRemainingTimeInMillis() - 30_000 } : {}),
    });
    const summary = {
      examined: report.examined,
      deleted: report.deleted.length,
      objects: report.objects,
      anonymised: report.anonymised.length,
      complete: report.complete,
    };
    logger.info(
      report.complete ? 'Retention run' : 'Retention run stopped at its deadline; the next run goes on',
      summary,
    );
    return summary;
  };
}

export const handler = atColdStart('retention', createHandler);
