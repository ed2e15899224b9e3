import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { jest } from '@jest/globals';
import { type Sandbox, startSandbox } from '../../sandbox/sandbox.js';
import { type DeadLetter, SandboxClient } from './support/sandbox-client.js';
import { waitFor } from './support/wait-for.js';

/**
 * The whole flow in one process, through real PutEvents: the local bus routes with the stack's
 * rules into SQS FIFO (fauxqs), the real launch-batch handler launches on the local ECS, the
 * real track-task records the outcome and publishes the result event.
 */
// Each test waits with its own bounded helper; jest's 5 s default is below a retry's timeline.
jest.setTimeout(40_000);

describe('the sandbox, for one BatchRequested at a time', () => {
  let sandbox: Sandbox;
  let client: SandboxClient;
  const log: string[] = [];
  let run = 0;
  /** Unique per test, so tests sharing the sandbox never see each other's requests. */
  const requestId = (name: string) => `${name}-${++run}`;

  beforeAll(async () => {
    sandbox = await startSandbox({
      visibilityTimeoutSeconds: 2,
      maxVisibilityTimeoutSeconds: 1,
      poller: { waitTimeSeconds: 1, concurrency: 2 },
      log: (line) => log.push(line),
      handlerLogLevel: 'SILENT',
    });
    client = new SandboxClient(sandbox);
  });

  afterAll(async () => {
    client?.destroy();
    await sandbox?.stop();
  });

  /** Waits until the request's result event arrived, then until nothing is left to happen. */
  async function completed(id: string) {
    const results = await waitFor(`the result event of ${id}`, async () => {
      const found = client.resultsFor(id);
      return { done: found.length > 0, value: found, seen: log.filter((line) => line.includes(id)) };
    });
    await settled();
    return results;
  }

  /** Nothing in the queue, no delivery under way: every consequence of what was put has happened. */
  async function settled() {
    await waitFor('an empty requests queue', async () => {
      const count = await client.messagesInQueue();
      return { done: count === 0, value: count };
    });
    await sandbox.bus.idle();
  }

  async function deadLetterOf(id: string): Promise<DeadLetter> {
    return waitFor(`a dead letter for ${id}`, async () => {
      const found = (await client.deadLetters()).filter((letter) => letter.body.includes(`"${id}"`));
      return { done: found.length > 0, value: found[0] as DeadLetter, seen: found };
    });
  }

  it('launches one task that exits 0, records SUCCEEDED and publishes one BatchSucceeded for a valid request', async () => {
    // Arrange
    const id = requestId('valid');

    // Act
    await client.putRequest({ batchTypeId: 1, requestId: id, parameters: { greeting: 'hi' } });
    const results = await completed(id);

    // Assert
    const tasks = await client.tasksOf(id);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ lastStatus: 'STOPPED', containers: [{ exitCode: 0 }] });
    expect(tasks[0]?.overrides?.containerOverrides?.[0]?.environment).toEqual(
      expect.arrayContaining([
        { name: 'BATCH_REQUEST_ID', value: id },
        { name: 'BATCH_PARAMETERS', value: '{"greeting":"hi"}' },
      ]),
    );
    expect(await client.lifecycle(id, 1)).toMatchObject({ status: 'SUCCEEDED', exitCode: 0 });
    expect(results.map((event) => event['detail-type'])).toEqual(['BatchSucceeded']);
    expect(results[0]?.detail).toMatchObject({ requestId: id, batchTypeId: 1, exitCode: 0 });
  });

  it('launches one task when the same request is put 3 times within the deduplication window', async () => {
    // Arrange
    const id = requestId('repeated');
    const detail = { batchTypeId: 1, requestId: id, parameters: { n: 1 } };

    // Act
    await client.putRequest(detail);
    await client.putRequest(detail);
    await client.putRequest(detail);
    const results = await completed(id);

    // Assert
    expect(await client.tasksOf(id)).toHaveLength(1);
    expect(results).toHaveLength(1);
    expect(log.filter((line) => line.includes(id) && line.includes(' received '))).toHaveLength(3);
  });

  it('dead-letters RequestIdReused when a launched requestId comes back with other parameters', async () => {
    // Arrange
    const id = requestId('reused');
    await client.putRequest({ batchTypeId: 1, requestId: id, parameters: { n: 1 } });
    await completed(id);

    // Act
    await client.putRequest({ batchTypeId: 1, requestId: id, parameters: { n: 2 } });
    const letter = await deadLetterOf(id);
    await settled();

    // Assert
    expect(letter.attributes).toMatchObject({ errorCode: 'RequestIdReused', requestId: id });
    expect(letter.body).toContain('"n":2');
    expect(await client.tasksOf(id)).toHaveLength(1);
  });

  it('dead-letters UnknownBatchType, in message group "unrouted", for a type not in the catalog', async () => {
    // Arrange
    const id = requestId('unknown-type');

    // Act
    await client.putRequest({ batchTypeId: 99, requestId: id });
    const letter = await deadLetterOf(id);

    // Assert
    expect(letter.attributes.errorCode).toBe('UnknownBatchType');
    expect(letter.messageGroupId).toBe('unrouted');
    expect(await client.tasksOf(id)).toHaveLength(0);
  });

  it('dead-letters SchemaViolation for a request without batchTypeId', async () => {
    // Arrange
    const id = requestId('no-type');

    // Act
    await client.putRequest({ requestId: id });
    const letter = await deadLetterOf(id);

    // Assert
    expect(letter.attributes.errorCode).toBe('SchemaViolation');
    expect(letter.messageGroupId).toBe('unrouted');
    expect(await client.tasksOf(id)).toHaveLength(0);
  });

  it('dead-letters SchemaViolation for a request with an unknown field', async () => {
    // Arrange
    const id = requestId('typo');

    // Act
    await client.putRequest({ batchTypeId: 1, requestId: id, parameter: { n: 1 } });
    const letter = await deadLetterOf(id);

    // Assert
    expect(letter.attributes.errorCode).toBe('SchemaViolation');
    expect(letter.attributes.errorMessage).toContain('parameter');
    expect(letter.messageGroupId).toBe('batch-1');
    expect(await client.tasksOf(id)).toHaveLength(0);
  });

  it('dead-letters OverridesTooLarge for parameters that would make RunTask overrides exceed 8,192 characters', async () => {
    // Arrange
    const id = requestId('oversize');

    // Act
    await client.putRequest({ batchTypeId: 1, requestId: id, parameters: 'x'.repeat(9_000) });
    const letter = await deadLetterOf(id);

    // Assert
    expect(letter.attributes.errorCode).toBe('OverridesTooLarge');
    expect(await client.tasksOf(id)).toHaveLength(0);
  });

  it('records FAILED and publishes one BatchFailed when the always-fails batch exits 3', async () => {
    // Arrange
    const id = requestId('fails');

    // Act
    await client.putRequest({ batchTypeId: 2, requestId: id });
    const results = await completed(id);

    // Assert
    const tasks = await client.tasksOf(id);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ lastStatus: 'STOPPED', containers: [{ exitCode: 3 }] });
    expect(await client.lifecycle(id, 2)).toMatchObject({ status: 'FAILED', exitCode: 3 });
    expect(results.map((event) => event['detail-type'])).toEqual(['BatchFailed']);
  });

  it('answers PutEvents per entry and counts an event that no rule matches', async () => {
    // Arrange
    const unmatchedBefore = sandbox.bus.stats.unmatched;
    const entry = { Source: 'local.monolith', DetailType: 'BatchRequested' } as const;

    // Act
    const answer = await client.events.send(
      new PutEventsCommand({
        Entries: [
          { ...entry, EventBusName: sandbox.eventBusName, Detail: 'not json' },
          // No EventBusName: the default bus, where no rule takes BatchRequested.
          { ...entry, Detail: JSON.stringify({ batchTypeId: 1, requestId: requestId('default-bus') }) },
          { ...entry, EventBusName: 'no-such-bus', Detail: '{}' },
        ],
      }),
    );

    // Assert
    expect(answer.FailedEntryCount).toBe(2);
    expect(answer.Entries).toEqual([
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { EventId: expect.any(String) },
      { ErrorCode: 'ResourceNotFoundException', ErrorMessage: 'Event bus no-such-bus does not exist.' },
    ]);
    expect(sandbox.bus.stats.unmatched).toBe(unmatchedBefore + 1);
    expect(log.some((line) => line.includes('unmatched') && line.includes('bus "default"'))).toBe(true);
  });

  it('refuses a PutEvents call of more than 10 entries as a whole', async () => {
    // Arrange
    const entries = Array.from({ length: 11 }, () => ({
      EventBusName: sandbox.eventBusName,
      Source: 'local.monolith',
      DetailType: 'BatchRequested',
      Detail: '{}',
    }));

    // Act
    const call = client.events.send(new PutEventsCommand({ Entries: entries }));

    // Assert
    await expect(call).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
