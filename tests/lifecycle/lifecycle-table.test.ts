import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { jest } from '@jest/globals';
import { ConfigError } from '../../config/errors.js';
import { LifecycleStoreError } from '../../src/lifecycle/errors.js';
import { LifecycleStatus, type TaskRunning, type TaskStopped } from '../../src/lifecycle/lifecycle-record.js';
import { type DebugLogger, LifecycleTable } from '../../src/lifecycle/lifecycle-table.js';
import { createLifecycleTable, type LocalDynamoDb, startDynalite } from '../helpers/dynalite.js';

const NOW = new Date('2026-12-04T12:00:00.000Z');
const NOW_SECONDS = NOW.getTime() / 1000;
const TTL_DAYS = 90;
const TASK_A = 'arn:aws:ecs:us-east-1:000000000000:task/local/aaaa';
const TASK_B = 'arn:aws:ecs:us-east-1:000000000000:task/local/bbbb';
const CLUSTER = 'arn:aws:ecs:us-east-1:000000000000:cluster/local';

let dynamo: LocalDynamoDb;
let tableName: string;
let tables = 0;
let clock: Date;
let logger: { debug: jest.Mock<DebugLogger['debug']> };
let table: LifecycleTable;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});
beforeEach(async () => {
  tableName = `lifecycle-${++tables}`;
  await createLifecycleTable(dynamo.client, tableName);
  clock = NOW;
  logger = { debug: jest.fn<DebugLogger['debug']>() };
  table = new LifecycleTable({
    client: dynamo.client,
    tableName,
    ttlDays: TTL_DAYS,
    now: () => clock,
    logger,
  });
});

function launchedEntry(overrides: Partial<Parameters<LifecycleTable['launched']>[0]> = {}) {
  return {
    requestId: 'req-1',
    batchTypeId: 1,
    batchType: 'hello',
    traceId: 'trace-1',
    taskArn: TASK_A,
    messageId: 'msg-1',
    at: new Date('2026-12-04T11:59:59.000Z'),
    ...overrides,
  };
}

function running(overrides: Partial<TaskRunning> = {}): TaskRunning {
  return {
    requestId: 'req-1',
    batchTypeId: 1,
    batchType: 'hello',
    traceId: 'trace-1',
    taskArn: TASK_A,
    clusterArn: CLUSTER,
    status: LifecycleStatus.Running,
    startedAt: '2026-12-04T12:00:30.000Z',
    ...overrides,
  };
}

function stopped(overrides: Partial<TaskStopped> = {}): TaskStopped {
  return {
    requestId: 'req-1',
    batchTypeId: 1,
    batchType: 'hello',
    traceId: 'trace-1',
    taskArn: TASK_A,
    clusterArn: CLUSTER,
    status: LifecycleStatus.Succeeded,
    exitCode: 0,
    stoppedReason: 'Essential container in task exited',
    stopCode: 'EssentialContainerExited',
    startedAt: '2026-12-04T12:00:30.000Z',
    stoppedAt: '2026-12-04T12:05:00.000Z',
    queuedMs: 30_000,
    runMs: 270_000,
    ...overrides,
  };
}

describe('LifecycleTable', () => {
  describe('launched', () => {
    it('writes a LAUNCHED record with the launch facts and a TTL when the request is new', async () => {
      // Act
      await table.launched(launchedEntry());

      // Assert
      expect(await table.get('req-1')).toEqual([
        {
          requestId: 'req-1',
          batchTypeId: 1,
          batchType: 'hello',
          traceId: 'trace-1',
          status: 'LAUNCHED',
          statusRank: 1,
          taskArn: TASK_A,
          messageId: 'msg-1',
          launchedAt: '2026-12-04T11:59:59.000Z',
          createdAt: NOW.toISOString(),
          updatedAt: NOW.toISOString(),
          expiresAt: NOW_SECONDS + TTL_DAYS * 86_400,
        },
      ]);
    });

    it('never moves a RUNNING record back, but fills what only the launcher knows, when track-task got there first', async () => {
      // Arrange
      await table.applyTaskState(running({ batchType: undefined }));

      // Act
      await table.launched(launchedEntry());

      // Assert
      const [record] = await table.get('req-1');
      expect(record).toMatchObject({
        status: 'RUNNING',
        statusRank: 2,
        batchType: 'hello',
        messageId: 'msg-1',
        launchedAt: '2026-12-04T11:59:59.000Z',
      });
      expect(logger.debug).toHaveBeenCalledWith(
        'Lifecycle LAUNCHED is stale: the task is already further along',
        { requestId: 'req-1', batchTypeId: 1, taskArn: TASK_A },
      );
    });

    it('leaves a record of another task untouched when a second launch is reported', async () => {
      // Arrange
      await table.launched(launchedEntry());
      await table.applyTaskState(running());

      // Act
      await table.launched(launchedEntry({ taskArn: TASK_B, messageId: 'msg-2', batchType: 'renamed' }));

      // Assert
      expect(await table.get('req-1')).toEqual([
        expect.objectContaining({
          status: 'RUNNING',
          taskArn: TASK_A,
          messageId: 'msg-1',
          batchType: 'hello',
        }),
      ]);
    });

    it('replaces a REJECTED record and clears its error when a redriven request launches', async () => {
      // Arrange
      await table.rejected({
        requestId: 'req-1',
        batchTypeId: 1,
        traceId: 'trace-1',
        errorCode: 'ClientException',
        errorMessage: 'ecs:RunTask failed with ClientException',
        messageId: 'msg-0',
        at: new Date('2026-12-04T11:00:00.000Z'),
      });

      // Act
      await table.launched(launchedEntry());

      // Assert
      const [record] = await table.get('req-1');
      expect(record).toMatchObject({
        status: 'LAUNCHED',
        statusRank: 1,
        taskArn: TASK_A,
        messageId: 'msg-1',
      });
      expect(record).not.toHaveProperty('errorCode');
      expect(record).not.toHaveProperty('errorMessage');
      expect(record).not.toHaveProperty('rejectedAt');
    });
  });

  describe('rejected', () => {
    it('stores the reason under batch type 0 when the batch type is unknown', async () => {
      // Act
      await table.rejected({
        requestId: 'msg-9',
        errorCode: 'SchemaViolation',
        errorMessage: 'detail.batchTypeId: expected number',
        messageId: 'msg-9',
        at: new Date('2026-12-04T11:30:00.000Z'),
      });

      // Assert
      expect(await table.get('msg-9')).toEqual([
        {
          requestId: 'msg-9',
          batchTypeId: 0,
          status: 'REJECTED',
          statusRank: 0,
          errorCode: 'SchemaViolation',
          errorMessage: 'detail.batchTypeId: expected number',
          messageId: 'msg-9',
          rejectedAt: '2026-12-04T11:30:00.000Z',
          createdAt: NOW.toISOString(),
          updatedAt: NOW.toISOString(),
          expiresAt: NOW_SECONDS + TTL_DAYS * 86_400,
        },
      ]);
    });

    it('updates the reason when the same request is rejected again', async () => {
      // Arrange
      const first = { requestId: 'req-1', batchTypeId: 1, messageId: 'msg-1', at: NOW };
      await table.rejected({ ...first, errorCode: 'OverridesTooLarge', errorMessage: 'too large' });
      clock = new Date(NOW.getTime() + 60_000);

      // Act
      await table.rejected({
        ...first,
        messageId: 'msg-2',
        errorCode: 'ClientException',
        errorMessage: 'bad',
      });

      // Assert
      expect(await table.get('req-1')).toEqual([
        expect.objectContaining({
          status: 'REJECTED',
          errorCode: 'ClientException',
          messageId: 'msg-2',
          createdAt: NOW.toISOString(),
          updatedAt: clock.toISOString(),
        }),
      ]);
    });

    it('does not hide a launched task when a conflicting duplicate of its request is rejected', async () => {
      // Arrange
      await table.launched(launchedEntry());

      // Act
      await table.rejected({
        requestId: 'req-1',
        batchTypeId: 1,
        errorCode: 'ConflictException',
        errorMessage: 'already launched with other parameters',
        messageId: 'msg-2',
        at: NOW,
      });

      // Assert
      const [record] = await table.get('req-1');
      expect(record).toMatchObject({ status: 'LAUNCHED', taskArn: TASK_A, messageId: 'msg-1' });
      expect(record).not.toHaveProperty('errorCode');
      expect(logger.debug).toHaveBeenCalledWith(
        'Lifecycle REJECTED not recorded: the request already has a task',
        {
          requestId: 'req-1',
          batchTypeId: 1,
          errorCode: 'ConflictException',
          messageId: 'msg-2',
        },
      );
    });
  });

  describe('applyTaskState', () => {
    it('moves LAUNCHED → RUNNING → SUCCEEDED and returns each new record', async () => {
      // Arrange
      await table.launched(launchedEntry());

      // Act
      const run = await table.applyTaskState(running());
      const stop = await table.applyTaskState(stopped());

      // Assert
      expect(run).toEqual({
        applied: true,
        record: expect.objectContaining({ status: 'RUNNING', statusRank: 2 }),
      });
      expect(stop).toEqual({
        applied: true,
        record: {
          requestId: 'req-1',
          batchTypeId: 1,
          batchType: 'hello',
          traceId: 'trace-1',
          status: 'SUCCEEDED',
          statusRank: 3,
          taskArn: TASK_A,
          clusterArn: CLUSTER,
          messageId: 'msg-1',
          exitCode: 0,
          stoppedReason: 'Essential container in task exited',
          stopCode: 'EssentialContainerExited',
          launchedAt: '2026-12-04T11:59:59.000Z',
          startedAt: '2026-12-04T12:00:30.000Z',
          stoppedAt: '2026-12-04T12:05:00.000Z',
          queuedMs: 30_000,
          runMs: 270_000,
          createdAt: NOW.toISOString(),
          updatedAt: NOW.toISOString(),
          expiresAt: NOW_SECONDS + TTL_DAYS * 86_400,
        },
      });
    });

    it('stores a null exit code and no start when the task never ran', async () => {
      // Act
      const outcome = await table.applyTaskState(
        stopped({
          status: LifecycleStatus.Failed,
          exitCode: null,
          stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
          stopCode: 'TaskFailedToStart',
          startedAt: undefined,
          queuedMs: null,
          runMs: null,
        }),
      );

      // Assert
      expect(outcome.applied).toBe(true);
      expect(outcome.record).toMatchObject({ status: 'FAILED', exitCode: null, queuedMs: null, runMs: null });
      expect(outcome.record).not.toHaveProperty('startedAt');
    });

    it('keeps SUCCEEDED and reports stale when RUNNING arrives after STOPPED', async () => {
      // Arrange
      await table.applyTaskState(stopped());

      // Act
      const late = await table.applyTaskState(running());

      // Assert
      expect(late).toEqual({
        applied: false,
        reason: 'stale',
        record: expect.objectContaining({ status: 'SUCCEEDED', statusRank: 3 }),
      });
      expect(logger.debug).toHaveBeenCalledWith('Lifecycle RUNNING not recorded (stale)', {
        requestId: 'req-1',
        batchTypeId: 1,
        taskArn: TASK_A,
        storedStatus: 'SUCCEEDED',
        storedTaskArn: TASK_A,
      });
    });

    it('does not let a redelivered STOPPED change the outcome', async () => {
      // Arrange
      await table.applyTaskState(stopped({ status: LifecycleStatus.Failed, exitCode: 3 }));

      // Act
      const again = await table.applyTaskState(stopped({ exitCode: 0 }));

      // Assert
      expect(again.applied).toBe(false);
      expect(again.record).toMatchObject({ status: 'FAILED', exitCode: 3 });
    });

    it('reports other-task and keeps the record when a second task of the same request changes state', async () => {
      // Arrange
      await table.launched(launchedEntry());

      // Act
      const outcome = await table.applyTaskState(running({ taskArn: TASK_B }));

      // Assert
      expect(outcome).toEqual({
        applied: false,
        reason: 'other-task',
        record: expect.objectContaining({ status: 'LAUNCHED', taskArn: TASK_A }),
      });
    });
  });

  describe('result publication', () => {
    const key = { requestId: 'req-1', batchTypeId: 1 };

    it('lets one claim hold until it expires, is released, or the result is published', async () => {
      // Arrange
      await table.applyTaskState(stopped());
      const until = new Date(NOW.getTime() + 30_000);

      // Act
      const first = await table.claimResultPublication(key, until);
      const whileHeld = await table.claimResultPublication(key, until);
      await table.releaseResultPublication(key);
      const afterRelease = await table.claimResultPublication(key, until);
      clock = new Date(until.getTime() + 1);
      const afterExpiry = await table.claimResultPublication(key, new Date(clock.getTime() + 30_000));
      await table.resultPublished(key);
      const afterPublish = await table.claimResultPublication(key, new Date(clock.getTime() + 30_000));

      // Assert
      expect([first, whileHeld, afterRelease, afterExpiry, afterPublish]).toEqual([
        true,
        false,
        true,
        true,
        false,
      ]);
      const [record] = await table.get('req-1');
      expect(record?.resultPublishedAt).toBe(clock.toISOString());
      expect(record).not.toHaveProperty('resultLeaseUntil');
    });

    it('never claims a record that does not exist', async () => {
      // Act
      const claimed = await table.claimResultPublication(key, new Date(NOW.getTime() + 1000));

      // Assert
      expect(claimed).toBe(false);
      expect(await table.get('req-1')).toEqual([]);
    });
  });

  describe('get', () => {
    it('returns every batch type of a request, in batch type order', async () => {
      // Arrange
      await table.launched(launchedEntry({ batchTypeId: 2, batchType: 'always-fails' }));
      await table.launched(launchedEntry());
      await table.launched(launchedEntry({ requestId: 'req-other' }));

      // Act
      const records = await table.get('req-1');

      // Assert
      expect(records.map((r) => [r.batchTypeId, r.batchType])).toEqual([
        [1, 'hello'],
        [2, 'always-fails'],
      ]);
    });

    it('finds nothing for an unknown request', async () => {
      expect(await table.find({ requestId: 'nope', batchTypeId: 1 })).toBeUndefined();
      expect(await table.get('nope')).toEqual([]);
    });

    it('refuses an item that is not a lifecycle record and says which', async () => {
      // Arrange
      await dynamo.client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { requestId: { S: 'req-x' }, batchTypeId: { N: '1' }, status: { S: 'DONE' } },
        }),
      );

      // Act
      const read = table.get('req-x');

      // Assert
      await expect(read).rejects.toThrow(LifecycleStoreError);
      await expect(table.get('req-x')).rejects.toThrow(
        /Item \{"requestId":"req-x","batchTypeId":1\} in table "lifecycle-\d+" is not a lifecycle record \(status: /,
      );
    });
  });

  describe('when DynamoDB fails', () => {
    const missing = () =>
      new LifecycleTable({ client: dynamo.client, tableName: 'no-such-table', ttlDays: 1, now: () => NOW });

    it('wraps the error with what it was doing, for writes and reads', async () => {
      await expect(missing().launched(launchedEntry())).rejects.toThrow(
        'Could not record LAUNCHED for request "req-1" (batch type 1) in table "no-such-table": ResourceNotFoundException',
      );
      await expect(missing().get('req-1')).rejects.toThrow(
        'Could not read the records of request "req-1" in table "no-such-table": ResourceNotFoundException',
      );
      await expect(missing().find({ requestId: 'req-1', batchTypeId: 1 })).rejects.toMatchObject({
        name: 'LifecycleStoreError',
        message: expect.stringContaining('Could not read request "req-1" (batch type 1)'),
        cause: expect.objectContaining({ name: 'ResourceNotFoundException' }),
      });
    });
  });

  describe('construction', () => {
    it('uses an injected document client as is', async () => {
      // Arrange
      const documents = DynamoDBDocumentClient.from(dynamo.client);
      const viaDocuments = new LifecycleTable({ client: documents, tableName, ttlDays: 1, now: () => NOW });

      // Act
      await viaDocuments.launched(launchedEntry());

      // Assert
      expect(await table.get('req-1')).toEqual([
        expect.objectContaining({ status: 'LAUNCHED', expiresAt: NOW_SECONDS + 86_400 }),
      ]);
    });

    it('refuses an empty table name or a TTL that is not whole days', () => {
      expect(() => new LifecycleTable({ client: dynamo.client, tableName: ' ', ttlDays: 1 })).toThrow(
        ConfigError,
      );
      expect(() => new LifecycleTable({ client: dynamo.client, tableName: 't', ttlDays: 0.5 })).toThrow(
        'LifecycleTable ttlDays is 0.5: expected a whole number of days ≥ 1 (retention.lifecycleDays)',
      );
    });

    it('stamps with the system clock by default', async () => {
      // Arrange
      const systemClock = new LifecycleTable({ client: dynamo.client, tableName, ttlDays: 1 });
      const before = Date.now();

      // Act
      await systemClock.launched(launchedEntry());

      // Assert
      const [record] = await systemClock.get('req-1');
      expect(Date.parse(record?.updatedAt ?? '')).toBeGreaterThanOrEqual(before - 1000);
    });
  });
});
