import { afterEach, describe, expect, it } from '@jest/globals';
import {
  ClientError,
  ClusterNotFoundError,
  ConflictError,
  EcsErrorType,
  InvalidParameterError,
  ServerError,
  ThrottlingError,
} from '../../../sandbox/ecs/errors.js';
import type { LocalEcs } from '../../../sandbox/ecs/local-ecs.js';
import {
  environment,
  eventually,
  isAlive,
  manualClock,
  type RecordingEcs,
  readyPids,
  recordingEcs,
  runTaskInput,
} from './local-ecs-fixture.js';

const TASK_ARN = /^arn:aws:ecs:us-east-1:000000000000:task\/local\/[0-9a-f]{32}$/;
const opened: LocalEcs[] = [];

function open(options: Parameters<typeof recordingEcs>[0] = {}): RecordingEcs {
  const recording = recordingEcs(options);
  opened.push(recording.ecs);
  return recording;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((ecs) => ecs.close()));
});

function withParameters(parameters: string, command = ['hello']) {
  return runTaskInput({
    overrides: {
      containerOverrides: [
        {
          name: 'app',
          command,
          environment: environment({
            TRACE_ID: 't',
            BATCH_TYPE_ID: '1',
            BATCH_REQUEST_ID: 'r',
            BATCH_PARAMETERS: parameters,
          }),
        },
      ],
    },
  });
}

async function captureError(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to fail');
}

describe('LocalEcs', () => {
  describe('runTask', () => {
    it('answers a PROVISIONING task that keeps what it was given when the request is valid', async () => {
      // Arrange
      const { ecs } = open();
      const input = runTaskInput({ group: 'batch:hello' });

      // Act
      const { tasks, failures } = await ecs.runTask(input);

      // Assert
      expect(failures).toEqual([]);
      expect(tasks).toHaveLength(1);
      const task = tasks?.[0];
      expect(task?.taskArn).toMatch(TASK_ARN);
      expect(task).toMatchObject({
        clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/local',
        taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/hello:1',
        lastStatus: 'PROVISIONING',
        desiredStatus: 'RUNNING',
        launchType: 'FARGATE',
        platformVersion: '1.4.0',
        startedBy: 'batch-launcher/req-1',
        group: 'batch:hello',
        overrides: input.overrides,
        tags: input.tags,
        containers: [{ name: 'app', lastStatus: 'PENDING' }],
      });
      expect(task?.createdAt).toBeInstanceOf(Date);
    });

    it('defaults the group to the family and keeps a capacity provider strategy', async () => {
      const { ecs } = open();
      const input = runTaskInput({
        launchType: undefined,
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
      });

      const { tasks } = await ecs.runTask(input);

      expect(tasks?.[0]).toMatchObject({
        group: 'family:hello',
        capacityProviderName: 'FARGATE_SPOT',
        launchType: 'FARGATE',
      });
    });

    it('adds the ECS managed cluster tag when enableECSManagedTags is set', async () => {
      const { ecs } = open();

      const { tasks } = await ecs.runTask(runTaskInput({ enableECSManagedTags: true }));

      expect(tasks?.[0]?.tags).toContainEqual({ key: 'aws:ecs:clusterName', value: 'local' });
    });

    it('starts count tasks when count is greater than one', async () => {
      const { ecs } = open();

      const { tasks } = await ecs.runTask(runTaskInput({ count: 3 }));

      expect(new Set(tasks?.map((task) => task.taskArn)).size).toBe(3);
    });

    it.each([
      ['count is above 10', runTaskInput({ count: 11 }), 'Count value must be between 1 and 10'],
      ['count is 0', runTaskInput({ count: 0 }), 'Count value must be between 1 and 10'],
      [
        'both a launch type and a capacity provider strategy are given',
        runTaskInput({ capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }] }),
        'Specifying both a launch type and capacity provider strategy is not supported',
      ],
      [
        'a Fargate task has no network configuration',
        runTaskInput({ networkConfiguration: undefined }),
        'Network Configuration',
      ],
      [
        'the task definition is blank',
        runTaskInput({ taskDefinition: '' }),
        'TaskDefinition can not be blank',
      ],
      ['startedBy has a space', runTaskInput({ startedBy: 'batch launcher' }), 'startedBy allows up to 128'],
      [
        'a tag key uses the aws: prefix',
        runTaskInput({ tags: [{ key: 'aws:x', value: 'y' }] }),
        'reserved prefix',
      ],
      [
        'the client token is longer than 64 characters',
        runTaskInput({ clientToken: 'x'.repeat(65) }),
        'clientToken must be',
      ],
      ['the overrides are longer than 8192 characters', withParameters('x'.repeat(8200)), 'at most 8192'],
    ])('throws InvalidParameterException when %s', async (_case, input, reason) => {
      const { ecs } = open();

      const error = await captureError(() => ecs.runTask(input));

      expect(error).toBeInstanceOf(InvalidParameterError);
      expect((error as InvalidParameterError).errorType).toBe(EcsErrorType.InvalidParameter);
      expect((error as Error).message).toContain(reason);
    });

    it('throws ClusterNotFoundException when the cluster does not exist', async () => {
      const { ecs } = open();

      const error = await captureError(() => ecs.runTask(runTaskInput({ cluster: 'nope' })));

      expect(error).toBeInstanceOf(ClusterNotFoundError);
      expect((error as ClusterNotFoundError).errorType).toBe('ClusterNotFoundException');
    });

    it('throws ClientException when the task definition family is unknown', async () => {
      const { ecs } = open();

      const error = await captureError(() => ecs.runTask(runTaskInput({ taskDefinition: 'unknown:4' })));

      expect(error).toBeInstanceOf(ClientError);
      expect((error as Error).message).toContain("Unable to find task definition 'unknown:4'");
    });
  });

  describe('task lifecycle', () => {
    it('emits PROVISIONING, RUNNING then STOPPED with exit code 0 when the app succeeds', async () => {
      // Arrange
      const { ecs, events } = open();

      // Act
      const { tasks } = await ecs.runTask(runTaskInput());
      const arn = tasks?.[0]?.taskArn as string;
      const stopped = await ecs.waitUntilStopped(arn);

      // Assert
      expect(events.map((event) => event.detail.lastStatus)).toEqual(['PROVISIONING', 'RUNNING', 'STOPPED']);
      expect(events.map((event) => event.detail.version)).toEqual([1, 2, 3]);
      expect(stopped).toMatchObject({
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        containers: [{ name: 'app', lastStatus: 'STOPPED', exitCode: 0 }],
      });
      for (const field of ['createdAt', 'startedAt', 'stoppingAt', 'stoppedAt'] as const) {
        expect(stopped[field]).toBeInstanceOf(Date);
      }
    });

    it('emits ECS Task State Change events the tracker can consume when the task stops', async () => {
      const { ecs, events } = open();
      const input = runTaskInput();

      const { tasks } = await ecs.runTask(input);
      await ecs.waitUntilStopped(tasks?.[0]?.taskArn as string);

      const last = events.at(-1);
      expect(last).toMatchObject({
        version: '0',
        'detail-type': 'ECS Task State Change',
        source: 'aws.ecs',
        account: '000000000000',
        region: 'us-east-1',
        resources: [tasks?.[0]?.taskArn],
        detail: {
          taskArn: tasks?.[0]?.taskArn,
          clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/local',
          lastStatus: 'STOPPED',
          desiredStatus: 'STOPPED',
          startedBy: 'batch-launcher/req-1',
          group: 'family:hello',
          overrides: input.overrides,
          stopCode: 'EssentialContainerExited',
          containers: [{ name: 'app', lastStatus: 'STOPPED', exitCode: 0 }],
        },
      });
      expect(last?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(last?.detail.stoppedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
    });

    it('reports the exit code chosen by BATCH_PARAMETERS when the app fails', async () => {
      const { ecs } = open();

      const { tasks } = await ecs.runTask(withParameters('{"exitCode":3,"sleepMs":0}'));
      const stopped = await ecs.waitUntilStopped(tasks?.[0]?.taskArn as string);

      expect(stopped.containers?.[0]?.exitCode).toBe(3);
      expect(stopped.stopCode).toBe('EssentialContainerExited');
    });

    it('passes every output line of the task to onOutput with its task ARN', async () => {
      const { ecs, lines } = open();

      const { tasks } = await ecs.runTask(runTaskInput());
      const arn = tasks?.[0]?.taskArn as string;
      await ecs.waitUntilStopped(arn);

      expect(lines).toContainEqual({ taskArn: arn, line: 'TRACE_ID=trace-1', stream: 'stdout' });
      expect(lines).toContainEqual({ taskArn: arn, line: 'argv=["hello"]', stream: 'stdout' });
    });

    it('stops with TaskFailedToStart when the process cannot be started', async () => {
      const { ecs } = open();

      const { tasks } = await ecs.runTask(runTaskInput({ taskDefinition: 'broken', overrides: undefined }));
      const stopped = await ecs.waitUntilStopped(tasks?.[0]?.taskArn as string);

      expect(stopped.stopCode).toBe('TaskFailedToStart');
      expect(stopped.stoppedReason).toContain('CannotStartContainerError');
      expect(stopped.containers?.[0]?.exitCode).toBeUndefined();
    });

    it('keeps running when onStateChange throws, and reports the error', async () => {
      const { ecs, callbackErrors } = open({
        onStateChange: () => {
          throw new Error('bus down');
        },
      });

      const { tasks } = await ecs.runTask(runTaskInput());
      const stopped = await ecs.waitUntilStopped(tasks?.[0]?.taskArn as string);

      expect(stopped.lastStatus).toBe('STOPPED');
      expect(callbackErrors).toHaveLength(3);
    });
  });

  describe('clientToken', () => {
    it('answers the original task without starting another when the same token and input repeat', async () => {
      // Arrange
      const { ecs } = open();
      const input = runTaskInput({ clientToken: 'token-1' });

      // Act
      const first = await ecs.runTask(input);
      const second = await ecs.runTask({ ...input });
      await ecs.waitUntilStopped(first.tasks?.[0]?.taskArn as string);
      const third = await ecs.runTask({ ...input });

      // Assert
      expect(second.tasks?.[0]?.taskArn).toBe(first.tasks?.[0]?.taskArn);
      expect(third.tasks?.[0]).toMatchObject({ taskArn: first.tasks?.[0]?.taskArn, lastStatus: 'STOPPED' });
      const stopped = await ecs.listTasks({ cluster: 'local', desiredStatus: 'STOPPED' });
      expect(stopped.taskArns).toEqual([first.tasks?.[0]?.taskArn]);
    });

    it('throws ConflictException with the original task when the same token comes with other parameters', async () => {
      const { ecs } = open();
      const { tasks } = await ecs.runTask(runTaskInput({ clientToken: 'token-1' }));

      const error = await captureError(() =>
        ecs.runTask(runTaskInput({ clientToken: 'token-1', startedBy: 'other' })),
      );

      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).errorType).toBe('ConflictException');
      expect((error as ConflictError).resourceIds).toEqual([tasks?.[0]?.taskArn]);
    });

    it('starts a new task when the token is reused more than an hour after the task stopped', async () => {
      const clock = manualClock();
      const { ecs } = open({ now: clock.now });
      const input = runTaskInput({ clientToken: 'token-1' });
      const first = await ecs.runTask(input);
      await ecs.waitUntilStopped(first.tasks?.[0]?.taskArn as string);

      clock.advance(60 * 60 * 1000);
      const later = await ecs.runTask(input);

      expect(later.tasks?.[0]?.taskArn).not.toBe(first.tasks?.[0]?.taskArn);
    });

    it('scopes a token to its cluster', async () => {
      const { ecs } = open({ clusters: ['local', 'other'] });

      const first = await ecs.runTask(runTaskInput({ clientToken: 'token-1' }));
      const second = await ecs.runTask(runTaskInput({ clientToken: 'token-1', cluster: 'other' }));

      expect(second.tasks?.[0]?.taskArn).not.toBe(first.tasks?.[0]?.taskArn);
    });
  });

  describe('throttling', () => {
    it('throws ThrottlingException once the burst is spent, and accepts again after a refill', async () => {
      // Arrange
      const clock = manualClock();
      const { ecs } = open({ now: clock.now, runTaskRateLimit: { ratePerSecond: 1, burst: 2 } });

      // Act
      await ecs.runTask(runTaskInput());
      await ecs.runTask(runTaskInput());
      const throttled = await captureError(() => ecs.runTask(runTaskInput()));
      clock.advance(1000);
      const afterRefill = await ecs.runTask(runTaskInput());

      // Assert
      expect(throttled).toBeInstanceOf(ThrottlingError);
      expect((throttled as ThrottlingError).errorType).toBe('ThrottlingException');
      expect(afterRefill.tasks).toHaveLength(1);
    });

    it('does not throttle when no rate limit is configured', async () => {
      const { ecs } = open();

      const answers = await Promise.all(Array.from({ length: 12 }, () => ecs.runTask(runTaskInput())));

      expect(answers.every((answer) => answer.tasks?.length === 1)).toBe(true);
    });
  });

  describe('placement failures', () => {
    it('answers failures[] with RESOURCE:MEMORY and no task when the failure rate is 1', async () => {
      const { ecs, events } = open({ placementFailureRate: 1 });

      const answer = await ecs.runTask(runTaskInput({ clientToken: 'token-1' }));

      expect(answer.tasks).toEqual([]);
      expect(answer.failures).toEqual([
        {
          arn: expect.stringMatching(/^arn:aws:ecs:us-east-1:000000000000:container-instance\/local\//),
          reason: 'RESOURCE:MEMORY',
        },
      ]);
      expect(events).toEqual([]);
    });

    it('fails exactly the tasks the injected random picks', async () => {
      const draws = [0.2, 0.8];
      const { ecs } = open({ placementFailureRate: 0.5, random: () => draws.shift() ?? 1 });

      const answer = await ecs.runTask(runTaskInput({ count: 2 }));

      expect(answer.tasks).toHaveLength(1);
      expect(answer.failures).toHaveLength(1);
    });

    it('does not remember the client token of a request that launched nothing', async () => {
      const draws = [0, 1];
      const { ecs } = open({ placementFailureRate: 0.5, random: () => draws.shift() ?? 1 });
      const input = runTaskInput({ clientToken: 'token-1' });

      const failed = await ecs.runTask(input);
      const retried = await ecs.runTask(input);

      expect(failed.tasks).toEqual([]);
      expect(retried.tasks).toHaveLength(1);
    });
  });

  describe('describeTasks', () => {
    it('answers MISSING for an unknown task and tags only when asked', async () => {
      const { ecs } = open();
      const { tasks } = await ecs.runTask(runTaskInput());
      const arn = tasks?.[0]?.taskArn as string;

      const plain = await ecs.describeTasks({ cluster: 'local', tasks: [arn, 'deadbeef'] });
      const tagged = await ecs.describeTasks({
        cluster: 'local',
        tasks: [arn.split('/').at(-1) as string],
        include: ['TAGS'],
      });

      expect(plain.tasks?.[0]?.taskArn).toBe(arn);
      expect(plain.tasks?.[0]?.tags).toBeUndefined();
      expect(plain.failures).toEqual([{ arn: 'deadbeef', reason: 'MISSING' }]);
      expect(tagged.tasks?.[0]?.tags).toEqual(runTaskInput().tags);
    });

    it('throws ClusterNotFoundException when the cluster does not exist', async () => {
      const { ecs } = open();

      await expect(ecs.describeTasks({ cluster: 'nope', tasks: ['x'] })).rejects.toBeInstanceOf(
        ClusterNotFoundError,
      );
    });
  });

  describe('listTasks', () => {
    it('filters by desired status, startedBy and family, and pages with nextToken', async () => {
      // Arrange
      const { ecs } = open();
      const done = await ecs.runTask(runTaskInput({ startedBy: 'batch-launcher/a' }));
      await ecs.waitUntilStopped(done.tasks?.[0]?.taskArn as string);
      const running = await ecs.runTask(
        runTaskInput({ taskDefinition: 'runs-forever', startedBy: 'batch-launcher/b', overrides: undefined }),
      );
      const other = await ecs.runTask(
        runTaskInput({ taskDefinition: 'runs-forever', startedBy: 'batch-launcher/c', overrides: undefined }),
      );

      // Act
      const byDefault = await ecs.listTasks({ cluster: 'local' });
      const stopped = await ecs.listTasks({ cluster: 'local', desiredStatus: 'STOPPED' });
      const byStartedBy = await ecs.listTasks({ cluster: 'local', startedBy: 'batch-launcher/b' });
      const byFamily = await ecs.listTasks({ cluster: 'local', family: 'hello', desiredStatus: 'STOPPED' });
      const firstPage = await ecs.listTasks({ cluster: 'local', maxResults: 1 });
      const secondPage = await ecs.listTasks({
        cluster: 'local',
        maxResults: 1,
        nextToken: firstPage.nextToken,
      });

      // Assert
      const runningArn = running.tasks?.[0]?.taskArn;
      const otherArn = other.tasks?.[0]?.taskArn;
      expect(byDefault.taskArns).toEqual([runningArn, otherArn]);
      expect(stopped.taskArns).toEqual([done.tasks?.[0]?.taskArn]);
      expect(byStartedBy.taskArns).toEqual([runningArn]);
      expect(byFamily.taskArns).toEqual([done.tasks?.[0]?.taskArn]);
      expect(firstPage.taskArns).toEqual([runningArn]);
      expect(secondPage).toEqual({ taskArns: [otherArn], nextToken: undefined });
    });

    it('throws InvalidParameterException when nextToken is not one it issued', async () => {
      const { ecs } = open();

      await expect(ecs.listTasks({ cluster: 'local', nextToken: 'garbage' })).rejects.toBeInstanceOf(
        InvalidParameterError,
      );
    });
  });

  describe('stopTask', () => {
    it('stops a running task with SIGTERM and records UserInitiated with the reason', async () => {
      // Arrange
      const { ecs, lines, events } = open();
      const { tasks } = await ecs.runTask(
        runTaskInput({ taskDefinition: 'runs-forever', overrides: undefined }),
      );
      const arn = tasks?.[0]?.taskArn as string;
      await eventually(() => readyPids(lines).length === 1);

      // Act
      const answer = await ecs.stopTask({ cluster: 'local', task: arn, reason: 'operator asked' });
      const stopped = await ecs.waitUntilStopped(arn);

      // Assert
      expect(answer.task).toMatchObject({ desiredStatus: 'STOPPED', stopCode: 'UserInitiated' });
      expect(stopped).toMatchObject({
        lastStatus: 'STOPPED',
        stopCode: 'UserInitiated',
        stoppedReason: 'operator asked',
        containers: [{ exitCode: 143 }],
      });
      expect(events.map((event) => [event.detail.lastStatus, event.detail.desiredStatus])).toEqual([
        ['PROVISIONING', 'RUNNING'],
        ['RUNNING', 'RUNNING'],
        ['RUNNING', 'STOPPED'],
        ['STOPPED', 'STOPPED'],
      ]);
    });

    it('kills a task that ignores SIGTERM once the stop timeout has passed', async () => {
      const { ecs, lines } = open({ stopTimeoutMs: 100 });
      const { tasks } = await ecs.runTask(
        runTaskInput({ taskDefinition: 'ignores-sigterm', overrides: undefined }),
      );
      const arn = tasks?.[0]?.taskArn as string;
      await eventually(() => readyPids(lines).length === 1);

      await ecs.stopTask({ cluster: 'local', task: arn });
      const stopped = await ecs.waitUntilStopped(arn);

      expect(stopped.containers?.[0]?.exitCode).toBe(137);
      expect(stopped.stoppedReason).toBe('Task stopped by user');
      expect(lines.map(({ line }) => line)).toContain('ignoring SIGTERM');
    });

    it('stops a task before its process starts', async () => {
      const { ecs } = open();
      const { tasks } = await ecs.runTask(runTaskInput());
      const arn = tasks?.[0]?.taskArn as string;

      await ecs.stopTask({ cluster: 'local', task: arn });
      const stopped = await ecs.waitUntilStopped(arn);

      expect(stopped).toMatchObject({
        lastStatus: 'STOPPED',
        stopCode: 'UserInitiated',
        containers: [{ lastStatus: 'STOPPED' }],
      });
      expect(stopped.startedAt).toBeUndefined();
    });

    it('throws InvalidParameterException when the task does not exist', async () => {
      const { ecs } = open();

      const error = await captureError(() => ecs.stopTask({ cluster: 'local', task: 'deadbeef' }));

      expect(error).toBeInstanceOf(InvalidParameterError);
      expect((error as Error).message).toBe('The referenced task was not found.');
    });
  });

  describe('clusters', () => {
    it('lists and describes the configured clusters with their task counts', async () => {
      const { ecs } = open({ clusters: ['local', 'other'] });
      await ecs.runTask(runTaskInput());

      const list = await ecs.listClusters();
      const described = await ecs.describeClusters({ clusters: ['local', 'missing'] });

      expect(list.clusterArns).toEqual([
        'arn:aws:ecs:us-east-1:000000000000:cluster/local',
        'arn:aws:ecs:us-east-1:000000000000:cluster/other',
      ]);
      expect(described.clusters).toEqual([
        expect.objectContaining({ clusterName: 'local', status: 'ACTIVE', pendingTasksCount: 1 }),
      ]);
      expect(described.failures).toEqual([
        { arn: 'arn:aws:ecs:us-east-1:000000000000:cluster/missing', reason: 'MISSING' },
      ]);
    });

    it('refuses an invalid cluster name at construction', () => {
      expect(() => recordingEcs({ clusters: ['has space'] })).toThrow('Cluster name "has space" is invalid');
    });
  });

  describe('close', () => {
    it('leaves no process behind, killing those that ignore SIGTERM', async () => {
      // Arrange
      const { ecs, lines } = open({ closeTimeoutMs: 200 });
      const polite = await ecs.runTask(
        runTaskInput({ taskDefinition: 'runs-forever', overrides: undefined }),
      );
      const stubborn = await ecs.runTask(
        runTaskInput({ taskDefinition: 'ignores-sigterm', overrides: undefined }),
      );
      await eventually(() => readyPids(lines).length === 2);
      const pids = readyPids(lines);
      expect(pids.every(isAlive)).toBe(true);

      // Act
      await ecs.close();

      // Assert
      expect(pids.some(isAlive)).toBe(false);
      const described = await ecs.describeTasks({
        cluster: 'local',
        tasks: [polite.tasks?.[0]?.taskArn as string, stubborn.tasks?.[0]?.taskArn as string],
      });
      expect(described.tasks?.map((task) => task.containers?.[0]?.exitCode)).toEqual([143, 137]);
    });

    it('refuses new tasks with ServerException once closed', async () => {
      const { ecs } = open();
      await ecs.close();

      await expect(ecs.runTask(runTaskInput())).rejects.toBeInstanceOf(ServerError);
    });
  });
});
