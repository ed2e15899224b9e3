import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { jest } from '@jest/globals';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { LifecycleTable } from '../../src/lifecycle/lifecycle-table.js';
import { createLifecycleTable, type LocalDynamoDb, startDynalite } from '../helpers/dynalite.js';
import { taskArnOf, taskStateChange } from '../tracking/ecs-events.js';

const TABLE = 'batch-lifecycle';
const BUS = 'batch-requests';

function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'track-task',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:track-task',
    memoryLimitInMB: '256',
    awsRequestId: '8f5e2c61-1f0a-4c55-9a43-0d6f6b1f2a77',
    logGroupName: '/aws/lambda/track-task',
    logStreamName: '2026/12/04/[$LATEST]0123456789',
    getRemainingTimeInMillis: () => 25_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

const events = mockClient(EventBridgeClient);
let dynamo: LocalDynamoDb;
const saved = { ...process.env };

beforeAll(async () => {
  dynamo = await startDynalite();
  await createLifecycleTable(dynamo.client, TABLE);
  Object.assign(process.env, {
    STAGE: 'local',
    LIFECYCLE_TABLE: TABLE,
    EVENT_BUS_NAME: BUS,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_METRICS_DISABLED: 'false',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
});
afterAll(async () => {
  process.env = saved;
  await dynamo.stop();
});

describe('handlers/track-task', () => {
  it('records the stopped task in DynamoDB, publishes its result and flushes its metric, end to end', async () => {
    // Arrange
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const { handler } = await import('../../handlers/track-task.js');
    const event = taskStateChange({
      requestId: 'req-e2e',
      taskId: 'e2e',
      lastStatus: 'STOPPED',
      exitCode: 0,
    });

    // Act
    const outcome = await handler(event as unknown as EventBridgeEvent<string, unknown>, lambdaContext());

    // Assert
    const written = stdout.mock.calls.map(([chunk]) => String(chunk));
    stdout.mockRestore();
    expect(outcome).toEqual({ action: 'published' });
    const lifecycle = new LifecycleTable({ client: dynamo.client, tableName: TABLE, ttlDays: 1 });
    expect(await lifecycle.get('req-e2e')).toEqual([
      expect.objectContaining({
        status: 'SUCCEEDED',
        batchType: 'hello',
        taskArn: taskArnOf('e2e'),
        resultPublishedAt: expect.any(String),
      }),
    ]);
    expect(events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(events).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [
        expect.objectContaining({
          EventBusName: BUS,
          Source: 'ecs-batch-launcher',
          DetailType: 'BatchSucceeded',
        }),
      ],
    });
    const emf = written
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(emf).toHaveLength(2);
    expect(emf[0]).toMatchObject({
      _aws: {
        CloudWatchMetrics: [{ Namespace: 'EcsBatchLauncher', Dimensions: [['service', 'batchType']] }],
      },
      service: 'track-task',
      batchType: 'hello',
      succeeded: 1,
    });
    expect(emf[1]).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'EcsBatchLauncher', Dimensions: [['service']] }] },
      stateChanges: 1,
    });
  });
});
