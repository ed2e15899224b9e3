import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { GroupShortCircuitError } from './errors.js';
import { processFifoBatch } from './fifo-batch.js';
import { type LaunchRecordDeps, launchRecord, type Outcome, type RecordResult } from './launch-record.js';
import type { LaunchOnce } from './ports.js';
import { releaseSkippedRecords } from './retry-backoff.js';

export interface LaunchBatchDeps extends Omit<LaunchRecordDeps, 'count' | 'launchOnce'> {
  readonly launchOnce: LaunchOnce & { registerLambdaContext?(context: Context): void };
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** Records outside a FIFO queue have no group: each is its own, so none waits for another. */
function identify(record: SQSRecord): { groupId: string; messageId: string } {
  return {
    groupId: record.attributes.MessageGroupId ?? `message:${record.messageId}`,
    messageId: record.messageId,
  };
}

/**
 * Outcome counts of one invocation, published as one EMF metric per batch type
 * and outcome (`launched`, `duplicate`, `rejected`, `retried`), dimension `batchType`.
 */
function publishCounts(metrics: Metrics, counts: ReadonlyMap<string, number>): void {
  for (const [key, value] of counts) {
    const [outcome, batchType] = key.split('\u0000') as [Outcome, string];
    const single = metrics.singleMetric();
    single.addDimension('batchType', batchType);
    single.addMetric(outcome, MetricUnit.Count, value);
  }
}

/**
 * The `launch-batch` Lambda handler, wired with middy: one FIFO batch in, one
 * settled result per record out (turned into `batchItemFailures` by
 * `@middy/sqs-partial-batch-failure`). Dependencies are injected so tests drive
 * the real pipeline with SDK-level mocks and real emulators.
 */
export function createLaunchBatchHandler(
  deps: LaunchBatchDeps,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const { logger, metrics } = deps;
  const launchBatch = async (
    event: SQSEvent,
    context: Context,
  ): Promise<PromiseSettledResult<RecordResult>[]> => {
    deps.launchOnce.registerLambdaContext?.(context);
    const counts = new Map<string, number>();
    const count = (outcome: Outcome, batchType: string | undefined): void => {
      const key = `${outcome}\u0000${batchType ?? 'unknown'}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    };
    const results = await processFifoBatch(event.Records, identify, (record) =>
      launchRecord(record, { ...deps, count }, logger.createChild()),
    );
    const skipped = event.Records.filter((_record, index) => {
      const result = results[index];
      return result?.status === 'rejected' && result.reason instanceof GroupShortCircuitError;
    });
    for (const record of skipped) {
      logger.info('not processed: an earlier record of its message group failed', {
        messageId: record.messageId,
      });
    }
    await releaseSkippedRecords(deps.sqs, deps.sourceQueueUrl, skipped).catch((error: unknown) =>
      logger.warn('could not make skipped records visible again; the queue visibility timeout applies', {
        error: error as Error,
      }),
    );
    metrics.addMetric('records', MetricUnit.Count, event.Records.length);
    publishCounts(metrics, counts);
    return results;
  };
  const pipeline = middy(launchBatch)
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(
      sqsPartialBatchFailure({
        // Each failure is already logged with its reason by the record processor.
        logger: (_reason: unknown, record: SQSRecord) =>
          logger.debug('reported in batchItemFailures', { messageId: record.messageId }),
      }),
    );
  // The middleware replaces the settled results with `{ batchItemFailures }`.
  return pipeline as unknown as (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
}
