import { deliverToArchive } from '../../shared/delivery/archive-delivery.ts';
import { deliveryConsumer } from '../../shared/delivery/delivery-consumer.ts';

/** SQS: one archive target's queue → arkivmelding to the archive. */
export const handler = deliveryConsumer('deliver-archive', deliverToArchive);
