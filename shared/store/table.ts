import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * One table holds submissions, their deliveries and the provider's idempotency keys (single-table design):
 *   pk = SUB#<trackingId>      sk = SUBMISSION | DELIVERY#<targetId>
 *   pk = RECEIPT#<provider>#<submissionId>   sk = RECEIPT
 * with two indexes over the deliveries: byMunicipalityStatus (the admin's lists) and byProviderUpdated (the
 * provider's feed); see shared/store/dynamodb/keys.ts.
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
      { AttributeName: 'gsi1pk', AttributeType: 'S' },
      { AttributeName: 'gsi1sk', AttributeType: 'S' },
      { AttributeName: 'gsi2pk', AttributeType: 'S' },
      { AttributeName: 'gsi2sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: TABLE_KEY.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_KEY.sortKey, KeyType: 'RANGE' },
    ],
    // Deliveries by municipality and status (gsi1pk = ADMIN#<kommunenummer>#<status>, gsi1sk = <changedAt>#<id>):
    // the admin's list of FAILED deliveries reads those deliveries only, never the whole table.
    GlobalSecondaryIndexes: [
      {
        IndexName: 'byMunicipalityStatus',
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      // Deliveries by provider and last change (gsi2pk = PROVIDER#<providerId>, gsi2sk = <changedAt>#<id>): the
      // provider's feed of changed submissions reads that provider's entries only. Keys only: the feed reads
      // each submission's partition for the current state anyway.
      {
        IndexName: 'byProviderUpdated',
        KeySchema: [
          { AttributeName: 'gsi2pk', KeyType: 'HASH' },
          { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['trackingId', 'updatedAt'] },
      },
    ],
  };
}

/** The table Powertools idempotency keeps its records in: its own, so TTL and hot keys stay out of the main one. */
export function idempotencyTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  };
}

/** Idempotency records expire through DynamoDB TTL on this attribute. */
export const IDEMPOTENCY_TTL_ATTRIBUTE = 'expiration';

/**
 * The main table's one TTL attribute (epoch seconds; a table has only one): the console's sessions and sign-ins,
 * and search entries whose personal data is due for removal, are deleted by DynamoDB once it has passed.
 */
export const TABLE_TTL_ATTRIBUTE = 'ttl';
