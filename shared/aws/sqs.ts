import { SQSClient } from '@aws-sdk/client-sqs';
import { type AwsConfig, clientOptions } from './config.ts';

/** The SQS client of one function, made once per cold start by its handler. */
export function createSqs(aws: AwsConfig): SQSClient {
  return new SQSClient(clientOptions(aws, 'sqs'));
}
