import { S3Client } from '@aws-sdk/client-s3';
import { type AwsConfig, clientOptions } from './config.ts';

/** The S3 client of one function, made once per cold start by its handler. */
export function createS3(aws: AwsConfig): S3Client {
  return new S3Client({ ...clientOptions(aws, 's3'), ...(aws.s3ForcePathStyle ? { forcePathStyle: true } : {}) });
}
