import { RunTaskCommand } from '@aws-sdk/client-ecs';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { jest } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { IdempotentLaunch } from '../../src/launcher/idempotent-launch.js';
import { clientTokenFor } from '../../src/launcher/run-task-input.js';
import {
  buildLauncher,
  HELLO,
  RecordingLifecycle,
  startIdempotencyStore,
  taskArnFor,
} from '../helpers/launch-batch-fixture.js';
import {
  DLQ_URL,
  lambdaContext,
  QUEUE_URL,
  queuedBody,
  sqsEvent,
  sqsRecord,
} from '../helpers/sqs-records.js';

let store: Awaited<ReturnType<typeof startIdempotencyStore>>;
beforeAll(async () => {
  store = await startIdempotencyStore();
});
afterAll(async () => {
  await store.stop();
});

let counter = 0;
/** A fresh requestId per test, so the shared idempotency table never links two tests. */
const rid = (label: string) => `${label}-${++counter}-${Date.now()}`;

function invoke(launcher: ReturnType<typeof buildLauncher>, records: ReturnType<typeof sqsRecord>[]) {
  return launcher.handler(sqsEvent(records), lambdaContext());
}

const throttling = () =>
  Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client' });

describe('launch-batch handler', () => {
  it('launches every record with the exact RunTask input when all succeed', async () => {
    // Arrange
    const launcher = buildLauncher(store);
    const requestId = rid('all-ok');
    const record = sqsRecord({
      body: queuedBody({
        batchTypeId: 1,
        requestId,
        traceId: 'trace-abc',
        parameters: { exitCode: 0, day: '2026-12-04' },
      }),
      group: 'batch-1',
    });
    const other = sqsRecord({
      body: queuedBody({ batchTypeId: 2, requestId: rid('other') }),
      group: 'batch-2',
    });

    // Act
    const response = await invoke(launcher, [record, other]);

    // Assert
    expect(response).toEqual({ batchItemFailures: [] });
    expect(launcher.ecs).toHaveReceivedCommandTimes(RunTaskCommand, 2);
    expect(launcher.ecs).toHaveReceivedNthSpecificCommandWith(1, RunTaskCommand, {
      cluster: 'local',
      taskDefinition: 'hello',
      count: 1,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-00000000'],
          securityGroups: ['sg-00000000'],
          assignPublicIp: 'DISABLED',
        },
      },
      overrides: {
        containerOverrides: [
          {
            name: 'app',
            command: ['hello'],
            environment: [
              { name: 'GREETING', value: HELLO.environment.GREETING },
              { name: 'TRACE_ID', value: 'trace-abc' },
              { name: 'BATCH_TYPE_ID', value: '1' },
              { name: 'BATCH_REQUEST_ID', value: requestId },
              { name: 'BATCH_PARAMETERS', value: '{"exitCode":0,"day":"2026-12-04"}' },
            ],
          },
        ],
      },
      startedBy: `batch-launcher/${requestId}`,
      clientToken: clientTokenFor(1, requestId),
      tags: [
        { key: 'batch-launcher:batch-type', value: 'hello' },
        { key: 'batch-launcher:batch-type-id', value: '1' },
        { key: 'batch-launcher:request-id', value: requestId },
        { key: 'batch-launcher:trace-id', value: 'trace-abc' },
      ],
      enableECSManagedTags: true,
    });
    expect(launcher.sqs).not.toHaveReceivedCommand(SendMessageCommand);
    expect(launcher.lifecycle.calls.map((c) => c.kind)).toEqual(['launched', 'launched']);
  });

  it('uses the SQS message id as request key and trace id when the event has neither', async () => {
    const launcher = buildLauncher(store);
    const record = sqsRecord({ body: queuedBody({ batchTypeId: 1 }), messageId: `msg-${rid('m')}` });

    await invoke(launcher, [record]);

    const input = launcher.ecs.commandCalls(RunTaskCommand)[0]?.args[0].input;
    expect(input?.startedBy).toBe(`batch-launcher/${record.messageId}`);
    expect(input?.overrides?.containerOverrides?.[0]?.environment).toEqual([
      { name: 'GREETING', value: HELLO.environment.GREETING },
      { name: 'TRACE_ID', value: record.messageId },
      { name: 'BATCH_TYPE_ID', value: '1' },
      { name: 'BATCH_REQUEST_ID', value: record.messageId },
    ]);
  });

  it('short-circuits the rest of a group after a transient failure and launches the other groups', async () => {
    // Arrange: a2 is throttled; a3 comes after it in group A; group B is independent.
    const launcher = buildLauncher(store);
    const [a1, a2, a3] = ['a1', 'a2', 'a3'].map((id) =>
      sqsRecord({
        body: queuedBody({ batchTypeId: 1, requestId: rid(id) }),
        group: 'batch-1',
        receiveCount: 2,
      }),
    ) as [ReturnType<typeof sqsRecord>, ReturnType<typeof sqsRecord>, ReturnType<typeof sqsRecord>];
    const [b1, b2] = ['b1', 'b2'].map((id) =>
      sqsRecord({ body: queuedBody({ batchTypeId: 2, requestId: rid(id) }), group: 'batch-2' }),
    ) as [ReturnType<typeof sqsRecord>, ReturnType<typeof sqsRecord>];
    const a2Token = clientTokenFor(1, JSON.parse(a2.body).detail.requestId);
    launcher.ecs.on(RunTaskCommand, { clientToken: a2Token }).rejects(throttling());

    // Act: interleaved, as SQS may deliver them.
    const response = await invoke(launcher, [a1, b1, a2, b2, a3]);

    // Assert
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: a2.messageId }, { itemIdentifier: a3.messageId }],
    });
    const launchedTokens = launcher.ecs.commandCalls(RunTaskCommand).map((c) => c.args[0].input.clientToken);
    expect(launchedTokens).not.toContain(clientTokenFor(1, JSON.parse(a3.body).detail.requestId));
    expect(launchedTokens).toHaveLength(4); // a1, b1, a2 (throttled), b2
    expect(launcher.sqs).toHaveReceivedCommandTimes(ChangeMessageVisibilityCommand, 1);
    expect(launcher.sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, {
      QueueUrl: QUEUE_URL,
      ReceiptHandle: a2.receiptHandle,
      VisibilityTimeout: 30, // receive count 2 → 15 s × 2, jitter pinned at 100 %
    });
    // a3 waits behind a2 (SQS FIFO holds the group while a2 is in flight), not for the queue's visibility timeout.
    expect(launcher.sqs).toHaveReceivedCommandTimes(ChangeMessageVisibilityBatchCommand, 1);
    expect(launcher.sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityBatchCommand, {
      QueueUrl: QUEUE_URL,
      Entries: [{ Id: '0', ReceiptHandle: a3.receiptHandle, VisibilityTimeout: 0 }],
    });
  });

  it('still reports skipped records failed when making them visible again fails', async () => {
    const launcher = buildLauncher(store);
    launcher.ecs.on(RunTaskCommand).rejects(throttling());
    launcher.sqs.on(ChangeMessageVisibilityBatchCommand).rejects(new Error('service unavailable'));
    const first = sqsRecord({ body: queuedBody({ batchTypeId: 1, requestId: rid('head') }) });
    const second = sqsRecord({ body: queuedBody({ batchTypeId: 1, requestId: rid('behind') }) });

    const response = await invoke(launcher, [first, second]);

    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: first.messageId }, { itemIdentifier: second.messageId }],
    });
  });

  it('moves a permanent failure to the DLQ with its reason at once and launches the rest of its group', async () => {
    const launcher = buildLauncher(store);
    const unknown = sqsRecord({
      body: queuedBody({ batchTypeId: 99, requestId: 'unknown-type-1' }),
      group: 'unrouted',
    });
    const bad = sqsRecord({
      body: queuedBody({ batchTypeId: 1, requestId: rid('bad'), parameter: { x: 1 } }),
      group: 'batch-1',
    });
    const good = sqsRecord({
      body: queuedBody({ batchTypeId: 1, requestId: rid('good') }),
      group: 'batch-1',
    });

    const response = await invoke(launcher, [unknown, bad, good]);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(launcher.ecs).toHaveReceivedCommandTimes(RunTaskCommand, 1);
    expect(launcher.sqs).toHaveReceivedCommandTimes(SendMessageCommand, 2);
    expect(launcher.sqs).toHaveReceivedNthSpecificCommandWith(1, SendMessageCommand, {
      QueueUrl: DLQ_URL,
      MessageBody: unknown.body,
      MessageGroupId: 'unrouted',
      MessageDeduplicationId: unknown.messageId,
      MessageAttributes: {
        errorCode: { DataType: 'String', StringValue: 'UnknownBatchType' },
        errorMessage: {
          DataType: 'String',
          StringValue: "detail.batchTypeId 99 is not in this stage's batch catalog; known ids: 1, 2",
        },
        failedAt: { DataType: 'String', StringValue: '2026-12-04T12:00:00.000Z' },
        sourceMessageId: { DataType: 'String', StringValue: unknown.messageId },
        batchTypeId: { DataType: 'Number', StringValue: '99' },
        requestId: { DataType: 'String', StringValue: 'unknown-type-1' },
      },
    });
    const schemaViolation = launcher.sqs.commandCalls(SendMessageCommand)[1]?.args[0].input;
    expect(schemaViolation?.MessageGroupId).toBe('batch-1');
    expect(schemaViolation?.MessageAttributes?.errorCode?.StringValue).toBe('SchemaViolation');
    expect(schemaViolation?.MessageAttributes?.errorMessage?.StringValue).toBe(
      'BatchRequested detail violates contract v1: detail: Unrecognized key: "parameter"',
    );
    expect(launcher.lifecycle.calls.map((c) => [c.kind, c.entry.errorCode])).toEqual([
      ['rejected', 'UnknownBatchType'],
      ['rejected', 'SchemaViolation'],
      ['launched', undefined],
    ]);
  });

  it('rejects malformed JSON into the DLQ as InvalidJson', async () => {
    const launcher = buildLauncher(store);
    const record = sqsRecord({ body: '{"version":1,"detail":', group: 'unrouted' });

    const response = await invoke(launcher, [record]);

    expect(response.batchItemFailures).toEqual([]);
    const sent = launcher.sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(sent?.MessageBody).toBe(record.body);
    expect(sent?.MessageAttributes?.errorCode?.StringValue).toBe('InvalidJson');
    expect(sent?.MessageAttributes?.errorMessage?.StringValue).toMatch(
      /^message body is not JSON \(.+\); expected/,
    );
    expect(sent?.MessageAttributes?.batchTypeId).toBeUndefined();
  });

  it('rejects a body that is not a queued request envelope', async () => {
    const launcher = buildLauncher(store);
    const record = sqsRecord({ body: '{"batchTypeId":1}', group: 'batch-1' });

    await invoke(launcher, [record]);

    const sent = launcher.sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(sent?.MessageAttributes?.errorCode?.StringValue).toBe('SchemaViolation');
    expect(sent?.MessageAttributes?.errorMessage?.StringValue).toContain('body.version');
  });

  it('rejects oversize overrides before calling ECS', async () => {
    const launcher = buildLauncher(store);
    const record = sqsRecord({
      body: queuedBody({ batchTypeId: 1, requestId: rid('big'), parameters: 'x'.repeat(9000) }),
    });

    const response = await invoke(launcher, [record]);

    expect(response.batchItemFailures).toEqual([]);
    expect(launcher.ecs).not.toHaveReceivedCommand(RunTaskCommand);
    const sent = launcher.sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(sent?.MessageAttributes?.errorCode?.StringValue).toBe('OverridesTooLarge');
    expect(sent?.MessageAttributes?.errorMessage?.StringValue).toMatch(
      /^task overrides are \d+ characters, ECS accepts at most 8192; BATCH_PARAMETERS is 9000 characters/,
    );
  });

  it('treats failures[] with no task as a transient failure, never a success', async () => {
    const launcher = buildLauncher(store);
    launcher.ecs.on(RunTaskCommand).resolves({
      tasks: [],
      failures: [{ arn: 'arn:aws:ecs:::container-instance/x', reason: 'RESOURCE:MEMORY' }],
    });
    const record = sqsRecord({ body: queuedBody({ batchTypeId: 1, requestId: rid('mem') }) });

    const response = await invoke(launcher, [record]);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    expect(launcher.sqs).not.toHaveReceivedCommand(SendMessageCommand);
    expect(launcher.lifecycle.calls).toEqual([]);
  });

  it('retries ECS throttling with a backoff that grows with the receive count', async () => {
    const launcher = buildLauncher(store);
    launcher.ecs.on(RunTaskCommand).rejects(throttling());
    const record = sqsRecord({
      body: queuedBody({ batchTypeId: 1, requestId: rid('thr') }),
      receiveCount: 4,
    });

    const response = await invoke(launcher, [record]);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    expect(launcher.sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, {
      VisibilityTimeout: 120,
    });
  });

  it.each([
    ['InvalidParameterException', 'InvalidParameterException'],
    ['ClientException', 'ClientException'],
    ['AccessDeniedException', 'AccessDeniedException'],
    ['ConflictException', 'ConflictException'],
  ])('rejects ECS %s as permanent', async (name, code) => {
    const launcher = buildLauncher(store);
    launcher.ecs.on(RunTaskCommand).rejects(Object.assign(new Error('refused'), { name }));
    const record = sqsRecord({ body: queuedBody({ batchTypeId: 1, requestId: rid(name) }) });

    const response = await invoke(launcher, [record]);

    expect(response.batchItemFailures).toEqual([]);
    const sent = launcher.sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(sent?.MessageAttributes?.errorCode?.StringValue).toBe(code);
    expect(sent?.MessageAttributes?.errorMessage?.StringValue).toContain(
      `ecs:RunTask failed with ${name}: refused`,
    );
  });

  it('reports the record failed, never lost, when the DLQ send itself fails', async () => {
    const launcher = buildLauncher(store);
    launcher.sqs
      .on(SendMessageCommand)
      .rejects(Object.assign(new Error('KMS key disabled'), { name: 'KmsDisabled' }));
    const record = sqsRecord({ body: queuedBody({ batchTypeId: 42 }) });
    const next = sqsRecord({ body: queuedBody({ batchTypeId: 1, requestId: rid('after-dlq') }) });

    const response = await invoke(launcher, [record, next]);

    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: record.messageId }, { itemIdentifier: next.messageId }],
    });
    expect(launcher.ecs).not.toHaveReceivedCommand(RunTaskCommand);
    expect(launcher.sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, {
      ReceiptHandle: record.receiptHandle,
    });
    expect(launcher.lifecycle.calls).toEqual([]);
  });

  it('still reports a transient failure when raising the visibility fails', async () => {
    const launcher = buildLauncher(store);
    launcher.ecs.on(RunTaskCommand).rejects(throttling());
    launcher.sqs.on(ChangeMessageVisibilityCommand).rejects(new Error('receipt handle expired'));
    const record = sqsRecord({ body: queuedBody({ batchTypeId: 1, requestId: rid('vis') }) });

    const response = await invoke(launcher, [record]);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
  });

  it('retries an unexpected error (a bug) as transient with code Unexpected, never acknowledging it', async () => {
    const launcher = buildLauncher(store);
    jest.spyOn(IdempotentLaunch.prototype, 'run').mockRejectedValueOnce(new TypeError('x is not a function'));
    const record = sqsRecord({ body: queuedBody({ batchTypeId: 1, requestId: rid('bug') }) });

    const response = await invoke(launcher, [record]);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    expect(launcher.sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, {
      ReceiptHandle: record.receiptHandle,
    });
    expect(launcher.sqs).not.toHaveReceivedCommand(SendMessageCommand);
  });

  it('acknowledges a launch even when the lifecycle record cannot be written', async () => {
    const launcher = buildLauncher(store);
    jest.spyOn(RecordingLifecycle.prototype, 'launched').mockRejectedValueOnce(new Error('table throttled'));
    const record = sqsRecord({ body: queuedBody({ batchTypeId: 1, requestId: rid('lc') }) });

    const response = await invoke(launcher, [record]);

    expect(response.batchItemFailures).toEqual([]);
    expect(launcher.ecs).toHaveReceivedCommandTimes(RunTaskCommand, 1);
  });

  it('acknowledges a second delivery of a launched request as a duplicate without RunTask', async () => {
    const launcher = buildLauncher(store);
    const requestId = rid('dup');
    const first = sqsRecord({ body: queuedBody({ batchTypeId: 1, requestId }) });
    const again = sqsRecord({ body: queuedBody({ batchTypeId: 1, requestId }) });

    const response = await invoke(launcher, [first, again]);

    expect(response.batchItemFailures).toEqual([]);
    expect(launcher.ecs).toHaveReceivedCommandTimes(RunTaskCommand, 1);
    expect(launcher.lifecycle.calls.map((c) => c.kind)).toEqual(['launched']);
  });

  it('rejects a reused requestId with other parameters as RequestIdReused', async () => {
    const launcher = buildLauncher(store);
    const requestId = rid('reuse');
    await invoke(launcher, [
      sqsRecord({ body: queuedBody({ batchTypeId: 1, requestId, parameters: { a: 1 } }) }),
    ]);
    const later = sqsRecord({ body: queuedBody({ batchTypeId: 1, requestId, parameters: { a: 2 } }) });

    const response = await invoke(launcher, [later]);

    expect(response.batchItemFailures).toEqual([]);
    expect(launcher.ecs).toHaveReceivedCommandTimes(RunTaskCommand, 1);
    const sent = launcher.sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(sent?.MessageAttributes?.errorCode?.StringValue).toBe('RequestIdReused');
  });

  it('treats a record without a message group as its own group', async () => {
    const launcher = buildLauncher(store);
    launcher.ecs
      .on(RunTaskCommand)
      .rejectsOnce(throttling())
      .callsFake(async (input) => ({ tasks: [{ taskArn: taskArnFor(input) }] }));
    const a = sqsRecord({ body: queuedBody({ batchTypeId: 1, requestId: rid('std-a') }) });
    const b = sqsRecord({ body: queuedBody({ batchTypeId: 1, requestId: rid('std-b') }) });
    delete a.attributes.MessageGroupId;
    delete b.attributes.MessageGroupId;

    const response = await invoke(launcher, [a, b]);

    expect(response.batchItemFailures).toHaveLength(1);
    expect(launcher.ecs).toHaveReceivedCommandTimes(RunTaskCommand, 2);
  });
});
