import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  type ECSClient,
  RunTaskCommand,
  type RunTaskCommandInput,
  type RunTaskCommandOutput,
} from '@aws-sdk/client-ecs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { CatalogIndex } from './catalog-index.js';
import { sendToDeadLetterQueue } from './dead-letter-queue.js';
import {
  classifyEcsError,
  ErrorCode,
  type LaunchError,
  PermanentLaunchError,
  TransientLaunchError,
} from './errors.js';
import { type LaunchRequest, parseLaunchRequest } from './launch-request.js';
import type { LaunchedTask, LaunchOnce, LifecycleRecorder } from './ports.js';
import { backoffSeconds, deferRedelivery } from './retry-backoff.js';
import { runTaskInput } from './run-task-input.js';

/** Outcome names double as metric names (EMF, by batch type). */
export const Outcome = {
  Launched: 'launched',
  Duplicate: 'duplicate',
  Rejected: 'rejected',
  Retried: 'retried',
} as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

export interface RecordResult {
  readonly outcome: typeof Outcome.Launched | typeof Outcome.Duplicate | typeof Outcome.Rejected;
  readonly batchType?: string;
  readonly taskArn?: string;
  readonly errorCode?: string;
}

export interface LaunchRecordDeps {
  readonly catalog: CatalogIndex;
  readonly ecs: Pick<ECSClient, 'send'>;
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly dlqUrl: string;
  readonly sourceQueueUrl: string;
  readonly launchOnce: LaunchOnce;
  readonly lifecycle: LifecycleRecorder;
  /** Counts one outcome for a batch type (metrics). */
  readonly count: (outcome: Outcome, batchType: string | undefined) => void;
  readonly now: () => Date;
  readonly random: () => number;
}

/**
 * RunTask answers HTTP 200 with `failures[]` and no task when ECS cannot place
 * it (capacity, `RESOURCE:MEMORY`, `AGENT`): that is a failure, never a success.
 */
async function runTask(ecs: Pick<ECSClient, 'send'>, input: RunTaskCommandInput): Promise<LaunchedTask> {
  let output: RunTaskCommandOutput;
  try {
    output = await ecs.send(new RunTaskCommand(input));
  } catch (error) {
    throw classifyEcsError(error);
  }
  const failures = output.failures ?? [];
  const task = output.tasks?.[0];
  if (failures.length > 0 || task?.taskArn === undefined) {
    const reasons = failures
      .map((f) => `${f.reason ?? 'unknown'}${f.detail ? ` (${f.detail})` : ''}`)
      .join(', ');
    throw new TransientLaunchError(
      ErrorCode.EcsNoTask,
      `ecs:RunTask started no task: ${reasons || 'no task and no failure reason in the answer'}`,
    );
  }
  return { taskArn: task.taskArn, ...(task.clusterArn === undefined ? {} : { clusterArn: task.clusterArn }) };
}

/** Parameters decide what the task does: a reused requestId with other parameters is refused. */
function fingerprintOf(request: LaunchRequest): string {
  return createHash('sha256')
    .update(request.parameters ?? '')
    .digest('hex');
}

/** Log keys every line about this record carries. */
export function recordLogKeys(record: SQSRecord, request?: LaunchRequest): Record<string, string | number> {
  return {
    messageId: record.messageId,
    ...(request === undefined
      ? {}
      : {
          requestId: request.requestKey,
          traceId: request.traceId,
          batchTypeId: request.batchType.batchTypeId,
          batchType: request.batchType.name,
        }),
  };
}

/** What a rejection can still tell about the request even when the body did not validate. */
function bestEffortContext(record: SQSRecord): { batchTypeId?: number; requestId?: string } {
  try {
    const detail = (JSON.parse(record.body) as { detail?: { batchTypeId?: unknown; requestId?: unknown } })
      .detail;
    return {
      ...(Number.isInteger(detail?.batchTypeId) ? { batchTypeId: detail?.batchTypeId as number } : {}),
      ...(typeof detail?.requestId === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(detail.requestId)
        ? { requestId: detail.requestId }
        : {}),
    };
  } catch {
    return {};
  }
}

/**
 * One record, exactly as DESIGN "What the launcher does with one record":
 * parse → resolve catalog → idempotency → RunTask → record lifecycle.
 * Resolves for launched, duplicate and rejected (moved to the DLQ) records;
 * rejects with a TransientLaunchError for records SQS must deliver again.
 */
export async function launchRecord(
  record: SQSRecord,
  deps: LaunchRecordDeps,
  logger: Logger,
): Promise<RecordResult> {
  let request: LaunchRequest | undefined;
  logger.appendKeys(recordLogKeys(record));
  try {
    request = parseLaunchRequest(record.body, record.messageId, deps.catalog);
    logger.appendKeys(recordLogKeys(record, request));
    const input = runTaskInput(request);
    const { task, duplicate } = await deps.launchOnce.run(
      { key: `${request.batchType.batchTypeId}:${request.requestKey}`, fingerprint: fingerprintOf(request) },
      () => runTask(deps.ecs, input),
    );
    const batchType = request.batchType.name;
    if (duplicate) {
      deps.count(Outcome.Duplicate, batchType);
      logger.info('duplicate request: already launched, acknowledged without RunTask', {
        taskArn: task.taskArn,
      });
      return { outcome: Outcome.Duplicate, batchType, taskArn: task.taskArn };
    }
    deps.count(Outcome.Launched, batchType);
    logger.info('launched', { taskArn: task.taskArn });
    await deps.lifecycle
      .launched({
        requestId: request.requestKey,
        batchTypeId: request.batchType.batchTypeId,
        batchType,
        traceId: request.traceId,
        taskArn: task.taskArn,
        messageId: record.messageId,
        at: deps.now(),
      })
      .catch((error: unknown) =>
        // The task runs either way; track-task creates the record from the task's state changes.
        logger.error('could not record the launch in the lifecycle table', { error: error as Error }),
      );
    return { outcome: Outcome.Launched, batchType, taskArn: task.taskArn };
  } catch (caught) {
    const error: LaunchError =
      caught instanceof PermanentLaunchError || caught instanceof TransientLaunchError
        ? caught
        : new TransientLaunchError(ErrorCode.Unexpected, `unexpected error: ${(caught as Error).message}`, {
            cause: caught,
          });
    const batchType = request?.batchType.name;
    if (error instanceof PermanentLaunchError) {
      return reject(record, error, request, deps, logger);
    }
    await retryLater(record, error, batchType, deps, logger);
    throw error;
  }
}

async function reject(
  record: SQSRecord,
  error: PermanentLaunchError,
  request: LaunchRequest | undefined,
  deps: LaunchRecordDeps,
  logger: Logger,
): Promise<RecordResult> {
  const at = deps.now();
  const context =
    request === undefined
      ? bestEffortContext(record)
      : { batchTypeId: request.batchType.batchTypeId, requestId: request.requestKey };
  try {
    await sendToDeadLetterQueue(deps.sqs, deps.dlqUrl, record, error, at, context);
  } catch (dlqError) {
    await retryLater(record, dlqError as TransientLaunchError, request?.batchType.name, deps, logger);
    throw dlqError;
  }
  deps.count(Outcome.Rejected, request?.batchType.name);
  logger.warn('rejected: moved to the DLQ', { errorCode: error.code, errorMessage: error.message });
  await deps.lifecycle
    .rejected({
      requestId: context.requestId ?? record.messageId,
      ...(context.batchTypeId === undefined ? {} : { batchTypeId: context.batchTypeId }),
      ...(request === undefined ? {} : { traceId: request.traceId }),
      errorCode: error.code,
      errorMessage: error.message,
      messageId: record.messageId,
      at,
    })
    .catch((lifecycleError: unknown) =>
      logger.error('could not record the rejection in the lifecycle table', {
        error: lifecycleError as Error,
      }),
    );
  return {
    outcome: Outcome.Rejected,
    ...(request ? { batchType: request.batchType.name } : {}),
    errorCode: error.code,
  };
}

async function retryLater(
  record: SQSRecord,
  error: LaunchError,
  batchType: string | undefined,
  deps: LaunchRecordDeps,
  logger: Logger,
): Promise<void> {
  const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
  const seconds = backoffSeconds(receiveCount, deps.random);
  deps.count(Outcome.Retried, batchType);
  logger.warn('transient failure: will be retried', {
    errorCode: error.code,
    errorMessage: error.message,
    receiveCount,
    retryInSeconds: seconds,
  });
  try {
    await deferRedelivery(deps.sqs, deps.sourceQueueUrl, record.receiptHandle, seconds);
  } catch (visibilityError) {
    logger.warn('could not raise the visibility timeout; the queue default applies', {
      error: visibilityError as Error,
    });
  }
}
