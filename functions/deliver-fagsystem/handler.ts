import { deliveryConsumer } from '../../shared/delivery/delivery-consumer.ts';
import { deliverToFagsystem } from '../../shared/delivery/fagsystem-delivery.ts';
import { atColdStart } from '../../shared/runtime/cold-start.ts';
import type { FunctionEnv } from '../../shared/runtime/env.ts';

/** SQS: one specialist system's queue → its payload to the system. */
export function createHandler(env: FunctionEnv<'deliver-fagsystem'>) {
  return deliveryConsumer(deliverToFagsystem, env);
}

export const handler = atColdStart('deliver-fagsystem', createHandler);
