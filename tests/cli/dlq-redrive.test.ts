import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type GetQueueAttributesCommandInput,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { batchctl, clientsFor, targetWith } from './support/cli-harness.js';
import { DLQ_ARN, DLQ_URL, deadLetter, QUEUE_ARN, QUEUE_URL, serviceError } from './support/dead-letters.js';

/**
 * The SQS calls of a redrive, scripted: depths before and after, one receive
 * answering `messages` then an empty one (the walk's end).
 */
function scriptedSqs(options: { messages: Message[]; depthBefore: number; depthAfter: number }) {
  const clients = clientsFor('us-east-1');
  const sqs = mockClient(clients.sqs);
  sqs.on(GetQueueUrlCommand, { QueueName: 'batch-requests.fifo' }).resolves({ QueueUrl: QUEUE_URL });
  sqs.on(GetQueueUrlCommand, { QueueName: 'batch-requests-dlq.fifo' }).resolves({ QueueUrl: DLQ_URL });
  let depthReads = 0;
  sqs.on(GetQueueAttributesCommand).callsFake((input: GetQueueAttributesCommandInput) => {
    if (input.AttributeNames?.includes('QueueArn')) {
      return { Attributes: { QueueArn: input.QueueUrl === DLQ_URL ? DLQ_ARN : QUEUE_ARN } };
    }
    depthReads += 1;
    // 1st read: before; 2nd: the walk's end (nothing left visible); 3rd: after.
    const visible = depthReads === 1 ? options.depthBefore : depthReads === 2 ? 0 : options.depthAfter;
    return {
      Attributes: {
        ApproximateNumberOfMessages: String(visible),
        ApproximateNumberOfMessagesNotVisible: '0',
        ApproximateNumberOfMessagesDelayed: '0',
      },
    };
  });
  sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: options.messages }).resolves({ Messages: [] });
  sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
  sqs.on(DeleteMessageCommand).resolves({});
  return { sqs, target: targetWith({ clients: () => clients }) };
}

const unknownType = (id: string, requestId: string) =>
  deadLetter({
    id,
    group: 'unrouted',
    detail: { batchTypeId: 99, requestId },
    errorCode: 'UnknownBatchType',
  });

describe('batchctl dlq redrive', () => {
  it('starts an SQS move task to the requests queue and follows it to COMPLETED without a filter', async () => {
    // Arrange
    const { sqs, target } = scriptedSqs({ messages: [], depthBefore: 4, depthAfter: 0 });
    sqs
      .on(ListMessageMoveTasksCommand)
      .resolvesOnce({ Results: [] })
      .resolvesOnce({
        Results: [
          { Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 1, ApproximateNumberOfMessagesToMove: 4 },
        ],
      })
      .resolves({
        Results: [
          { Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 4, ApproximateNumberOfMessagesToMove: 4 },
        ],
      });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });

    // Act
    const run = await batchctl(['dlq', 'redrive', '--json'], { target });

    // Assert
    expect(run.exitCode).toBe(0);
    expect(sqs).toHaveReceivedCommandWith(StartMessageMoveTaskCommand, {
      SourceArn: DLQ_ARN,
      DestinationArn: QUEUE_ARN,
    });
    expect(sqs).not.toHaveReceivedCommand(ReceiveMessageCommand);
    expect(run.json()).toMatchObject({
      mode: 'move-task',
      taskHandle: 'task-1',
      before: 4,
      after: 0,
      moved: 4,
    });
    expect(run.stderr).toContain('move task [########################] 4/4 COMPLETED');
  });

  it('refuses to start a second move task while one is running', async () => {
    const { sqs, target } = scriptedSqs({ messages: [], depthBefore: 4, depthAfter: 4 });
    sqs.on(ListMessageMoveTasksCommand).resolves({
      Results: [
        {
          Status: 'RUNNING',
          TaskHandle: 'running-1',
          ApproximateNumberOfMessagesMoved: 1,
          ApproximateNumberOfMessagesToMove: 9,
        },
      ],
    });

    const run = await batchctl(['dlq', 'redrive'], { target });

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('--task-handle running-1');
    expect(sqs).not.toHaveReceivedCommand(StartMessageMoveTaskCommand);
  });

  it('reports a move task that FAILED with its reason (exit 1)', async () => {
    const { sqs, target } = scriptedSqs({ messages: [], depthBefore: 2, depthAfter: 1 });
    sqs
      .on(ListMessageMoveTasksCommand)
      .resolvesOnce({ Results: [] })
      .resolves({
        Results: [{ Status: 'FAILED', ApproximateNumberOfMessagesMoved: 1, FailureReason: 'AccessDenied' }],
      });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-2' });

    const run = await batchctl(['dlq', 'redrive'], { target });

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('The move task ended FAILED after moving 1 message(s): AccessDenied');
  });

  it('falls back to moving one by one, and says so, when the endpoint has no move tasks', async () => {
    // Arrange: fauxqs answers unknown actions with InvalidAction.
    const { sqs, target } = scriptedSqs({
      messages: [unknownType('m-1', 'r-1'), unknownType('m-2', 'r-2')],
      depthBefore: 2,
      depthAfter: 0,
    });
    sqs
      .on(ListMessageMoveTasksCommand)
      .rejects(serviceError('InvalidAction', 'Unknown action: ListMessageMoveTasks'));
    sqs.on(SendMessageCommand).resolves({ MessageId: 'new' });

    // Act
    const run = await batchctl(['dlq', 'redrive', '--json'], { target });

    // Assert
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain('SQS move tasks are unavailable on this endpoint (InvalidAction');
    expect(run.stderr).toContain('moving messages one by one instead');
    expect(sqs).not.toHaveReceivedCommand(StartMessageMoveTaskCommand);
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 2);
    expect(run.json()).toMatchObject({
      mode: 'one-by-one',
      reason: 'move-task-unavailable',
      moved: 2,
      before: 2,
      after: 0,
    });
  });

  it('keeps the message group, gives a fresh deduplication id, and deletes only after the send', async () => {
    const message = deadLetter({
      id: 'm-1',
      group: 'batch-1',
      detail: { batchTypeId: 1, requestId: 'r-1' },
      errorCode: 'EcsNoTask',
    });
    const { sqs, target } = scriptedSqs({ messages: [message], depthBefore: 1, depthAfter: 0 });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'new' });

    const run = await batchctl(['dlq', 'redrive', '--filter', 'type=1'], { target });

    expect(run.exitCode).toBe(0);
    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: QUEUE_URL,
      MessageBody: message.Body,
      MessageGroupId: 'batch-1',
      MessageDeduplicationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(sqs).toHaveReceivedCommandWith(DeleteMessageCommand, {
      QueueUrl: DLQ_URL,
      ReceiptHandle: 'receipt-m-1',
    });
    const [send] = sqs.commandCalls(SendMessageCommand);
    const [remove] = sqs.commandCalls(DeleteMessageCommand);
    expect(send!.calledBefore(remove!)).toBe(true);
  });

  it('leaves a message whose send failed in the DLQ, moves the others, and exits 1', async () => {
    // Arrange: three matching messages; the second send fails.
    const { sqs, target } = scriptedSqs({
      messages: [unknownType('m-1', 'r-1'), unknownType('m-2', 'r-2'), unknownType('m-3', 'r-3')],
      depthBefore: 3,
      depthAfter: 1,
    });
    sqs
      .on(SendMessageCommand)
      .resolvesOnce({ MessageId: 'new-1' })
      .rejectsOnce(serviceError('RequestThrottled', 'slow down'))
      .resolves({ MessageId: 'new-3' });

    // Act
    const run = await batchctl(['dlq', 'redrive', '--filter', 'errorCode=UnknownBatchType', '--json'], {
      target,
    });

    // Assert
    expect(run.exitCode).toBe(1);
    const deleted = sqs.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input.ReceiptHandle);
    expect(deleted).toEqual(['receipt-m-1', 'receipt-m-3']);
    expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityBatchCommand, {
      QueueUrl: DLQ_URL,
      Entries: [{ Id: '0', ReceiptHandle: 'receipt-m-2', VisibilityTimeout: 0 }],
    });
    const result = run.json<{
      moved: number;
      failed: number;
      failedMessages: { messageId: string; reason: string }[];
    }>();
    expect(result).toMatchObject({ ok: false, exitCode: 1, moved: 2, failed: 1 });
    expect(result.failedMessages).toEqual([
      expect.objectContaining({
        messageId: 'm-2',
        reason: expect.stringContaining('not sent, left in the DLQ (RequestThrottled: slow down)'),
      }),
    ]);
  });

  it('does not move again a message it moved that the launcher rejected while the redrive ran', async () => {
    // Arrange: the second receive brings back m-1's rejection, whose sourceMessageId is the id SendMessage gave it.
    const { sqs, target } = scriptedSqs({
      messages: [unknownType('m-1', 'r-1')],
      depthBefore: 1,
      depthAfter: 1,
    });
    const rejectedAgain = {
      ...unknownType('m-1-again', 'r-1'),
      MessageAttributes: {
        ...unknownType('m-1-again', 'r-1').MessageAttributes,
        sourceMessageId: { DataType: 'String', StringValue: 'queued-1' },
      },
    };
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [unknownType('m-1', 'r-1')] })
      .resolvesOnce({ Messages: [rejectedAgain] })
      .resolves({ Messages: [] });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'queued-1' });

    // Act
    const run = await batchctl(['dlq', 'redrive', '--filter', 'errorCode=UnknownBatchType', '--json'], {
      target,
    });

    // Assert
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
    expect(run.json()).toMatchObject({
      moved: 1,
      cameBack: 1,
      cameBackMessages: [{ messageId: 'm-1-again' }],
    });
    expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityBatchCommand, {
      Entries: [{ Id: '0', ReceiptHandle: 'receipt-m-1-again', VisibilityTimeout: 0 }],
    });
  });

  it('counts a message sent but not deleted as failed, warning against a second redrive', async () => {
    const { sqs, target } = scriptedSqs({
      messages: [unknownType('m-1', 'r-1')],
      depthBefore: 1,
      depthAfter: 1,
    });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'new-1' });
    sqs.on(DeleteMessageCommand).rejects(serviceError('ReceiptHandleIsInvalid', 'expired'));

    const run = await batchctl(['dlq', 'redrive', '--filter', 'errorCode=UnknownBatchType'], { target });

    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('sent to batch-requests.fifo but still in the DLQ');
  });

  it('changes nothing with --dry-run and lists what would move', async () => {
    const { sqs, target } = scriptedSqs({
      messages: [
        unknownType('m-1', 'r-1'),
        deadLetter({ id: 'm-2', group: 'batch-1', detail: { batchTypeId: 1 }, errorCode: 'SchemaViolation' }),
      ],
      depthBefore: 2,
      depthAfter: 2,
    });

    const run = await batchctl(['dlq', 'redrive', '--dry-run', '--filter', 'errorCode=UnknownBatchType'], {
      target,
    });

    expect(run.exitCode).toBe(0);
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageCommand);
    expect(run.stdout).toMatch(/would move:\s+1/);
    expect(run.stdout).toMatch(/skipped:\s+1/);
    expect(run.stdout).toContain('m-1');
  });

  it('stops at --max', async () => {
    const { sqs, target } = scriptedSqs({
      messages: [unknownType('m-1', 'r-1'), unknownType('m-2', 'r-2'), unknownType('m-3', 'r-3')],
      depthBefore: 3,
      depthAfter: 2,
    });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'new' });

    const run = await batchctl(['dlq', 'redrive', '--max', '1', '--json'], { target });

    expect(run.json()).toMatchObject({ reason: 'max', moved: 1 });
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
  });

  it('exits 3 when no message matches the filter', async () => {
    const { target } = scriptedSqs({ messages: [unknownType('m-1', 'r-1')], depthBefore: 1, depthAfter: 1 });

    const run = await batchctl(['dlq', 'redrive', '--filter', 'errorCode=EcsNoTask'], { target });

    expect(run.exitCode).toBe(3);
    expect(run.stdout).toContain('No DLQ message matched errorCode=EcsNoTask');
  });

  it('exits 3 on an empty DLQ without receiving anything', async () => {
    const { sqs, target } = scriptedSqs({ messages: [], depthBefore: 0, depthAfter: 0 });

    const run = await batchctl(['dlq', 'redrive', '--filter', 'type=1'], { target });

    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('The DLQ batch-requests-dlq.fifo is empty: nothing to redrive.');
    expect(sqs).not.toHaveReceivedCommand(ReceiveMessageCommand);
  });

  it.each([['errorcode=X'], ['type=abc'], ['nope']])(
    'is a usage error (exit 2) for --filter %s',
    async (filter) => {
      const { target } = scriptedSqs({ messages: [], depthBefore: 1, depthAfter: 1 });

      const run = await batchctl(['dlq', 'redrive', '--filter', filter], { target });

      expect(run.exitCode).toBe(2);
    },
  );
});
