import { deliveryConsumer } from '../../shared/delivery/delivery-consumer.ts';
import { deliverToFagsystem } from '../../shared/delivery/fagsystem-delivery.ts';

/** SQS: one specialist system's queue → its payload to the system. */
export const handler = deliveryConsumer('deliver-fagsystem', deliverToFagsystem);
