import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  IDEMPOTENCY_TTL_ATTRIBUTE,
  idempotencyTableDefinition,
  TABLE_TTL_ATTRIBUTE,
  tableDefinition,
} from '../../shared/store/table.ts';
import { UPLOAD_KEEP_DAYS, UPLOAD_PREFIX } from '../../shared/uploads/uploads.ts';
import type { ResolvedAws } from './settings.ts';

/** Everything the DocumentStore writes lives under this prefix (submissions/<trackingId>/…). */
export const DOCUMENTS_PREFIX = 'submissions/';

export interface StorageProps {
  key: kms.IKey;
  documents: ResolvedAws['documents'];
}

/**
 * The hub's state: the table of submissions and deliveries, the idempotency table, and the bucket of
 * originals and documents. All encrypted with the stack's key, recoverable, and kept when the stack goes.
 */
export class Storage extends Construct {
  readonly table: dynamodb.TableV2;
  readonly idempotencyTable: dynamodb.TableV2;
  readonly documents: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    // Key schema and indexes from the same definitions the local runner creates its tables with.
    // The console's sessions and sign-ins, and search entries whose personal data is due for removal
    // (shared/store/dynamodb/personal-data.ts), carry the table's TTL attribute: DynamoDB deletes them once expired,
    // even if no retention run gets to them.
    this.table = new dynamodb.TableV2(this, 'Table', {
      ...tablePropsFrom(tableDefinition('unused'), props.key),
      timeToLiveAttribute: TABLE_TTL_ATTRIBUTE,
    });
    this.idempotencyTable = new dynamodb.TableV2(this, 'IdempotencyTable', {
      ...tablePropsFrom(idempotencyTableDefinition('unused'), props.key),
      timeToLiveAttribute: IDEMPOTENCY_TTL_ATTRIBUTE,
    });

    // S3 server access logs cannot go to a KMS-encrypted bucket; they hold request metadata, no contents.
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const { expireAfterDays, noncurrentVersionsExpireAfterDays } = props.documents;
    this.documents = new s3.Bucket(this, 'Documents', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'documents/',
      lifecycleRules: [
        {
          id: 'documents',
          // A deleted or replaced original stays recoverable this long, then it is gone for good.
          noncurrentVersionExpiration: Duration.days(noncurrentVersionsExpireAfterDays),
          expiredObjectDeleteMarker: expireAfterDays === undefined,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
          ...(expireAfterDays ? { expiration: Duration.days(expireAfterDays) } : {}),
        },
        {
          // Providers' uploads (POST /v1/uploads): receive copies a referenced one into the submission's own
          // documents, so an upload is never needed after a day; one nobody referenced goes then too.
          id: 'uploads',
          prefix: UPLOAD_PREFIX,
          expiration: Duration.days(UPLOAD_KEEP_DAYS),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}

/** A CreateTable input (the local runner's) as TableV2 properties: keys, attribute types, indexes. */
export function tablePropsFrom(definition: CreateTableCommandInput, key: kms.IKey): dynamodb.TablePropsV2 {
  const types = new Map(definition.AttributeDefinitions?.map((a) => [a.AttributeName, a.AttributeType]));
  const attribute = (name: string | undefined): dynamodb.Attribute => {
    const type = name ? types.get(name) : undefined;
    if (!name || !type) throw new Error(`Table ${definition.TableName}: no attribute definition for ${name}`);
    const attributeType = {
      S: dynamodb.AttributeType.STRING,
      N: dynamodb.AttributeType.NUMBER,
      B: dynamodb.AttributeType.BINARY,
    }[type];
    return { name, type: attributeType };
  };
  const keys = (schema: CreateTableCommandInput['KeySchema']) => {
    const hash = schema?.find((k) => k.KeyType === 'HASH')?.AttributeName;
    const range = schema?.find((k) => k.KeyType === 'RANGE')?.AttributeName;
    return { partitionKey: attribute(hash), ...(range ? { sortKey: attribute(range) } : {}) };
  };
  return {
    ...keys(definition.KeySchema),
    billing: dynamodb.Billing.onDemand(),
    encryption: dynamodb.TableEncryptionV2.customerManagedKey(key),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    globalSecondaryIndexes: (definition.GlobalSecondaryIndexes ?? []).map((index) => {
      const projection = index.Projection?.ProjectionType ?? 'ALL';
      return {
        indexName: index.IndexName ?? '',
        ...keys(index.KeySchema),
        projectionType: dynamodb.ProjectionType[projection as keyof typeof dynamodb.ProjectionType],
        ...(projection === 'INCLUDE' ? { nonKeyAttributes: index.Projection?.NonKeyAttributes ?? [] } : {}),
      };
    }),
  };
}
