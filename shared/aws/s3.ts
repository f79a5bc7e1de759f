import { S3Client } from '@aws-sdk/client-s3';
import { readEnv } from '../runtime/env.ts';

/**
 * The S3 client, created once per cold start. The endpoint of a local emulator comes from the SDK's own
 * AWS_ENDPOINT_URL_S3; path-style addressing from SKJEMAFLYT_S3_FORCE_PATH_STYLE.
 */
let client: S3Client | undefined;

export function s3Client(): S3Client {
  client ??= new S3Client({ forcePathStyle: readEnv().s3ForcePathStyle });
  return client;
}
