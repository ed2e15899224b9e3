import { ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { createLifecycleTable } from '../helpers/dynalite.js';
import { startIdempotencyStore } from '../helpers/launch-batch-fixture.js';
import {
  DLQ_URL,
  lambdaContext,
  QUEUE_URL,
  queuedBody,
  sqsEvent,
  sqsRecord,
} from '../helpers/sqs-records.js';

/** The deployed entry point itself: settings from the environment, real clients, the local stage. */
describe('handlers/launch-batch', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('refuses to start with a message naming each missing variable', async () => {
    process.env.STAGE = 'local';
    delete process.env.DLQ_URL;
    process.env.SOURCE_QUEUE_URL = 'not a url';
    await expect(import(`../../handlers/launch-batch.js?missing=${Date.now()}`)).rejects.toThrow(
      /launch-batch cannot start: its environment is incomplete or invalid:\n {2}- DLQ_URL: .*\n {2}- SOURCE_QUEUE_URL: the FIFO queue URL/,
    );
  });

  it('launches a request end to end with the stage catalog and the real idempotency table', async () => {
    const store = await startIdempotencyStore();
    await createLifecycleTable(store.client, 'lifecycle');
    Object.assign(process.env, {
      STAGE: 'local',
      DLQ_URL,
      SOURCE_QUEUE_URL: QUEUE_URL,
      IDEMPOTENCY_TABLE: store.table,
      LIFECYCLE_TABLE: 'lifecycle',
      AWS_ENDPOINT_URL_DYNAMODB: store.endpoint,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    const ecs = mockClient(ECSClient);
    mockClient(SQSClient);
    ecs
      .on(RunTaskCommand)
      .resolves({ tasks: [{ taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/local/abc' }] });
    const { handler } = await import(`../../handlers/launch-batch.js?ok=${Date.now()}`);

    const response = await handler(
      sqsEvent([sqsRecord({ body: queuedBody({ batchTypeId: 1, requestId: 'entry-1' }) })]),
      lambdaContext(),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(ecs.commandCalls(RunTaskCommand)[0]?.args[0].input.taskDefinition).toBe('hello');
    await store.stop();
  });
});
