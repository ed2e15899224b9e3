import fc from 'fast-check';
import { loadStageConfig } from '../../config/stages.js';
import { TaskStateChangeError } from '../../src/tracking/errors.js';
import {
  decideTracking,
  parseTaskStateChange,
  type TrackingDecision,
} from '../../src/tracking/task-state-change.js';
import { CLUSTER_ARN, type TaskEventOptions, taskArnOf, taskStateChange } from './ecs-events.js';

const CATALOG = loadStageConfig('local').catalog;
const TASK_ARN = taskArnOf('a1b2c3d4e5f60718293a4b5c6d7e8f90');

function decide(options: TaskEventOptions): TrackingDecision {
  return decideTracking(parseTaskStateChange(taskStateChange(options)), CATALOG);
}

function container(name: string, exitCode?: number): Record<string, unknown> {
  return { name, lastStatus: 'STOPPED', ...(exitCode === undefined ? {} : { exitCode }) };
}

describe('parseTaskStateChange', () => {
  it('accepts a full ECS event and keeps the fields AWS may add', () => {
    // Arrange
    const event = taskStateChange({ lastStatus: 'STOPPED' });

    // Act
    const parsed = parseTaskStateChange(event);

    // Assert
    expect(parsed.detail).toMatchObject({ taskArn: TASK_ARN, lastStatus: 'STOPPED', launchType: 'FARGATE' });
  });

  it('names every field that does not match when the event is not a task state change', () => {
    // Arrange
    const event = { source: 'aws.ec2', 'detail-type': 'ECS Task State Change', detail: { taskArn: '' } };

    // Act
    const parse = () => parseTaskStateChange(event);

    // Assert
    expect(parse).toThrow(TaskStateChangeError);
    expect(parse).toThrow(
      /^Event is not an ECS Task State Change \(source: Invalid input: expected "aws\.ecs"; /,
    );
    expect(parse).toThrow(/detail\.taskArn: /);
    expect(parse).toThrow(/detail\.clusterArn: /);
    expect(parse).toThrow(/; check the track-task rule's event pattern$/);
  });

  it('refuses a timestamp Date cannot read', () => {
    const event = taskStateChange({ lastStatus: 'STOPPED', stoppedAt: 'yesterday' });
    expect(() => parseTaskStateChange(event)).toThrow(/detail\.stoppedAt: an ISO 8601 timestamp/);
  });

  it('says (root) when the event is not an object', () => {
    expect(() => parseTaskStateChange('nope')).toThrow(/\(\(root\): /);
  });
});

describe('decideTracking', () => {
  it('tracks RUNNING with the ids from the container override environment', () => {
    expect(decide({ requestId: 'req-7', batchTypeId: 2, traceId: 'trace-x', lastStatus: 'RUNNING' })).toEqual(
      {
        kind: 'track',
        transition: {
          requestId: 'req-7',
          batchTypeId: 2,
          batchType: 'always-fails',
          traceId: 'trace-x',
          taskArn: TASK_ARN,
          clusterArn: CLUSTER_ARN,
          status: 'RUNNING',
          startedAt: '2026-12-04T10:00:42.500Z',
        },
      },
    );
  });

  it('decides SUCCEEDED with both durations when the catalog container exits 0', () => {
    expect(decide({ lastStatus: 'STOPPED', exitCode: 0 })).toEqual({
      kind: 'track',
      transition: {
        requestId: 'req-1',
        batchTypeId: 1,
        batchType: 'hello',
        traceId: 'trace-req-1',
        taskArn: TASK_ARN,
        clusterArn: CLUSTER_ARN,
        status: 'SUCCEEDED',
        exitCode: 0,
        stoppedReason: 'Essential container in task exited',
        stopCode: 'EssentialContainerExited',
        startedAt: '2026-12-04T10:00:42.500Z',
        stoppedAt: '2026-12-04T10:05:00.000Z',
        queuedMs: 42_500,
        runMs: 257_500,
      },
    });
  });

  it('decides FAILED with the exit code when the catalog container exits non-zero', () => {
    expect(decide({ lastStatus: 'STOPPED', exitCode: 3 })).toMatchObject({
      kind: 'track',
      transition: { status: 'FAILED', exitCode: 3, stopCode: 'EssentialContainerExited' },
    });
  });

  it('decides FAILED with a null exit code and no run when the image could not be pulled', () => {
    // Arrange
    const reason =
      'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref hello:latest';

    // Act
    const decision = decide({
      lastStatus: 'STOPPED',
      exitCode: null,
      startedAt: null,
      stoppedReason: reason,
      stopCode: 'TaskFailedToStart',
    });

    // Assert
    expect(decision).toMatchObject({
      kind: 'track',
      transition: {
        status: 'FAILED',
        exitCode: null,
        stoppedReason: reason,
        stopCode: 'TaskFailedToStart',
        startedAt: undefined,
        queuedMs: null,
        runMs: null,
      },
    });
  });

  it("uses the container's reason when the task gives none", () => {
    // Arrange
    const event = taskStateChange({
      lastStatus: 'STOPPED',
      containers: [{ name: 'app', lastStatus: 'STOPPED', reason: 'OutOfMemoryError: Container killed' }],
    });
    delete (event.detail as Record<string, unknown>).stoppedReason;

    // Act
    const decision = decideTracking(parseTaskStateChange(event), CATALOG);

    // Assert
    expect(decision).toMatchObject({
      transition: { status: 'FAILED', exitCode: null, stoppedReason: 'OutOfMemoryError: Container killed' },
    });
  });

  it('judges by the catalog container alone when sidecars exit otherwise', () => {
    expect(
      decide({ lastStatus: 'STOPPED', containers: [container('log-router', 137), container('app', 0)] }),
    ).toMatchObject({ transition: { status: 'SUCCEEDED', exitCode: 0 } });
  });

  it('requires every container to exit 0 when the catalog container is not in the event', () => {
    expect(
      decide({ lastStatus: 'STOPPED', containers: [container('main', 0), container('sidecar', 2)] }),
    ).toMatchObject({ transition: { status: 'FAILED', exitCode: 2 } });
    expect(
      decide({ lastStatus: 'STOPPED', containers: [container('main', 0), container('sidecar', 0)] }),
    ).toMatchObject({ transition: { status: 'SUCCEEDED', exitCode: 0 } });
  });

  it('decides FAILED when the event lists no container at all', () => {
    expect(decide({ lastStatus: 'STOPPED', containers: [] })).toMatchObject({
      transition: { status: 'FAILED', exitCode: null },
    });
  });

  it('falls back to startedBy, the task definition family and the request id without override variables', () => {
    expect(
      decide({ requestId: 'req-9', withOverrides: false, taskDefinitionFamily: 'always-fails' }),
    ).toEqual({
      kind: 'track',
      transition: expect.objectContaining({
        requestId: 'req-9',
        batchTypeId: 2,
        batchType: 'always-fails',
        traceId: 'req-9',
      }),
    });
  });

  it('tracks a batch type the catalog no longer knows, without a name', () => {
    const decision = decide({ batchTypeId: 42, lastStatus: 'STOPPED', exitCode: 1 });
    expect(decision).toMatchObject({
      kind: 'track',
      transition: { batchTypeId: 42, status: 'FAILED', exitCode: 1 },
    });
    expect(decision.kind === 'track' && 'batchType' in decision.transition).toBe(false);
  });

  it.each([
    [
      'another startedBy',
      { startedBy: 'ecs-svc/9223370545345641169' },
      /^startedBy "ecs-svc\/.*not our task$/,
    ],
    ['no startedBy', { startedBy: null }, /^startedBy undefined is not batch-launcher\//],
    ['an untracked status', { lastStatus: 'PENDING' as const }, /^lastStatus PENDING is not tracked/],
    [
      'no request after the prefix',
      { startedBy: 'batch-launcher/', withOverrides: false },
      /names no request$/,
    ],
    [
      'no batch type anywhere',
      { withOverrides: false, taskDefinitionFamily: 'unknown-family' },
      /no BATCH_TYPE_ID in the container overrides and task definition ".*unknown-family:7" is no catalog/,
    ],
  ])('ignores an event with %s', (_label, options, reason) => {
    // Act
    const decision = decide(options);

    // Assert
    expect(decision).toEqual({ kind: 'ignore', reason: expect.stringMatching(reason) });
  });

  it('succeeds exactly when the catalog container exits 0, whatever the other containers do (property)', () => {
    const exitCode = fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined });
    const sidecars = fc.array(fc.tuple(fc.constantFrom('sidecar', 'log-router'), exitCode), { maxLength: 4 });
    fc.assert(
      fc.property(exitCode, sidecars, fc.nat(), (own, others, position) => {
        // Arrange
        const list = others.map(([name, code]) => container(name, code));
        list.splice(position % (list.length + 1), 0, container('app', own));

        // Act
        const decision = decide({ lastStatus: 'STOPPED', containers: list });

        // Assert
        expect(decision).toMatchObject({
          kind: 'track',
          transition:
            own === 0 ? { status: 'SUCCEEDED', exitCode: 0 } : { status: 'FAILED', exitCode: own ?? null },
        });
      }),
      { numRuns: 500 },
    );
  });
});
