import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient, RunTaskCommand, type RunTaskCommandInput } from '@aws-sdk/client-ecs';
import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { loadStageConfig } from '../../config/stages.js';
import { indexCatalog } from '../../src/launcher/catalog-index.js';
import { IdempotentLaunch } from '../../src/launcher/idempotent-launch.js';
import { createLaunchBatchHandler } from '../../src/launcher/launch-batch.js';
import type { LifecycleRecorder } from '../../src/launcher/ports.js';
import { createIdempotencyTable, type LocalDynamoDb, startDynalite } from './dynalite.js';
import { DLQ_URL, QUEUE_URL } from './sqs-records.js';

export const LOCAL = loadStageConfig('local');
export const HELLO = LOCAL.catalog[0]!;
export const ALWAYS_FAILS = LOCAL.catalog[1]!;

/** The task ECS answers for a RunTask input: one per clientToken, like ECS itself. */
export function taskArnFor(input: RunTaskCommandInput): string {
  return `arn:aws:ecs:us-east-1:000000000000:task/${input.cluster}/${(input.clientToken ?? 'none').slice(0, 32)}`;
}

/** A real DynamoDB (dynalite) with the idempotency table, for the real Powertools store. */
export async function startIdempotencyStore(): Promise<LocalDynamoDb & { table: string }> {
  const dynamodb = await startDynalite();
  const table = 'idempotency';
  await createIdempotencyTable(dynamodb.client, table);
  return Object.assign(dynamodb, { table });
}

/** Lifecycle calls, kept for assertions. */
export class RecordingLifecycle implements LifecycleRecorder {
  readonly calls: { kind: 'launched' | 'rejected'; entry: Record<string, unknown> }[] = [];
  async launched(entry: Parameters<LifecycleRecorder['launched']>[0]): Promise<void> {
    this.calls.push({ kind: 'launched', entry });
  }
  async rejected(entry: Parameters<LifecycleRecorder['rejected']>[0]): Promise<void> {
    this.calls.push({ kind: 'rejected', entry });
  }
}

/**
 * The launch-batch handler through its real middy pipeline, with ECS and SQS
 * mocked at the SDK client and the real Powertools idempotency on dynalite.
 */
export function buildLauncher(
  store: { client: DynamoDBClient; table: string },
  options: { random?: () => number; logLevel?: 'SILENT' | 'DEBUG' | 'INFO' } = {},
) {
  const ecs = mockClient(ECSClient);
  const sqs = mockClient(SQSClient);
  ecs.on(RunTaskCommand).callsFake(async (input: RunTaskCommandInput) => ({
    tasks: [
      {
        taskArn: taskArnFor(input),
        clusterArn: `arn:aws:ecs:us-east-1:000000000000:cluster/${input.cluster}`,
      },
    ],
    failures: [],
  }));
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-message' });
  sqs.on(ChangeMessageVisibilityCommand).resolves({});
  const lifecycle = new RecordingLifecycle();
  const launchOnce = new IdempotentLaunch({
    tableName: store.table,
    expiresAfterSeconds: 3600,
    client: store.client,
  });
  const handler = createLaunchBatchHandler({
    catalog: indexCatalog(LOCAL.catalog),
    ecs: new ECSClient({ region: 'us-east-1' }),
    sqs: new SQSClient({ region: 'us-east-1' }),
    dlqUrl: DLQ_URL,
    sourceQueueUrl: QUEUE_URL,
    launchOnce,
    lifecycle,
    logger: new Logger({ serviceName: 'launch-batch', logLevel: options.logLevel ?? 'SILENT' }),
    metrics: new Metrics({ namespace: 'EcsBatchLauncherTest', serviceName: 'launch-batch' }),
    now: () => new Date('2026-12-04T12:00:00.000Z'),
    random: options.random ?? (() => 1),
  });
  return { handler, ecs, sqs, lifecycle };
}
