import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { LifecycleRecord } from '../../src/lifecycle/lifecycle-record.js';
import { ResultPublishError } from '../../src/tracking/errors.js';
import {
  publishResultEvent,
  RESULT_EVENT_SOURCE,
  resultEventEntry,
} from '../../src/tracking/result-event.js';

const TASK = 'arn:aws:ecs:us-east-1:000000000000:task/local/aaaa';
const BUS = 'batch-requests';

function record(overrides: Partial<LifecycleRecord> = {}): LifecycleRecord {
  return {
    requestId: 'req-1',
    batchTypeId: 1,
    batchType: 'hello',
    traceId: 'trace-1',
    status: 'SUCCEEDED',
    statusRank: 3,
    taskArn: TASK,
    exitCode: 0,
    stoppedReason: 'Essential container in task exited',
    stopCode: 'EssentialContainerExited',
    queuedMs: 42_500,
    runMs: 257_500,
    startedAt: '2026-12-04T10:00:42.500Z',
    stoppedAt: '2026-12-04T10:05:00.000Z',
    createdAt: '2026-12-04T10:00:00.000Z',
    updatedAt: '2026-12-04T10:05:01.000Z',
    expiresAt: 1_800_000_000,
    ...overrides,
  };
}

const events = mockClient(EventBridgeClient);
beforeEach(() => events.reset());

describe('resultEventEntry', () => {
  it('announces a succeeded task as BatchSucceeded from ecs-batch-launcher with every detail field', () => {
    expect(resultEventEntry(record(), BUS)).toEqual({
      EventBusName: BUS,
      Source: 'ecs-batch-launcher',
      DetailType: 'BatchSucceeded',
      Resources: [TASK],
      Detail: JSON.stringify({
        version: 1,
        requestId: 'req-1',
        batchTypeId: 1,
        batchType: 'hello',
        traceId: 'trace-1',
        taskArn: TASK,
        exitCode: 0,
        stoppedReason: 'Essential container in task exited',
        stopCode: 'EssentialContainerExited',
        queuedMs: 42_500,
        runMs: 257_500,
        startedAt: '2026-12-04T10:00:42.500Z',
        stoppedAt: '2026-12-04T10:05:00.000Z',
      }),
    });
    expect(RESULT_EVENT_SOURCE).toBe('ecs-batch-launcher');
  });

  it('announces a task that never ran as BatchFailed with explicit nulls', () => {
    // Arrange
    const failed = record({
      status: 'FAILED',
      exitCode: null,
      batchType: undefined,
      traceId: undefined,
      stoppedReason: undefined,
      stopCode: undefined,
      queuedMs: null,
      runMs: undefined,
      startedAt: undefined,
      stoppedAt: undefined,
    });

    // Act
    const entry = resultEventEntry(failed, BUS);

    // Assert
    expect(entry.DetailType).toBe('BatchFailed');
    expect(JSON.parse(entry.Detail ?? '')).toEqual({
      version: 1,
      requestId: 'req-1',
      batchTypeId: 1,
      batchType: null,
      traceId: 'req-1',
      taskArn: TASK,
      exitCode: null,
      stoppedReason: null,
      stopCode: null,
      queuedMs: null,
      runMs: null,
      startedAt: null,
      stoppedAt: null,
    });
  });

  it('refuses a record that has no result yet', () => {
    expect(() => resultEventEntry(record({ status: 'RUNNING', statusRank: 2 }), BUS)).toThrow(
      'Request "req-1" (batch type 1) is RUNNING: only a stopped task has a result to publish',
    );
    expect(() => resultEventEntry(record({ taskArn: undefined }), BUS)).toThrow(
      'Request "req-1" (batch type 1) is SUCCEEDED with no task: only a stopped task has a result to publish',
    );
  });
});

describe('publishResultEvent', () => {
  const entry = resultEventEntry(record(), BUS);

  it('puts exactly the one entry on the bus', async () => {
    // Arrange
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

    // Act
    await publishResultEvent(new EventBridgeClient({}), entry);

    // Assert
    expect(events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(events.commandCalls(PutEventsCommand)[0]?.args[0].input).toEqual({ Entries: [entry] });
  });

  it('throws with the cause when PutEvents fails', async () => {
    // Arrange
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    events.on(PutEventsCommand).rejects(throttled);

    // Act
    const publish = publishResultEvent(new EventBridgeClient({}), entry);

    // Assert
    await expect(publish).rejects.toMatchObject({
      name: 'ResultPublishError',
      message: 'Could not put BatchSucceeded to bus "batch-requests": ThrottlingException: Rate exceeded',
      cause: throttled,
    });
  });

  it('throws when PutEvents answers 200 with a failed entry', async () => {
    // Arrange
    events.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service error' }],
    });

    // Act
    const publish = publishResultEvent(new EventBridgeClient({}), entry);

    // Assert
    await expect(publish).rejects.toThrow(ResultPublishError);
    await expect(publishResultEvent(new EventBridgeClient({}), entry)).rejects.toThrow(
      'EventBridge refused BatchSucceeded to bus "batch-requests": InternalFailure (Internal service error)',
    );
  });

  it('still throws when a failed entry says nothing about why', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 1 });
    await expect(publishResultEvent(new EventBridgeClient({}), entry)).rejects.toThrow(
      'EventBridge refused BatchSucceeded to bus "batch-requests": unknown error',
    );
  });

  it('reports a non-Error rejection as text', async () => {
    events.on(PutEventsCommand).callsFake(() => Promise.reject('socket hang up'));
    await expect(publishResultEvent(new EventBridgeClient({}), entry)).rejects.toThrow(
      'Could not put BatchSucceeded to bus "batch-requests": socket hang up',
    );
  });
});
