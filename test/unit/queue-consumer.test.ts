import type { Context, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { queueConsumer } from '../../shared/delivery/consumer.ts';

const context = {
  functionName: 'deliver-archive',
  awsRequestId: 'test-request',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

const event = (id: string): SQSEvent => ({
  Records: [
    {
      messageId: id,
      receiptHandle: `handle-${id}`,
      body: JSON.stringify({ trackingId: `t-${id}`, targetId: 'halden-arkiv' }),
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-north-1:000000000000:skjemaflyt-halden-arkiv',
      awsRegion: 'eu-north-1',
    } as SQSEvent['Records'][number],
  ],
});

describe('a queue consumer', () => {
  it('does not keep a failed start: the message fails back to the queue, and the next one starts again', async () => {
    let starts = 0;
    const handled: string[] = [];
    const handler = queueConsumer('test', {
      deps: async () => {
        starts++;
        if (starts === 1) throw new Error('DynamoDB not reachable yet');
        return { ready: true };
      },
      handle: async (message, _control, deps) => {
        if (deps.ready) handled.push(message.trackingId);
      },
    });

    // Every record of the batch failed: Powertools fails the whole invocation, and the queue hands it out again.
    await expect(handler(event('1'), context)).rejects.toThrow(/All records failed/);
    const second = await handler(event('2'), context);
    expect(second.batchItemFailures).toEqual([]);
    const third = await handler(event('3'), context);
    expect(third.batchItemFailures).toEqual([]);
    expect(handled).toEqual(['t-2', 't-3']);
    expect(starts).toBe(2);
  });
});
