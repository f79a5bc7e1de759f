import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AwsConfig, clientOptions } from './config.ts';

export interface DynamoDbClients {
  /** The document client (plain JavaScript values) */
  dynamo: DynamoDBDocumentClient;
  /** The low-level client beneath it (Powertools idempotency) */
  dynamoClient: DynamoDBClient;
}

/**
 * The DynamoDB clients of one function, made once per cold start by its handler. One module per service, so that
 * a function bundles only the clients it uses.
 */
export function createDynamoDb(aws: AwsConfig): DynamoDbClients {
  const dynamoClient = new DynamoDBClient(clientOptions(aws, 'dynamodb'));
  const dynamo = DynamoDBDocumentClient.from(dynamoClient, { marshallOptions: { removeUndefinedValues: true } });
  return { dynamo, dynamoClient };
}
