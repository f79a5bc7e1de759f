import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * One table holds submissions, their deliveries and the provider's idempotency keys (single-table design):
 *   pk = SUB#<trackingId>      sk = SUBMISSION | DELIVERY#<targetId>
 *   pk = RECEIPT#<provider>#<submissionId>   sk = RECEIPT
 * Shared by the local runner and the CDK stack so both create the same thing.
 */
export const TABLE_KEY = { partitionKey: 'pk', sortKey: 'sk' } as const;

export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: TABLE_KEY.partitionKey, AttributeType: 'S' },
      { AttributeName: TABLE_KEY.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: TABLE_KEY.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_KEY.sortKey, KeyType: 'RANGE' },
    ],
  };
}
