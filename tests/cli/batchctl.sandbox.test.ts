import { jest } from '@jest/globals';
import { type Sandbox, startSandbox } from '../../sandbox/sandbox.js';
import { queueNameOf } from '../../src/cli/stack-outputs.js';
import { resolveTarget, SANDBOX_NAMES } from '../../src/cli/target.js';
import { batchctl, type Run } from './support/cli-harness.js';
import { eventually } from './support/eventually.js';

/**
 * batchctl against the real sandbox, in this process on free loopback ports: the
 * real bus, the launcher and tracker handlers, fauxqs and dynalite. batchctl is
 * reached through the AWS_ENDPOINT_URL_* variables the sandbox exports, exactly
 * as an operator's shell would be.
 */
jest.setTimeout(60_000);

interface DeadLetterJson {
  messageId: string;
  errorCode: string;
  errorMessage: string;
  reasonFrom: string;
  batchTypeId: number | null;
  requestId: string | null;
  groupId: string | null;
}

describe('batchctl against the sandbox', () => {
  let sandbox: Sandbox;
  /** While true, the local ECS answers RunTask with failures[] (capacity), a transient failure. */
  let ecsOutOfCapacity = false;
  const cli = (args: readonly string[]): Promise<Run> =>
    batchctl(args, { env: sandbox.environment, target: () => resolveTarget({}, sandbox.environment) });

  const dlqDepth = async () => (await sandbox.deadLetters()).length;

  beforeAll(async () => {
    sandbox = await startSandbox({
      ports: { events: 0, sqs: 0, ecs: 0, dynamodb: 0 },
      visibilityTimeoutSeconds: 2,
      // Compresses the launcher's retry backoff so retries exhaust in seconds.
      maxVisibilityTimeoutSeconds: 1,
      ecs: { placementFailureRate: 0.5, random: () => (ecsOutOfCapacity ? 0 : 0.99) },
      poller: { waitTimeSeconds: 1, concurrency: 2 },
      log: () => {},
      handlerLogLevel: 'SILENT',
    });
  });

  afterAll(async () => {
    await sandbox?.stop();
  });

  it('knows the sandbox by the names it gives the resources', () => {
    expect(SANDBOX_NAMES).toEqual({
      eventBus: sandbox.eventBusName,
      queue: queueNameOf(sandbox.queueUrl),
      deadLetterQueue: queueNameOf(sandbox.dlqUrl),
      lifecycleTable: sandbox.tables.lifecycle,
    });
  });

  it('sends a request the launcher runs to SUCCEEDED, seen through status <requestId>', async () => {
    // Act
    const sent = await cli([
      'send',
      '--type',
      '1',
      '--request-id',
      'cli-hello-1',
      '--param',
      'greeting=hi',
      '--json',
    ]);

    // Assert
    expect(sent.exitCode).toBe(0);
    expect(sent.json()).toMatchObject({
      ok: true,
      eventId: expect.any(String),
      detail: { requestId: 'cli-hello-1' },
    });
    const status = await eventually('request cli-hello-1 to succeed', async () => {
      const run = await cli(['status', 'cli-hello-1', '--json']);
      const records = run.exitCode === 0 ? run.json<{ records: { status: string }[] }>().records : [];
      return { done: records[0]?.status === 'SUCCEEDED', value: run };
    });
    expect(status.json()).toMatchObject({
      queues: [
        { queue: 'batch-requests.fifo', visible: 0, inFlight: 0 },
        { queue: 'batch-requests-dlq.fifo', visible: 0 },
      ],
      records: [
        { requestId: 'cli-hello-1', batchTypeId: 1, batchType: 'hello', status: 'SUCCEEDED', exitCode: 0 },
      ],
    });
    const human = await cli(['status', 'cli-hello-1']);
    expect(human.stdout).toMatch(/batch-requests\.fifo\s+0\s+0\s+0\s+not peeked \(--peek\)/);
    expect(human.stdout).toMatch(/status:\s+SUCCEEDED/);
  });

  it('peeks the requests queue for the age of its oldest message only with --peek', async () => {
    await sandbox.poller.stop();
    try {
      // Arrange: a request waiting in the queue while the launcher is held.
      await cli(['send', '--type', '1', '--request-id', 'cli-waiting-1']);
      type Status = { queues: { visible: number; peeked: boolean; oldestAgeSeconds: number | null }[] };

      // Act
      const plain = (await cli(['status', '--json'])).json<Status>();
      const peeked = (await cli(['status', '--peek', '--json'])).json<Status>();

      // Assert
      expect(plain.queues[0]).toMatchObject({ visible: 1, peeked: false, oldestAgeSeconds: null });
      expect(peeked.queues[0]).toMatchObject({
        visible: 1,
        peeked: true,
        oldestAgeSeconds: expect.any(Number),
      });
    } finally {
      sandbox.poller.start();
    }
    await eventually('cli-waiting-1 to succeed', async () => {
      const run = await cli(['status', 'cli-waiting-1', '--json']);
      const records = run.exitCode === 0 ? run.json<{ records: { status: string }[] }>().records : [];
      return { done: records[0]?.status === 'SUCCEEDED', value: records };
    });
  });

  it('exits 3 for a request id with no lifecycle record, and for an empty DLQ', async () => {
    expect((await cli(['status', 'never-sent'])).exitCode).toBe(3);
    const list = await cli(['dlq', 'list']);
    expect(list.exitCode).toBe(3);
    expect(list.stderr).toContain('The DLQ batch-requests-dlq.fifo is empty: nothing to list.');
  });

  describe('with rejected and exhausted requests in the DLQ', () => {
    beforeAll(async () => {
      // Two unknown batch types (group "unrouted"): valid events, rejected as UnknownBatchType.
      for (const id of ['cli-unknown-1', 'cli-unknown-2']) {
        const sent = await cli(['send', '--type', '99', '--request-id', id]);
        expect(sent.stderr).toContain("batch type 99 is not in stage local's catalog");
      }
      // A monolith typo batchctl would refuse ("parameter"): put raw, rejected as SchemaViolation (group batch-1).
      await sandbox.bus.putEvents({
        Entries: [
          {
            EventBusName: 'batch-requests',
            Source: 'local.monolith',
            DetailType: 'BatchRequested',
            Detail: JSON.stringify({ batchTypeId: 1, requestId: 'cli-typo-1', parameter: 'x' }),
          },
        ],
      });
      // ECS out of capacity: a transient failure, retried until SQS moves it to the DLQ (group batch-2).
      ecsOutOfCapacity = true;
      await cli(['send', '--type', '2', '--request-id', 'cli-capacity-1']);
      await eventually('four dead letters', async () => {
        const depth = await dlqDepth();
        return { done: depth === 4, value: depth };
      });
      ecsOutOfCapacity = false;
    });

    it('lists the DLQ with each reason, leaving every message in it', async () => {
      // Act
      const run = await cli(['dlq', 'list', '--json']);

      // Assert
      expect(run.exitCode).toBe(0);
      const listed = run.json<{ messages: DeadLetterJson[]; shown: number; notReached: number }>();
      // The sandbox's SQS hands out one message per FIFO group while the first is held: 3 groups, 3 shown.
      expect(listed.shown).toBe(3);
      expect(listed.notReached).toBe(1);
      expect(listed.messages).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            errorCode: 'UnknownBatchType',
            reasonFrom: 'launcher',
            batchTypeId: 99,
            requestId: 'cli-unknown-1',
            groupId: 'unrouted',
          }),
          expect.objectContaining({
            errorCode: 'SchemaViolation',
            errorMessage: expect.stringContaining('parameter'),
            batchTypeId: 1,
            requestId: 'cli-typo-1',
          }),
          expect.objectContaining({
            errorCode: 'MaxReceiveCountExceeded',
            errorMessage: expect.stringContaining('retries exhausted'),
            reasonFrom: 'redrive-policy',
            batchTypeId: 2,
            requestId: 'cli-capacity-1',
          }),
        ]),
      );
      const letters = await sandbox.deadLetters();
      expect(letters).toHaveLength(4);
      expect(letters.every((letter) => letter.state === 'ready')).toBe(true);

      const human = await cli(['dlq', 'list']);
      expect(human.stdout).toMatch(/^ERROR CODE\s+ERROR MESSAGE\s+TYPE\s+REQUEST ID\s+AGE\s+MESSAGE ID$/m);
      expect(human.stdout).toMatch(/^UnknownBatchType\s+.*\s99\s+cli-unknown-1\s/m);
      expect(human.stdout).toContain('1 more not shown: each sits behind a shown message of its FIFO group');
    });

    it('redrives exactly the exhausted request, which then launches', async () => {
      // Act
      const run = await cli(['dlq', 'redrive', '--filter', 'errorCode=MaxReceiveCountExceeded', '--json']);

      // Assert
      expect(run.exitCode).toBe(0);
      expect(run.json()).toMatchObject({
        mode: 'one-by-one',
        reason: 'filter',
        before: 4,
        after: 3,
        moved: 1,
        failed: 0,
        movedMessages: [expect.objectContaining({ requestId: 'cli-capacity-1', groupId: 'batch-2' })],
      });
      await eventually('cli-capacity-1 to be launched', async () => {
        const status = await cli(['status', 'cli-capacity-1', '--json']);
        const records = status.exitCode === 0 ? status.json<{ records: { status: string }[] }>().records : [];
        return { done: ['SUCCEEDED', 'FAILED'].includes(records[0]?.status ?? ''), value: records };
      });
      expect(await dlqDepth()).toBe(3);
    });

    it('redrives --filter errorCode=UnknownBatchType: exactly the two matching ones move', async () => {
      // Arrange: hold the launcher, so the counts show the move itself (it would reject them again at once).
      await sandbox.poller.stop();
      try {
        // Act
        const dryRun = await cli([
          'dlq',
          'redrive',
          '--filter',
          'errorCode=UnknownBatchType',
          '--dry-run',
          '--json',
        ]);
        const run = await cli(['dlq', 'redrive', '--filter', 'errorCode=UnknownBatchType', '--json']);
        const status = await cli(['status', '--json']);

        // Assert
        // A dry run moves nothing, so it reaches only the first of the two in group "unrouted".
        expect(dryRun.json()).toMatchObject({
          mode: 'dry-run',
          before: 3,
          after: 3,
          wouldMove: 1,
          notReached: 1,
        });
        expect(run.exitCode).toBe(0);
        const result = run.json<{ movedMessages: DeadLetterJson[] }>();
        expect(result).toMatchObject({ before: 3, after: 1, moved: 2, skipped: 1, failed: 0, notReached: 0 });
        expect(result.movedMessages.map((message) => message.requestId).sort()).toEqual([
          'cli-unknown-1',
          'cli-unknown-2',
        ]);
        const remaining = await sandbox.deadLetters();
        expect(remaining.map((letter) => letter.body)).toEqual([expect.stringContaining('cli-typo-1')]);
        expect(status.json()).toMatchObject({
          queues: [
            { queue: 'batch-requests.fifo', visible: 2 },
            { queue: 'batch-requests-dlq.fifo', visible: 1 },
          ],
        });
      } finally {
        sandbox.poller.start();
      }
      // Nothing fixed their cause: the launcher rejects them into the DLQ again.
      await eventually('the unknown types back in the DLQ', async () => {
        const depth = await dlqDepth();
        return { done: depth === 3, value: depth };
      });
    });

    it('moves each matching message once while the launcher rejects them again during the redrive', async () => {
      // Act: the launcher runs; each moved UnknownBatchType comes straight back as a new DLQ message.
      const run = await cli(['dlq', 'redrive', '--filter', 'errorCode=UnknownBatchType', '--json']);

      // Assert: two moved, never the returning copies (which would loop for as long as the walk runs).
      expect(run.exitCode).toBe(0);
      const result = run.json<{ moved: number; cameBack: number; movedMessages: DeadLetterJson[] }>();
      expect(result.moved).toBe(2);
      expect(result.movedMessages.map((message) => message.requestId).sort()).toEqual([
        'cli-unknown-1',
        'cli-unknown-2',
      ]);
      await eventually('the unknown types back in the DLQ', async () => {
        const depth = await dlqDepth();
        return { done: depth === 3, value: depth };
      });
    });

    it('stops a dry run at --max and counts what it did not reach', async () => {
      const run = await cli(['dlq', 'redrive', '--max', '1', '--dry-run', '--json']);

      expect(run.exitCode).toBe(0);
      expect(run.json()).toMatchObject({ reason: 'dry-run', wouldMove: 1, notReached: 1 });
      expect(await dlqDepth()).toBe(3);
    });

    it('falls back to one by one, saying so, where the emulator has no SQS move tasks', async () => {
      await sandbox.poller.stop();
      try {
        // Act
        const run = await cli(['dlq', 'redrive', '--json']);

        // Assert: fauxqs answers InvalidAction; every message moves, the emptied head unlocking the next.
        expect(run.exitCode).toBe(0);
        expect(run.stderr).toContain('SQS move tasks are unavailable on this endpoint (InvalidAction');
        expect(run.json()).toMatchObject({ reason: 'move-task-unavailable', before: 3, moved: 3, after: 0 });
      } finally {
        sandbox.poller.start();
      }
      await eventually('the rejected requests back in the DLQ', async () => {
        const depth = await dlqDepth();
        return { done: depth === 3, value: depth };
      });
    });

    it('refuses to purge without --yes and leaves the DLQ as it was', async () => {
      const before = await dlqDepth();

      const run = await cli(['dlq', 'purge', '--json']);

      expect(run.exitCode).toBe(2);
      expect(run.json()).toMatchObject({ ok: false, error: { code: 'ConfirmationRequired' } });
      expect(await dlqDepth()).toBe(before);
    });

    it('says the sandbox keeps no archive to replay from', async () => {
      const run = await cli(['replay', '--from', '2026-01-01T00:00:00Z', '--to', '2026-01-01T01:00:00Z']);

      expect(run.exitCode).toBe(3);
      expect(run.stderr).toContain('This EventBridge endpoint keeps no event archive');
    });

    it('purges with --yes', async () => {
      const run = await cli(['dlq', 'purge', '--yes', '--json']);

      expect(run.exitCode).toBe(0);
      expect(run.json()).toMatchObject({ purged: 3 });
      await eventually('an empty DLQ', async () => {
        const depth = await dlqDepth();
        return { done: depth === 0, value: depth };
      });
    });
  });
});
