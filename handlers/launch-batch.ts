import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadStageConfig } from '../config/stages.js';
import { indexCatalog } from '../src/launcher/catalog-index.js';
import { IdempotentLaunch } from '../src/launcher/idempotent-launch.js';
import { createLaunchBatchHandler } from '../src/launcher/launch-batch.js';
import { LifecycleTable } from '../src/lifecycle/lifecycle-table.js';
import { launchBatchSettings, readSettings } from '../src/settings/read-settings.js';

/**
 * launch-batch: SQS FIFO batch of BatchRequested → one ECS task per request.
 * Wiring only, done once per cold start: settings and the stage's catalog are
 * validated here, so a bad deploy fails on its first invocation with a clear message.
 */

const settings = readSettings('launch-batch', launchBatchSettings);
const config = loadStageConfig(settings.STAGE);
const logger = new Logger({ serviceName: 'launch-batch', persistentKeys: { stage: config.stage } });
const dynamodb = new DynamoDBClient({});

export const handler = createLaunchBatchHandler({
  catalog: indexCatalog(config.catalog),
  ecs: new ECSClient({}),
  sqs: new SQSClient({}),
  dlqUrl: settings.DLQ_URL,
  sourceQueueUrl: settings.SOURCE_QUEUE_URL,
  launchOnce: new IdempotentLaunch({
    tableName: settings.IDEMPOTENCY_TABLE,
    expiresAfterSeconds: config.retention.idempotencyDays * 86_400,
    client: dynamodb,
  }),
  lifecycle: new LifecycleTable({
    client: dynamodb,
    tableName: settings.LIFECYCLE_TABLE,
    ttlDays: config.retention.lifecycleDays,
    logger,
  }),
  logger,
  metrics: new Metrics({ namespace: 'EcsBatchLauncher', serviceName: 'launch-batch' }),
  now: () => new Date(),
  random: Math.random,
});
