import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { jest } from '@jest/globals';
import type { Context, SQSEvent } from 'aws-lambda';
import {
  type BatchOutcome,
  SqsPoller,
  type SqsPollerOptions,
} from '../../../../sandbox/poller/sqs-poller.js';
import { type LocalSqs, QueueName, startLocalSqs } from '../../../../sandbox/sqs/local-sqs.js';

jest.setTimeout(20_000);

/**
 * The poller against a real FIFO queue (fauxqs) with the stack's redrive policy
 * (maxReceiveCount 3) and a 1 s visibility timeout.
 */
describe('SqsPoller', () => {
  let sqs: LocalSqs;
  let poller: SqsPoller | undefined;

  beforeEach(async () => {
    sqs = await startLocalSqs({
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      visibilityTimeoutSeconds: 1,
      maxReceiveCount: 3,
    });
  });

  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
    await sqs.stop();
  });

  async function send(body: string, group: string, attributes = {}): Promise<string> {
    const sent = await sqs.client.send(
      new SendMessageCommand({
        QueueUrl: sqs.queueUrl,
        MessageBody: body,
        MessageGroupId: group,
        MessageAttributes: attributes,
      }),
    );
    return sent.MessageId ?? '';
  }

  /** A poller whose batches are collected; `handler` decides each batch's answer. */
  function startPoller(
    handler: SqsPollerOptions['handler'],
    options: Partial<SqsPollerOptions> = {},
  ): { outcomes: BatchOutcome[]; errors: string[] } {
    const outcomes: BatchOutcome[] = [];
    const errors: string[] = [];
    poller = new SqsPoller({
      client: sqs.client,
      queueUrl: sqs.queueUrl,
      queueArn: sqs.queueArn,
      region: 'us-east-1',
      accountId: '000000000000',
      functionName: 'launch-batch',
      handler,
      timeoutMs: 30_000,
      waitTimeSeconds: 1,
      onBatch: (outcome) => {
        outcomes.push(outcome);
      },
      onError: (error, phase) => errors.push(`${phase}: ${String(error)}`),
      ...options,
    });
    poller.start();
    return { outcomes, errors };
  }

  async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`Gave up waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('hands the function an SQSEvent shaped as Lambda builds it, and a Lambda context', async () => {
    // Arrange
    const events: SQSEvent[] = [];
    const contexts: Context[] = [];
    const messageId = await send('{"n":1}', 'batch-1', {
      errorCode: { DataType: 'String', StringValue: 'X' },
    });

    // Act
    const { outcomes } = startPoller(async (event, context) => {
      events.push(event);
      contexts.push(context);
      return { batchItemFailures: [] };
    });
    await until('one batch', () => outcomes.length === 1);

    // Assert
    expect(events[0]?.Records).toEqual([
      {
        messageId,
        receiptHandle: expect.any(String),
        body: '{"n":1}',
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: expect.stringMatching(/^\d+$/),
          SenderId: expect.any(String),
          ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d+$/),
          MessageGroupId: 'batch-1',
          MessageDeduplicationId: expect.any(String),
          SequenceNumber: expect.stringMatching(/^\d+$/),
        },
        messageAttributes: {
          errorCode: { stringValue: 'X', stringListValues: [], binaryListValues: [], dataType: 'String' },
        },
        md5OfBody: expect.stringMatching(/^[0-9a-f]{32}$/),
        md5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/),
        eventSource: 'aws:sqs',
        eventSourceARN: sqs.queueArn,
        awsRegion: 'us-east-1',
      },
    ]);
    expect(contexts[0]?.functionName).toBe('launch-batch');
    expect(contexts[0]?.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(contexts[0]?.getRemainingTimeInMillis()).toBeLessThanOrEqual(30_000);
  });

  it('deletes the records not in batchItemFailures and leaves the failed one for redelivery', async () => {
    // Arrange
    const ok = await send('ok', 'group-a');
    const failing = await send('fails once', 'group-b');
    const receiveCounts: string[] = [];
    let failed = false;

    // Act
    const { outcomes } = startPoller(async (event) => {
      const failures = [];
      for (const record of event.Records) {
        if (record.messageId === failing) {
          receiveCounts.push(record.attributes.ApproximateReceiveCount);
          if (!failed) {
            failed = true;
            failures.push({ itemIdentifier: record.messageId });
          }
        }
      }
      return { batchItemFailures: failures };
    });
    await until('the failed record to come back and succeed', () => receiveCounts.length === 2);
    await until('its deletion', () =>
      outcomes.some((outcome) => outcome.deletedMessageIds.includes(failing)),
    );

    // Assert
    expect(receiveCounts).toEqual(['1', '2']);
    expect(outcomes.flatMap((outcome) => outcome.deletedMessageIds).sort()).toEqual([ok, failing].sort());
    expect(outcomes.flatMap((outcome) => outcome.retriedMessageIds)).toEqual([failing]);
    expect(poller?.stats).toMatchObject({ deleted: 2, retried: 1, failedBatches: 0 });
  });

  it('deletes nothing when the function throws, so SQS redrives the batch after maxReceiveCount', async () => {
    // Arrange
    const messageId = await send('poison', 'group-a');

    // Act
    const { outcomes } = startPoller(async () => {
      throw new Error('boom');
    });
    await until('the message in the DLQ', async () => (await sqs.peek(QueueName.DeadLetter)).length === 1);

    // Assert
    expect(outcomes.map((outcome) => outcome.deletedMessageIds)).toEqual([[], [], []]);
    expect(outcomes.every((outcome) => String(outcome.batchError).includes('boom'))).toBe(true);
    expect((await sqs.peek(QueueName.DeadLetter))[0]).toMatchObject({
      messageId,
      approximateReceiveCount: 4,
    });
  });

  it('retries the whole batch when batchItemFailures names a message that is not in it', async () => {
    // Arrange
    await send('a', 'group-a');

    // Act
    const { outcomes } = startPoller(async () => ({
      batchItemFailures: [{ itemIdentifier: 'not-a-message' }],
    }));
    await until('one batch', () => outcomes.length >= 1);

    // Assert
    expect(outcomes[0]?.deletedMessageIds).toEqual([]);
    expect(String(outcomes[0]?.batchError)).toContain('not-a-message');
  });

  it('retries the whole batch when the function outlives its timeout', async () => {
    // Arrange
    await send('slow', 'group-a');

    // Act
    const { outcomes } = startPoller(() => new Promise(() => undefined), { timeoutMs: 200 });
    await until('one batch', () => outcomes.length >= 1);

    // Assert
    expect(outcomes[0]?.deletedMessageIds).toEqual([]);
    expect(String(outcomes[0]?.batchError)).toContain('timed out after 200 ms');
  });

  it('finishes the batch in flight on stop, then receives nothing more until started again', async () => {
    // Arrange
    let release: () => void = () => undefined;
    const handled: string[] = [];
    const { outcomes } = startPoller(async (event) => {
      handled.push(...event.Records.map((record) => record.body));
      if (handled.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return { batchItemFailures: [] };
    });
    await send('first', 'group-a');
    await until('the first batch to be in flight', () => handled.length === 1);

    // Act
    const stopping = poller!.stop();
    await send('second', 'group-b');
    release();
    await stopping;
    const whileStopped = handled.length;
    poller!.start();
    await until('the second message after the restart', () => handled.includes('second'));

    // Assert
    expect(whileStopped).toBe(1);
    expect(outcomes[0]?.deletedMessageIds).toHaveLength(1);
    expect(poller!.running).toBe(true);
  });

  it('keeps polling after a failed receive', async () => {
    // Arrange
    const errors: string[] = [];
    poller = new SqsPoller({
      client: sqs.client,
      queueUrl: `${sqs.endpoint}/000000000000/missing.fifo`,
      queueArn: 'arn:aws:sqs:us-east-1:000000000000:missing.fifo',
      region: 'us-east-1',
      accountId: '000000000000',
      functionName: 'launch-batch',
      handler: async () => ({ batchItemFailures: [] }),
      timeoutMs: 1_000,
      errorBackoffMs: 20,
      onError: (error, phase) => errors.push(`${phase}: ${(error as Error).name}`),
    });

    // Act
    poller.start();
    await until('two failed receives', () => errors.length >= 2);

    // Assert
    expect(errors[0]).toMatch(/^receive: /);
    expect(poller.running).toBe(true);
  });

  it.each([
    [{ batchSize: 11 }, 'batchSize'],
    [{ waitTimeSeconds: 21 }, 'waitTimeSeconds'],
    [{ concurrency: 0 }, 'concurrency'],
  ])('refuses %j', (options, name) => {
    // Act
    const create = () =>
      new SqsPoller({
        client: sqs.client,
        queueUrl: sqs.queueUrl,
        queueArn: sqs.queueArn,
        region: 'us-east-1',
        accountId: '000000000000',
        functionName: 'f',
        handler: async () => undefined,
        timeoutMs: 1,
        ...options,
      });

    // Assert
    expect(create).toThrow(name);
  });
});
