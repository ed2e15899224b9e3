import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { jest } from '@jest/globals';
import { type LocalSqs, QueueName, startLocalSqs } from '../../../../sandbox/sqs/local-sqs.js';

jest.setTimeout(15_000);

describe('startLocalSqs', () => {
  let sqs: LocalSqs;

  beforeAll(async () => {
    sqs = await startLocalSqs({
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      visibilityTimeoutSeconds: 180,
      maxReceiveCount: 3,
      maxVisibilityTimeoutSeconds: 1,
    });
  });

  afterAll(async () => {
    await sqs.stop();
  });

  async function attributes(queueUrl: string) {
    const answer = await sqs.client.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }),
    );
    return answer.Attributes ?? {};
  }

  it('listens on loopback and hands out loopback queue URLs', () => {
    expect(sqs.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sqs.queueUrl).toBe(`${sqs.endpoint}/000000000000/batch-requests.fifo`);
    expect(sqs.dlqUrl).toBe(`${sqs.endpoint}/000000000000/batch-requests-dlq.fifo`);
    expect(sqs.queueArn).toBe('arn:aws:sqs:us-east-1:000000000000:batch-requests.fifo');
  });

  it('creates the requests queue as the stack does: FIFO, content-based dedup, visibility, redrive', async () => {
    // Act
    const queue = await attributes(sqs.queueUrl);

    // Assert
    expect(queue).toMatchObject({
      FifoQueue: 'true',
      ContentBasedDeduplication: 'true',
      VisibilityTimeout: '180',
      MessageRetentionPeriod: String(14 * 86_400),
    });
    expect(JSON.parse(queue.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: sqs.dlqArn,
      maxReceiveCount: 3,
    });
  });

  it('creates the DLQ as a FIFO queue keeping messages 14 days', async () => {
    expect(await attributes(sqs.dlqUrl)).toMatchObject({
      FifoQueue: 'true',
      MessageRetentionPeriod: String(14 * 86_400),
    });
  });

  it('collapses two sends of one body in one group into one message', async () => {
    // Act
    const send = () =>
      sqs.client.send(
        new SendMessageCommand({
          QueueUrl: sqs.queueUrl,
          MessageBody: '{"same":true}',
          MessageGroupId: 'dedup',
        }),
      );
    const [first, second] = [await send(), await send()];

    // Assert
    expect(second.MessageId).toBe(first.MessageId);
    expect(
      (await sqs.peek(QueueName.Requests)).filter((message) => message.body === '{"same":true}'),
    ).toHaveLength(1);
  });

  it('caps a visibility timeout asked for, and peeks without receiving', async () => {
    // Arrange
    await sqs.client.send(
      new SendMessageCommand({ QueueUrl: sqs.queueUrl, MessageBody: 'capped', MessageGroupId: 'cap' }),
    );
    const receive = () =>
      sqs.client.send(
        new ReceiveMessageCommand({
          QueueUrl: sqs.queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 3,
          AttributeNames: ['All'],
        }),
      );
    const first = (await receive()).Messages?.find((message) => message.Body === 'capped');

    // Act
    await sqs.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: sqs.queueUrl,
        ReceiptHandle: first?.ReceiptHandle,
        VisibilityTimeout: 900,
      }),
    );
    const peeked = (await sqs.peek(QueueName.Requests)).find((message) => message.body === 'capped');
    let again = (await receive()).Messages?.find((message) => message.Body === 'capped');
    again ??= (await receive()).Messages?.find((message) => message.Body === 'capped');

    // Assert: back after about 1 s, not 900 s; peeking counted no receive.
    expect(peeked).toMatchObject({ state: 'inflight', approximateReceiveCount: 1, messageGroupId: 'cap' });
    expect(again?.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it('refuses to inspect a queue that does not exist', async () => {
    await expect(sqs.peek('nope.fifo')).rejects.toThrow('Cannot inspect queue "nope.fifo"');
  });
});
