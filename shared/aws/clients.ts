import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readEnv } from '../runtime/env.ts';

/**
 * SDK clients, created once per cold start. Endpoints for local emulators come from the SDK's own
 * AWS_ENDPOINT_URL_<SERVICE> variables, so this code is the same on AWS and locally.
 */
let clients: { dynamo: DynamoDBDocumentClient; dynamoClient: DynamoDBClient; s3: S3Client; sqs: SQSClient } | undefined;

export function awsClients() {
  if (!clients) {
    const dynamoClient = new DynamoDBClient({});
    const dynamo = DynamoDBDocumentClient.from(dynamoClient, { marshallOptions: { removeUndefinedValues: true } });
    clients = {
      dynamo,
      dynamoClient,
      s3: new S3Client({ forcePathStyle: readEnv().s3ForcePathStyle }),
      sqs: new SQSClient({}),
    };
  }
  return clients;
}
