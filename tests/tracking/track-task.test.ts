import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { loadStageConfig } from '../../config/stages.js';
import { LifecycleStoreError } from '../../src/lifecycle/errors.js';
import { LifecycleTable } from '../../src/lifecycle/lifecycle-table.js';
import { ResultPublishError, TaskStateChangeError } from '../../src/tracking/errors.js';
import { createTrackTask } from '../../src/tracking/track-task.js';
import { createLifecycleTable, type LocalDynamoDb, startDynalite } from '../helpers/dynalite.js';
import { STARTED_AT, STOPPED_AT, type TaskEventOptions, taskArnOf, taskStateChange } from './ecs-events.js';

const CATALOG = loadStageConfig('local').catalog;
const BUS = 'batch-requests';
const NOW = new Date('2026-12-04T10:05:02.000Z');
const TASK_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const TASK = taskArnOf(TASK_ID);

const events = mockClient(EventBridgeClient);
const ACCEPTED = { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] };
let dynamo: LocalDynamoDb;
let tables = 0;
let lifecycle: LifecycleTable;
let logger: Logger;
let metrics: Metrics;
let trackTask: ReturnType<typeof createTrackTask>;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});
beforeEach(async () => {
  events.reset();
  events.on(PutEventsCommand).resolves(ACCEPTED);
  const tableName = `lifecycle-${++tables}`;
  await createLifecycleTable(dynamo.client, tableName);
  logger = new Logger({ serviceName: 'track-task', logLevel: 'SILENT' });
  metrics = new Metrics({ namespace: 'Test', serviceName: 'track-task' });
  lifecycle = new LifecycleTable({ client: dynamo.client, tableName, ttlDays: 90, now: () => NOW, logger });
  trackTask = createTrackTask({
    lifecycle,
    events: new EventBridgeClient({}),
    eventBusName: BUS,
    catalog: CATALOG,
    logger,
    metrics,
    now: () => NOW,
  });
});

const running = (options: TaskEventOptions = {}) => taskStateChange({ taskId: TASK_ID, ...options });
const stopped = (options: TaskEventOptions = {}) =>
  taskStateChange({ taskId: TASK_ID, lastStatus: 'STOPPED', ...options });

/** The exact PutEvents input for the default request's result. */
function putEventsInput(detailType: 'BatchSucceeded' | 'BatchFailed', result: Record<string, unknown>) {
  return {
    Entries: [
      {
        EventBusName: BUS,
        Source: 'ecs-batch-launcher',
        DetailType: detailType,
        Resources: [TASK],
        Detail: JSON.stringify({
          version: 1,
          requestId: 'req-1',
          batchTypeId: 1,
          batchType: 'hello',
          traceId: 'trace-req-1',
          taskArn: TASK,
          ...result,
        }),
      },
    ],
  };
}

const SUCCEEDED_RESULT = {
  exitCode: 0,
  stoppedReason: 'Essential container in task exited',
  stopCode: 'EssentialContainerExited',
  queuedMs: 42_500,
  runMs: 257_500,
  startedAt: STARTED_AT,
  stoppedAt: STOPPED_AT,
};

function putEventsCalls() {
  return events.commandCalls(PutEventsCommand).map((call) => call.args[0].input);
}

async function stored() {
  return lifecycle.find({ requestId: 'req-1', batchTypeId: 1 });
}

describe('track-task', () => {
  it('records RUNNING then SUCCEEDED and publishes one BatchSucceeded when the task exits 0', async () => {
    // Arrange
    const single = metrics.singleMetric();
    jest.spyOn(metrics, 'singleMetric').mockReturnValue(single);
    const addMetric = jest.spyOn(single, 'addMetric');
    const addDimension = jest.spyOn(single, 'addDimension');
    const counted = jest.spyOn(metrics, 'addMetric');

    // Act
    const onRunning = await trackTask(running());
    const onStopped = await trackTask(stopped({ exitCode: 0 }));

    // Assert
    expect([onRunning, onStopped]).toEqual([{ action: 'recorded' }, { action: 'published' }]);
    expect(putEventsCalls()).toEqual([putEventsInput('BatchSucceeded', SUCCEEDED_RESULT)]);
    expect(await stored()).toMatchObject({
      status: 'SUCCEEDED',
      exitCode: 0,
      startedAt: STARTED_AT,
      stoppedAt: STOPPED_AT,
      resultPublishedAt: NOW.toISOString(),
    });
    expect(addDimension).toHaveBeenCalledWith('batchType', 'hello');
    expect(addMetric).toHaveBeenCalledTimes(1);
    expect(addMetric).toHaveBeenCalledWith('succeeded', 'Count', 1);
    expect(counted.mock.calls).toEqual([
      ['stateChanges', 'Count', 1],
      ['stateChanges', 'Count', 1],
    ]);
  });

  it('records FAILED and publishes BatchFailed with the exit code when the task exits 3', async () => {
    // Arrange
    const single = metrics.singleMetric();
    jest.spyOn(metrics, 'singleMetric').mockReturnValue(single);
    const addMetric = jest.spyOn(single, 'addMetric');

    // Act
    const outcome = await trackTask(stopped({ exitCode: 3 }));

    // Assert
    expect(outcome).toEqual({ action: 'published' });
    expect(putEventsCalls()).toEqual([putEventsInput('BatchFailed', { ...SUCCEEDED_RESULT, exitCode: 3 })]);
    expect(await stored()).toMatchObject({ status: 'FAILED', exitCode: 3 });
    expect(addMetric).toHaveBeenCalledWith('failed', 'Count', 1);
  });

  it('records FAILED with the stopped reason and a null exit code when the image cannot be pulled', async () => {
    // Arrange
    const reason = 'CannotPullContainerError: pull image manifest has been retried 5 time(s): not found';

    // Act
    await trackTask(
      stopped({ exitCode: null, startedAt: null, stoppedReason: reason, stopCode: 'TaskFailedToStart' }),
    );

    // Assert
    expect(putEventsCalls()).toEqual([
      putEventsInput('BatchFailed', {
        exitCode: null,
        stoppedReason: reason,
        stopCode: 'TaskFailedToStart',
        queuedMs: null,
        runMs: null,
        startedAt: null,
        stoppedAt: STOPPED_AT,
      }),
    ]);
    expect(await stored()).toMatchObject({ status: 'FAILED', exitCode: null, stoppedReason: reason });
  });

  it('stays SUCCEEDED and publishes nothing more when RUNNING arrives after STOPPED', async () => {
    // Act
    await trackTask(stopped({ exitCode: 0 }));
    const late = await trackTask(running());

    // Assert
    expect(late).toEqual({ action: 'stale', reason: 'stale' });
    expect(await stored()).toMatchObject({ status: 'SUCCEEDED', statusRank: 3 });
    expect(events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  });

  it('publishes exactly one result event when STOPPED is delivered again', async () => {
    // Arrange
    const outcomeCounts = jest.spyOn(metrics, 'singleMetric');
    await trackTask(stopped({ exitCode: 0 }));

    // Act
    const redelivered = await trackTask(stopped({ exitCode: 0 }));

    // Assert
    expect(redelivered).toEqual({ action: 'already-published' });
    expect(events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(outcomeCounts).toHaveBeenCalledTimes(1);
  });

  it('publishes once when two deliveries of STOPPED run at the same time', async () => {
    // Act
    const outcomes = await Promise.all([trackTask(stopped()), trackTask(stopped()), trackTask(stopped())]);

    // Assert
    expect(events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(outcomes.filter((o) => o.action === 'published')).toHaveLength(1);
  });

  it.each([
    [
      'throws',
      () => events.on(PutEventsCommand).rejectsOnce(new Error('connect ETIMEDOUT')).resolves(ACCEPTED),
    ],
    [
      'answers FailedEntryCount 1',
      () =>
        events
          .on(PutEventsCommand)
          .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException' }] })
          .resolves(ACCEPTED),
    ],
  ])('fails, then publishes exactly once on the retry, when PutEvents %s', async (_label, failOnce) => {
    // Arrange
    failOnce();
    const outcomeCounts = jest.spyOn(metrics, 'singleMetric');

    // Act
    const first = trackTask(stopped({ exitCode: 0 }));
    await expect(first).rejects.toThrow(ResultPublishError);
    const afterFailure = await stored();
    const retry = await trackTask(stopped({ exitCode: 0 }));
    const again = await trackTask(stopped({ exitCode: 0 }));

    // Assert
    expect(afterFailure).toMatchObject({ status: 'SUCCEEDED' });
    expect(afterFailure).not.toHaveProperty('resultPublishedAt');
    expect(afterFailure).not.toHaveProperty('resultLeaseUntil');
    expect([retry, again]).toEqual([{ action: 'published' }, { action: 'already-published' }]);
    // The failed attempt, then the retry's: the only entry EventBridge accepted.
    const expected = putEventsInput('BatchSucceeded', SUCCEEDED_RESULT);
    expect(putEventsCalls()).toEqual([expected, expected]);
    expect(outcomeCounts).toHaveBeenCalledTimes(1);
    expect(await stored()).toMatchObject({ resultPublishedAt: NOW.toISOString() });
  });

  it('does not publish while another delivery holds the claim', async () => {
    // Arrange
    await lifecycle.applyTaskState({
      requestId: 'req-1',
      batchTypeId: 1,
      traceId: 'trace-req-1',
      taskArn: TASK,
      clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/local',
      status: 'SUCCEEDED',
      exitCode: 0,
      queuedMs: 1,
      runMs: 1,
    });
    await lifecycle.claimResultPublication(
      { requestId: 'req-1', batchTypeId: 1 },
      new Date(NOW.getTime() + 5000),
    );

    // Act
    const outcome = await trackTask(stopped());

    // Assert
    expect(outcome).toEqual({ action: 'claimed-elsewhere' });
    expect(events).not.toHaveReceivedCommand(PutEventsCommand);
  });

  it('still throws the publish error, and warns, when the claim cannot be released', async () => {
    // Arrange
    events.on(PutEventsCommand).rejects(new Error('connect ETIMEDOUT'));
    const storeDown = new LifecycleStoreError('Could not release the result publication');
    jest.spyOn(lifecycle, 'releaseResultPublication').mockRejectedValueOnce(storeDown);
    const warn = jest.spyOn(logger, 'warn');

    // Act
    const outcome = trackTask(stopped(), { remainingTimeMs: 10_000 });

    // Assert
    await expect(outcome).rejects.toThrow('Could not put BatchSucceeded to bus "batch-requests"');
    expect(warn).toHaveBeenCalledWith(
      'Could not release the claim to publish; the retry publishes once it expires',
      expect.objectContaining({
        requestId: 'req-1',
        claimUntil: '2026-12-04T10:05:12.000Z',
        error: storeDown,
      }),
    );
  });

  it('ignores, with a debug log and no write, a task not started by the launcher', async () => {
    // Arrange
    const debug = jest.spyOn(logger, 'debug');

    // Act
    const outcome = await trackTask(stopped({ startedBy: 'ecs-svc/9223370545345641169' }));

    // Assert
    expect(outcome).toEqual({ action: 'ignored', reason: expect.stringContaining('not our task') });
    expect(debug).toHaveBeenCalledWith('Task state change ignored', { reason: outcome.reason });
    expect(await stored()).toBeUndefined();
    expect(events).not.toHaveReceivedCommand(PutEventsCommand);
  });

  it('records nothing and warns when a second task of the same request stops', async () => {
    // Arrange
    await lifecycle.launched({
      requestId: 'req-1',
      batchTypeId: 1,
      batchType: 'hello',
      traceId: 'trace-req-1',
      taskArn: TASK,
      messageId: 'msg-1',
      at: NOW,
    });
    const warn = jest.spyOn(logger, 'warn');

    // Act
    const outcome = await trackTask(stopped({ taskId: 'ffff0000' }));

    // Assert
    expect(outcome).toEqual({ action: 'stale', reason: 'other-task' });
    expect(await stored()).toMatchObject({ status: 'LAUNCHED', taskArn: TASK });
    expect(warn).toHaveBeenCalledWith(
      'State change of a second task for a request that already has one: not recorded',
      expect.objectContaining({ taskArn: taskArnOf('ffff0000'), storedTaskArn: TASK }),
    );
    expect(events).not.toHaveReceivedCommand(PutEventsCommand);
  });

  it('counts an unnamed batch type by its id', async () => {
    // Arrange
    const single = metrics.singleMetric();
    jest.spyOn(metrics, 'singleMetric').mockReturnValue(single);
    const addDimension = jest.spyOn(single, 'addDimension');

    // Act
    await trackTask(stopped({ batchTypeId: 42, requestId: 'req-42' }));

    // Assert
    expect(addDimension).toHaveBeenCalledWith('batchType', '42');
  });

  it('throws on an event that is not a task state change, so it is retried and kept', async () => {
    await expect(trackTask({ source: 'aws.ecs', detail: {} })).rejects.toThrow(TaskStateChangeError);
  });

  it('claims for 60 seconds by default and uses the system clock when none is given', async () => {
    // Arrange
    const claim = jest.spyOn(lifecycle, 'claimResultPublication');
    const track = createTrackTask({
      lifecycle,
      events: new EventBridgeClient({}),
      eventBusName: BUS,
      catalog: CATALOG,
      logger,
      metrics,
    });
    const before = Date.now();

    // Act
    await track(stopped());

    // Assert
    const until = claim.mock.calls[0]?.[1].getTime() ?? 0;
    expect(until).toBeGreaterThanOrEqual(before + 60_000);
    expect(until).toBeLessThan(Date.now() + 60_000 + 1);
  });
});
