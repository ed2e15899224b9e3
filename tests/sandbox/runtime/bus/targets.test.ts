import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { jest } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { loadStageConfig } from '../../../../config/stages.js';
import {
  InvocationTimeoutError,
  lambdaFunctionTarget,
} from '../../../../sandbox/bus/lambda-function-target.js';
import type { DeliveryContext } from '../../../../sandbox/bus/local-event-bus.js';
import type { BusEvent } from '../../../../sandbox/bus/put-events-entry.js';
import { type QueuedEvent, sqsQueueTarget } from '../../../../sandbox/bus/sqs-queue-target.js';
import { routesFor } from '../../../../src/routing/routes.js';

const QUEUE_URL = 'http://127.0.0.1:4011/000000000000/batch-requests.fifo';
const DELIVERY: DeliveryContext = {
  ruleName: 'batch-type-1',
  ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/batch-requests/batch-type-1',
  ingestionTime: new Date('2026-03-01T00:00:00Z'),
};

function event(id: string, detail: Record<string, unknown>): BusEvent {
  return {
    version: '0',
    id,
    'detail-type': 'BatchRequested',
    source: 'local.monolith',
    account: '000000000000',
    time: `2026-03-01T00:00:0${id.length % 10}Z`,
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

describe('sqsQueueTarget', () => {
  const route = routesFor(loadStageConfig('local'))[0]!;
  const sqs = mockClient(SQSClient);

  beforeEach(() => {
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  });

  it("sends the route's input-transformed body with its group and no deduplication id", async () => {
    // Arrange
    const queued: QueuedEvent[] = [];
    const target = sqsQueueTarget({
      client: new SQSClient({}),
      queueUrl: QUEUE_URL,
      messageGroupId: route.messageGroupId,
      inputTransformer: { inputPathsMap: route.inputPathsMap, inputTemplate: route.inputTemplate },
      onQueued: (entry) => queued.push(entry),
    });
    const detail = { batchTypeId: 1, requestId: 'r-1', parameters: { a: 1 } };

    // Act
    await target.deliver(event('e-1', detail), DELIVERY);

    // Assert
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: QUEUE_URL,
      MessageBody: '{"version":1,"detail":{"batchTypeId":1,"requestId":"r-1","parameters":{"a":1}}}',
      MessageGroupId: 'batch-1',
    });
    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageDeduplicationId).toBeUndefined();
    expect(target.id).toBe('sqs:batch-requests.fifo');
    expect(queued).toEqual([
      expect.objectContaining({ messageId: 'm-1', messageGroupId: 'batch-1', ruleName: 'batch-type-1' }),
    ]);
  });

  it('sends byte-identical bodies for two events of one request (other id and time)', async () => {
    // Arrange
    const target = sqsQueueTarget({
      client: new SQSClient({}),
      queueUrl: QUEUE_URL,
      messageGroupId: route.messageGroupId,
      inputTransformer: { inputPathsMap: route.inputPathsMap, inputTemplate: route.inputTemplate },
    });
    const detail = { batchTypeId: 1, requestId: 'r-2' };

    // Act
    await target.deliver(event('first', detail), DELIVERY);
    await target.deliver(event('second-event', detail), DELIVERY);

    // Assert
    const bodies = sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input.MessageBody);
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toBe(bodies[1]);
  });

  it('fails the delivery when SendMessage fails', async () => {
    // Arrange
    sqs.on(SendMessageCommand).rejects(new Error('queue unavailable'));
    const target = sqsQueueTarget({
      client: new SQSClient({}),
      queueUrl: QUEUE_URL,
      messageGroupId: 'batch-1',
      inputTransformer: { inputTemplate: '{}' },
    });

    // Act / Assert
    await expect(target.deliver(event('e', {}), DELIVERY)).rejects.toThrow('queue unavailable');
  });
});

describe('lambdaFunctionTarget', () => {
  const options = { functionName: 'track-task', region: 'us-east-1', accountId: '000000000000' } as const;

  it('invokes the handler with the event and a Lambda context, and reports its result', async () => {
    // Arrange
    const calls: { event: unknown; context: Context }[] = [];
    const results: unknown[] = [];
    const target = lambdaFunctionTarget({
      ...options,
      timeoutMs: 30_000,
      handler: async (received: never, context: Context) => {
        calls.push({ event: received, context });
        return { action: 'recorded' };
      },
      onInvoked: (_event, result) => results.push(result),
    });
    const input = event('e-1', { lastStatus: 'RUNNING' });

    // Act
    await target.deliver(input, DELIVERY);

    // Assert
    expect(calls).toHaveLength(1);
    expect(calls[0]?.event).toBe(input);
    expect(calls[0]?.context).toMatchObject({
      functionName: 'track-task',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:track-task',
    });
    expect(calls[0]?.context.getRemainingTimeInMillis()).toBeLessThanOrEqual(30_000);
    expect(results).toEqual([{ action: 'recorded' }]);
    expect(target.id).toBe('lambda:track-task');
  });

  it('fails the delivery when the handler throws', async () => {
    // Arrange
    const target = lambdaFunctionTarget({
      ...options,
      timeoutMs: 30_000,
      handler: async () => {
        throw new Error('DynamoDB unavailable');
      },
    });

    // Act / Assert
    await expect(target.deliver(event('e', {}), DELIVERY)).rejects.toThrow('DynamoDB unavailable');
  });

  it('fails the delivery when the handler outlives its timeout', async () => {
    // Arrange
    jest.useFakeTimers();
    const target = lambdaFunctionTarget({
      ...options,
      timeoutMs: 1_000,
      handler: () => new Promise(() => undefined),
    });

    // Act
    const delivery = target.deliver(event('e', {}), DELIVERY);
    jest.advanceTimersByTime(1_000);

    // Assert
    await expect(delivery).rejects.toThrow(InvocationTimeoutError);
    jest.useRealTimers();
  });
});
