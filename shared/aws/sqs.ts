import { SQSClient } from '@aws-sdk/client-sqs';

/** The SQS client, created once per cold start. The endpoint of a local emulator comes from AWS_ENDPOINT_URL_SQS. */
let client: SQSClient | undefined;

export function sqsClient(): SQSClient {
  client ??= new SQSClient({});
  return client;
}
