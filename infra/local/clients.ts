import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';

/** Credentials the emulators accept (they never check them). Never real ones: nothing local may reach AWS. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export interface LocalEndpoints {
  region: string;
  dynamoDbEndpoint: string;
  /** fauxqs serves SQS and S3 on one port */
  sqsEndpoint: string;
  s3Endpoint: string;
}

export interface LocalClients {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  s3: S3Client;
  destroy(): void;
}

/**
 * SDK clients for the runner itself (provisioning, queue pollers). Created once and reused. The SQS client
 * gets a large socket pool: every poller holds a long poll open, and deletes must not queue behind them.
 */
export function createLocalClients(endpoints: LocalEndpoints, options: { maxSockets?: number } = {}): LocalClients {
  const common = { region: endpoints.region, credentials: LOCAL_CREDENTIALS };
  const requestHandler = { httpAgent: { keepAlive: true, maxSockets: options.maxSockets ?? 256 } };
  const dynamodb = new DynamoDBClient({ ...common, endpoint: endpoints.dynamoDbEndpoint, requestHandler });
  const sqs = new SQSClient({ ...common, endpoint: endpoints.sqsEndpoint, requestHandler });
  const s3 = new S3Client({ ...common, endpoint: endpoints.s3Endpoint, forcePathStyle: true, requestHandler });
  return {
    dynamodb,
    sqs,
    s3,
    destroy() {
      dynamodb.destroy();
      sqs.destroy();
      s3.destroy();
    },
  };
}
