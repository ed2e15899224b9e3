import { jest } from '@jest/globals';
import { type Sandbox, startSandbox } from '../../sandbox/sandbox.js';
import { SandboxClient } from './support/sandbox-client.js';
import { waitFor } from './support/wait-for.js';

/**
 * ECS answers RunTask with ThrottlingException (a token bucket of one call per second): the
 * launcher reports the record failed, SQS redelivers it after its (capped) visibility timeout,
 * and every request still ends with exactly one task, none in the DLQ.
 */
// Each test waits with its own bounded helper; jest's 5 s default is below a retry's timeline.
jest.setTimeout(40_000);

describe('the sandbox, when ECS throttles RunTask', () => {
  let sandbox: Sandbox;
  let client: SandboxClient;
  const log: string[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({
      visibilityTimeoutSeconds: 2,
      maxVisibilityTimeoutSeconds: 1,
      poller: { waitTimeSeconds: 1, concurrency: 2 },
      ecs: { runTaskRateLimit: { ratePerSecond: 1, burst: 1 } },
      log: (line) => log.push(line),
      handlerLogLevel: 'SILENT',
    });
    client = new SandboxClient(sandbox);
  });

  afterAll(async () => {
    client?.destroy();
    await sandbox?.stop();
  });

  it('launches every request exactly once after retrying the throttled ones', async () => {
    // Arrange: one message group, so each RunTask follows the previous one at once.
    const ids = ['throttled-1', 'throttled-2', 'throttled-3', 'throttled-4'];

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
      const tasks = await client.tasksOf(id);
      expect({ id, tasks: tasks.length, exitCode: tasks[0]?.containers?.[0]?.exitCode }).toEqual({
        id,
        tasks: 1,
        exitCode: 0,
      });
      expect(client.resultsFor(id)).toHaveLength(1);
    }
    expect(await client.deadLetters()).toEqual([]);
    // Retried by the SDK's own backoff, and by SQS when the SDK gives up first.
    expect(sandbox.ecs.runTaskStats.throttled).toBeGreaterThanOrEqual(1);
  });
});
