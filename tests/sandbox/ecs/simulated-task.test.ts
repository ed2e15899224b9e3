import { afterEach, describe, expect, it } from '@jest/globals';
import type { LocalEcs } from '../../../sandbox/ecs/local-ecs.js';
import { simulatedTaskRunner } from '../../../sandbox/ecs/task-runner.js';
import {
  environment,
  eventually,
  type RecordingEcs,
  recordingEcs,
  runTaskInput,
} from './local-ecs-fixture.js';

const opened: LocalEcs[] = [];

/** A LocalEcs running the local stage's families on timers, as `startSandbox({ ecs: { taskRunner: 'simulated' } })`. */
function open(options: Parameters<typeof simulatedTaskRunner>[0] = {}): RecordingEcs {
  const recording = recordingEcs({
    taskRunner: simulatedTaskRunner({
      families: ['hello', 'always-fails'],
      defaultCommands: { hello: ['hello'], 'always-fails': ['always-fails', '--exit-code', '3'] },
      ...options,
    }),
  });
  opened.push(recording.ecs);
  return recording;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((ecs) => ecs.close()));
});

function container(parameters: string | undefined, command?: string[]) {
  return {
    name: 'app',
    ...(command === undefined ? {} : { command }),
    environment: environment(parameters === undefined ? {} : { BATCH_PARAMETERS: parameters }),
  };
}

describe('simulatedTaskRunner', () => {
  it('chooses the exit code as the demo app does: parameters, then --exit-code, then 0', () => {
    const runner = simulatedTaskRunner({
      defaultCommands: { 'always-fails': ['always-fails', '--exit-code', '3'] },
    });

    expect(runner('always-fails', container('{"exitCode":5}'))?.exitCode).toBe(5);
    expect(runner('always-fails', container('{"exitCode":"5"}'))?.exitCode).toBe(3);
    expect(runner('always-fails', container('{"exitCode":256}'))?.exitCode).toBe(3);
    expect(runner('hello', container(undefined, ['hello', '--exit-code', '7']))?.exitCode).toBe(7);
    expect(runner('hello', container(undefined, ['hello', '--exit-code', 'x']))?.exitCode).toBe(0);
    expect(runner('hello', container('exitCode=9'))?.exitCode).toBe(0);
    expect(runner('hello', undefined)?.exitCode).toBe(0);
  });

  it('runs for sleepMs of the parameters, else for runMs', () => {
    const runner = simulatedTaskRunner({ runMs: 50, startDelayMs: 1 });

    expect(runner('hello', container('{"sleepMs":0}'))).toEqual({
      kind: 'simulated',
      startDelayMs: 1,
      runMs: 0,
      exitCode: 0,
    });
    expect(runner('hello', container('{"sleepMs":-1}'))?.runMs).toBe(50);
    expect(runner('hello', container('[1]'))?.runMs).toBe(50);
  });

  it('answers undefined for a family it does not run', () => {
    const runner = simulatedTaskRunner({ families: ['hello'] });

    expect(runner('other', undefined)).toBeUndefined();
    expect(runner('hello', undefined)).toBeDefined();
  });
});

describe('LocalEcs with simulated tasks', () => {
  it('emits PROVISIONING, RUNNING then STOPPED with the chosen exit code, without a process', async () => {
    // Arrange
    const { ecs, events, lines } = open({ runMs: 20 });

    // Act
    const { tasks } = await ecs.runTask(
      runTaskInput({
        taskDefinition: 'always-fails',
        overrides: { containerOverrides: [container(undefined, ['always-fails', '--exit-code', '3'])] },
      }),
    );
    const stopped = await ecs.waitUntilStopped(tasks?.[0]?.taskArn as string);

    // Assert
    expect(events.map((event) => event.detail.lastStatus)).toEqual(['PROVISIONING', 'RUNNING', 'STOPPED']);
    expect(stopped).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [{ name: 'app', lastStatus: 'STOPPED', exitCode: 3 }],
    });
    expect(stopped.startedAt).toBeInstanceOf(Date);
    expect(lines.map(({ line }) => line)).toEqual(['simulated task: done after 20 ms, exiting with 3']);
  });

  it('stops a running simulated task at once with 143 when StopTask is called', async () => {
    // Arrange
    const { ecs, events } = open({ runMs: 60_000 });
    const { tasks } = await ecs.runTask(
      runTaskInput({ overrides: { containerOverrides: [container(undefined, ['hello'])] } }),
    );
    const arn = tasks?.[0]?.taskArn as string;
    await eventually(() => events.some((event) => event.detail.lastStatus === 'RUNNING'));

    // Act
    await ecs.stopTask({ cluster: 'local', task: arn, reason: 'operator asked' });
    const stopped = await ecs.waitUntilStopped(arn);

    // Assert
    expect(stopped).toMatchObject({
      stopCode: 'UserInitiated',
      stoppedReason: 'operator asked',
      containers: [{ exitCode: 143 }],
    });
  });

  it('leaves no timer behind when closed with tasks still provisioning', async () => {
    const { ecs } = open({ startDelayMs: 60_000 });
    const { tasks } = await ecs.runTask(runTaskInput());
    await new Promise((resolve) => setTimeout(resolve, 20));

    await ecs.close();
    const stopped = await ecs.waitUntilStopped(tasks?.[0]?.taskArn as string);

    expect(stopped).toMatchObject({ lastStatus: 'STOPPED', containers: [{ exitCode: 143 }] });
    expect(stopped.startedAt).toBeUndefined();
  });
});
