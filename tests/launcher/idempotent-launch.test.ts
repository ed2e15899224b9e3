import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RunTaskCommand, type RunTaskCommandInput } from '@aws-sdk/client-ecs';
import type { Context } from 'aws-lambda';
import { ErrorCode, PermanentLaunchError, TransientLaunchError } from '../../src/launcher/errors.js';
import { IdempotentLaunch } from '../../src/launcher/idempotent-launch.js';
import { buildLauncher, startIdempotencyStore, taskArnFor } from '../helpers/launch-batch-fixture.js';
import { lambdaContext, queuedBody, sqsEvent, sqsRecord } from '../helpers/sqs-records.js';

let store: Awaited<ReturnType<typeof startIdempotencyStore>>;
beforeAll(async () => {
  store = await startIdempotencyStore();
});
afterAll(async () => {
  await store.stop();
});

let n = 0;
const rid = (label: string) => `${label}-${++n}-${Date.now()}`;

/** ECS as it behaves for clientToken: a repeat returns the original task, never a second one. */
function ecsWithClientTokens(launcher: ReturnType<typeof buildLauncher>) {
  const tasks = new Map<string, string>();
  launcher.ecs.on(RunTaskCommand).callsFake(async (input: RunTaskCommandInput) => {
    const token = input.clientToken ?? 'none';
    if (!tasks.has(token)) tasks.set(token, `${taskArnFor(input)}-${tasks.size}`);
    return { tasks: [{ taskArn: tasks.get(token) }] };
  });
  return tasks;
}

const invoke = (
  launcher: ReturnType<typeof buildLauncher>,
  record: ReturnType<typeof sqsRecord>,
  context = lambdaContext(),
) => launcher.handler(sqsEvent([record]), context);

describe('exactly one task per request', () => {
  it('launches once for the same request arriving as 3 different SQS messages', async () => {
    const launcher = buildLauncher(store);
    const body = queuedBody({ batchTypeId: 1, requestId: rid('three') });

    for (let i = 0; i < 3; i++) {
      // A monolith retry after the 5-minute dedup window: a new message each time.
      await expect(invoke(launcher, sqsRecord({ body }))).resolves.toEqual({ batchItemFailures: [] });
    }

    expect(launcher.ecs.commandCalls(RunTaskCommand)).toHaveLength(1);
    expect(launcher.lifecycle.calls.map((c) => c.kind)).toEqual(['launched']);
  });

  it('does not launch again when the function died after RunTask but before the acknowledgement', async () => {
    const launcher = buildLauncher(store);
    const record = sqsRecord({ body: queuedBody({ batchTypeId: 1, requestId: rid('ack') }) });
    await invoke(launcher, record); // RunTask done, idempotency record saved; the ack is lost

    const redelivery = { ...record, attributes: { ...record.attributes, ApproximateReceiveCount: '2' } };
    const response = await invoke(buildLauncher(store), redelivery); // a fresh process

    expect(response.batchItemFailures).toEqual([]);
    expect(launcher.ecs.commandCalls(RunTaskCommand)).toHaveLength(1);
  });

  it('gets the original task back through clientToken when the function died before saving the launch', async () => {
    // Arrange: the first process hangs inside RunTask with almost no time left, leaving an in-progress record.
    const first = buildLauncher(store);
    const tasks = ecsWithClientTokens(first);
    const requestId = rid('mid');
    const body = queuedBody({ batchTypeId: 1, requestId });
    let releaseHungCall: () => void = () => undefined;
    first.ecs.on(RunTaskCommand).callsFakeOnce(async (input: RunTaskCommandInput) => {
      tasks.set(input.clientToken ?? '', `${taskArnFor(input)}-original`);
      await new Promise<void>((resolve) => {
        releaseHungCall = resolve;
      });
      return { tasks: [{ taskArn: tasks.get(input.clientToken ?? '') }] };
    });
    const dying: Context = { ...lambdaContext(), getRemainingTimeInMillis: () => 5 };
    void invoke(first, sqsRecord({ body }), dying);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the process is gone; its in-progress record expired

    // Act: SQS redelivers to a new process.
    const second = buildLauncher(store);
    second.ecs.on(RunTaskCommand).callsFake(async (input: RunTaskCommandInput) => ({
      tasks: [{ taskArn: tasks.get(input.clientToken ?? '') ?? 'a-second-task' }],
    }));
    const response = await invoke(second, sqsRecord({ body }));

    // Assert: RunTask was called again, with the same clientToken, and ECS answered the original task.
    expect(response.batchItemFailures).toEqual([]);
    const calls = [...first.ecs.commandCalls(RunTaskCommand), ...second.ecs.commandCalls(RunTaskCommand)];
    expect(new Set(calls.map((c) => c.args[0].input.clientToken)).size).toBe(1);
    expect(second.lifecycle.calls[0]?.entry.taskArn).toMatch(/-original$/);
    releaseHungCall();
  });

  it('releases the in-progress record when RunTask is throttled, and the retry launches exactly once', async () => {
    const launcher = buildLauncher(store);
    const body = queuedBody({ batchTypeId: 1, requestId: rid('throttle') });
    launcher.ecs
      .on(RunTaskCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .callsFake(async (input: RunTaskCommandInput) => ({ tasks: [{ taskArn: taskArnFor(input) }] }));
    const record = sqsRecord({ body });

    const first = await invoke(launcher, record);
    const retry = await invoke(launcher, {
      ...record,
      attributes: { ...record.attributes, ApproximateReceiveCount: '2' },
    });
    const again = await invoke(launcher, sqsRecord({ body }));

    expect(first.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(retry.batchItemFailures).toEqual([]);
    expect(again.batchItemFailures).toEqual([]);
    expect(launcher.ecs.commandCalls(RunTaskCommand)).toHaveLength(2); // throttled + one launch
    expect(launcher.lifecycle.calls.map((c) => c.kind)).toEqual(['launched']);
  });
});

describe('IdempotentLaunch', () => {
  it('refuses a concurrent launch of the same key as transient LaunchInProgress', async () => {
    const launchOnce = new IdempotentLaunch({
      tableName: store.table,
      expiresAfterSeconds: 60,
      client: store.client,
    });
    const key = rid('same');
    let finish: () => void = () => undefined;
    const slow = launchOnce.run({ key, fingerprint: 'f' }, async () => {
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
      return { taskArn: 'arn:task/2' };
    });
    await new Promise((resolve) => setTimeout(resolve, 30));

    const concurrent = launchOnce.run({ key, fingerprint: 'f' }, async () => ({ taskArn: 'never' }));

    await expect(concurrent).rejects.toThrow(TransientLaunchError);
    await expect(concurrent).rejects.toMatchObject({ code: ErrorCode.LaunchInProgress });
    finish();
    await expect(slow).resolves.toMatchObject({ duplicate: false });
    await expect(
      launchOnce.run({ key, fingerprint: 'f' }, async () => ({ taskArn: 'never' })),
    ).resolves.toEqual({
      task: { taskArn: 'arn:task/2' },
      duplicate: true,
    });
  });

  it('refuses the same key with another fingerprint as permanent RequestIdReused', async () => {
    const launchOnce = new IdempotentLaunch({
      tableName: store.table,
      expiresAfterSeconds: 60,
      client: store.client,
    });
    const key = rid('fp');
    await launchOnce.run({ key, fingerprint: 'a' }, async () => ({ taskArn: 'arn:task/3' }));

    const reuse = launchOnce.run({ key, fingerprint: 'b' }, async () => ({ taskArn: 'never' }));

    await expect(reuse).rejects.toThrow(PermanentLaunchError);
    await expect(reuse).rejects.toMatchObject({ code: ErrorCode.RequestIdReused });
  });

  it('reports an unreachable store as transient IdempotencyStoreUnavailable', async () => {
    const unreachable = new DynamoDBClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    const launchOnce = new IdempotentLaunch({
      tableName: store.table,
      expiresAfterSeconds: 60,
      client: unreachable,
    });
    let launched = false;

    const run = launchOnce.run({ key: rid('down'), fingerprint: 'f' }, async () => {
      launched = true;
      return { taskArn: 'x' };
    });

    await expect(run).rejects.toMatchObject({ code: ErrorCode.IdempotencyStoreUnavailable });
    expect(launched).toBe(false);
  });
});
