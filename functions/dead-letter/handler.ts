import { queueConsumer } from '../../shared/delivery/consumer.ts';
import { markDeadLettered } from '../../shared/delivery/dead-letter.ts';

/** SQS: every target's dead-letter queue → the delivery is FAILED, for a person to act on. */
export const handler = queueConsumer('dead-letter', markDeadLettered);
