import { deliverToArchive } from '../../shared/delivery/archive-delivery.ts';
import { deliveryConsumer } from '../../shared/delivery/delivery-consumer.ts';
import { atColdStart } from '../../shared/runtime/cold-start.ts';
import type { FunctionEnv } from '../../shared/runtime/env.ts';

/** SQS: one archive target's queue → arkivmelding to the archive. */
export function createHandler(env: FunctionEnv<'deliver-archive'>) {
  return deliveryConsumer(deliverToArchive, env);
}

export const handler = atColdStart('deliver-archive', createHandler);
