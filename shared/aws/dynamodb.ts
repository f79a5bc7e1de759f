import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The DynamoDB client, created once per cold start. One module per service, so that a function bundles only
 * the clients it uses. Endpoints for local emulators come from the SDK's own AWS_ENDPOINT_URL_DYNAMODB, so this
 * code is the same on AWS and locally.
 */
let clients: { dynamo: DynamoDBDocumentClient; dynamoClient: DynamoDBClient } | undefined;

/** The document client (plain JavaScript values), and the low-level client beneath it (Powertools idempotency). */
export function dynamoDb() {
  if (!clients) {
    const dynamoClient = new DynamoDBClient({});
    const dynamo = DynamoDBDocumentClient.from(dynamoClient, { marshallOptions: { removeUndefinedValues: true } });
    clients = { dynamo, dynamoClient };
  }
  return clients;
}
