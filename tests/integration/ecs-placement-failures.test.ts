import { jest } from '@jest/globals';
import { type Sandbox, startSandbox } from '../../sandbox/sandbox.js';
import { SandboxClient } from './support/sandbox-client.js';
import { waitFor } from './support/wait-for.js';

/** 0, 0.99, 0, 0.99, …: with a failure rate of 0.5, every other RunTask gets `failures[]` and no task. */
function alternating(): () => number {
  let call = 0;
  return () => (call++ % 2 === 0 ? 0 : 0.99);
}

/**
 * ECS answers RunTask with HTTP 200, `failures[]` and no task (a capacity shortage) for every
 * other call: the launcher treats it as transient, SQS redelivers, and every request ends with
 * exactly one task, none in the DLQ.
 */
// Each test waits with its own bounded helper; jest's 5 s default is below a retry's timeline.
jest.setTimeout(40_000);

describe('the sandbox, when ECS cannot place tasks', () => {
  let sandbox: Sandbox;
  let client: SandboxClient;
  const log: string[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({
      visibilityTimeoutSeconds: 2,
      maxVisibilityTimeoutSeconds: 1,
      poller: { waitTimeSeconds: 1, concurrency: 2 },
      ecs: { placementFailureRate: 0.5, random: alternating() },
      log: (line) => log.push(line),
      handlerLogLevel: 'SILENT',
    });
    client = new SandboxClient(sandbox);
  });

  afterAll(async () => {
    client?.destroy();
    await sandbox?.stop();
  });

  it('launches every request exactly once after retrying the ones that got failures[]', async () => {
    // Arrange: one message group, so RunTask calls alternate fail, succeed, fail, succeed…
    const ids = ['unplaced-1', 'unplaced-2', 'unplaced-3'];

    // Act
    for (const id of ids) await client.putRequest({ batchTypeId: 1, requestId: id });
    await waitFor(
      'a result event for every request',
      async () => {
        const done = ids.filter((id) => client.resultsFor(id).length > 0);
        return { done: done.length === ids.length, value: done, seen: { done, log } };
      },
      { timeoutMs: 30_000 },
    );
    await waitFor('an empty requests queue', async () => {
      const count = await client.messagesInQueue();
      return { done: count === 0, value: count };
    });
    await sandbox.bus.idle();

    // Assert
    for (const id of ids) {
      expect({ id, tasks: (await client.tasksOf(id)).length }).toEqual({ id, tasks: 1 });
      expect(client.resultsFor(id)).toHaveLength(1);
    }
    expect(await client.deadLetters()).toEqual([]);
    // Each request's first RunTask got failures[] (HTTP 200, no task) and went back to the queue.
    expect(sandbox.ecs.runTaskStats).toMatchObject({ unplaced: ids.length });
    expect(sandbox.poller.stats.retried).toBeGreaterThanOrEqual(ids.length);
  });
});
