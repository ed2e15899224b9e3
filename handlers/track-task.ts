import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { LifecycleTable } from '../src/lifecycle/lifecycle-table.js';
import { trackTaskSettings } from '../src/tracking/settings.js';
import { createTrackTask, type TrackOutcome } from '../src/tracking/track-task.js';

/**
 * track-task: ECS Task State Change events of the tasks this system started →
 * lifecycle record + BatchSucceeded / BatchFailed on the batch-requests bus.
 * Wiring only; the logic is `createTrackTask`.
 */

const settings = trackTaskSettings(process.env);
const logger = new Logger({ serviceName: 'track-task' });
const metrics = new Metrics({ namespace: 'EcsBatchLauncher', serviceName: 'track-task' });

const trackTask = createTrackTask({
  lifecycle: new LifecycleTable({
    client: new DynamoDBClient({}),
    tableName: settings.lifecycleTable,
    ttlDays: settings.config.retention.lifecycleDays,
    logger,
  }),
  events: new EventBridgeClient({}),
  eventBusName: settings.eventBusName,
  catalog: settings.config.catalog,
  logger,
  metrics,
});

export const handler = middy<EventBridgeEvent<string, unknown>, TrackOutcome>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler((event, context) => trackTask(event, { remainingTimeMs: context.getRemainingTimeInMillis() }));
