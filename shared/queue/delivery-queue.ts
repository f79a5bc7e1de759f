import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** What travels on a target's queue: just enough to find the delivery; the rest is read from the store. */
export interface DeliveryMessage {
  trackingId: string;
  targetId: string;
  /** Which manual retry this message belongs to (0 for the first round); part of the idempotency key. */
  round?: number;
  /** A status notification about this delivery, for the provider's webhook (not the delivery itself) */
  kind?: 'notification';
}

export function parseDeliveryMessage(body: string): DeliveryMessage {
  const message = JSON.parse(body) as Partial<DeliveryMessage>;
  if (typeof message.trackingId !== 'string' || typeof message.targetId !== 'string') {
    throw new Error('Not a delivery message');
  }
  return {
    trackingId: message.trackingId,
    targetId: message.targetId,
    ...(typeof message.round === 'number' ? { round: message.round } : {}),
    ...(message.kind === 'notification' ? { kind: 'notification' as const } : {}),
  };
}

/** Sends delivery messages, grouped per target queue in batches of ten (SQS's limit). */
export class DeliveryQueue {
  private readonly sqs: SQSClient;
  private readonly queueUrls: Record<string, string>;

  constructor(sqs: SQSClient, queueUrls: Record<string, string>) {
    this.sqs = sqs;
    this.queueUrls = queueUrls;
  }

  async send(messages: DeliveryMessage[]): Promise<void> {
    const byTarget = Map.groupBy(messages, (m) => m.targetId);
    await Promise.all(
      [...byTarget].map(async ([targetId, batch]) => {
        const QueueUrl = this.queueUrls[targetId];
        if (!QueueUrl) throw new Error(`No queue for target ${targetId}`);
        for (let i = 0; i < batch.length; i += 10) {
          const entries = batch.slice(i, i + 10).map((m, j) => ({ Id: String(j), MessageBody: JSON.stringify(m) }));
          const result = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }));
          if (result.Failed && result.Failed.length > 0) {
            throw new Error(`SQS refused ${result.Failed.length} delivery message(s) for ${targetId}`);
          }
        }
      }),
    );
  }
}
