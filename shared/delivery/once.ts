import {
  IdempotencyAlreadyInProgressError,
  type IdempotencyConfig,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeliveryInProgressError } from './process.ts';

/**
 * "At most once per key" for the send step, with Powertools idempotency: the first call runs and its answer is
 * stored; a repeat (a redelivered message after a crash between sending and recording) gets the stored answer
 * without sending again; a repeat while the first is still running is told to come back later.
 */
export function createOnce(dynamo: DynamoDBClient, tableName: string, config: IdempotencyConfig) {
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: dynamo });
  const sendOnce = makeIdempotent(async (_key: string, send: () => Promise<unknown>) => send(), {
    persistenceStore,
    config,
    dataIndexArgument: 0,
  });
  return async <T>(key: string, send: () => Promise<T>): Promise<T> => {
    try {
      return (await sendOnce(key, send)) as T;
    } catch (error) {
      if (error instanceof IdempotencyAlreadyInProgressError) throw new DeliveryInProgressError();
      throw error;
    }
  };
}
