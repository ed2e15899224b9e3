import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { isTaskOutcome, type LifecycleRecord, LifecycleStatus } from '../lifecycle/lifecycle-record.js';
import { ResultPublishError } from './errors.js';

/**
 * The result events the monolith subscribes to: one `BatchSucceeded` or
 * `BatchFailed` per launched task, on the `batch-requests` bus. Delivery is at
 * least once (a crash between PutEvents and recording it publishes again), so a
 * consumer deduplicates on (`requestId`, `batchTypeId`, `taskArn`).
 */

/** `Source` of every result event: what a subscriber's rule matches on. */
export const RESULT_EVENT_SOURCE = 'ecs-batch-launcher' as const;

export const ResultDetailType = {
  Succeeded: 'BatchSucceeded',
  Failed: 'BatchFailed',
} as const;
export type ResultDetailType = (typeof ResultDetailType)[keyof typeof ResultDetailType];

export const RESULT_EVENT_VERSION = 1 as const;

/** `detail` of a result event (version 1). Absent facts are `null`, never missing keys. */
export interface BatchResultDetail {
  readonly version: typeof RESULT_EVENT_VERSION;
  readonly requestId: string;
  readonly batchTypeId: number;
  /** Catalog name; null if the catalog no longer knows the batch type. */
  readonly batchType: string | null;
  readonly traceId: string;
  readonly taskArn: string;
  /** The deciding container's exit code; null when it never ran (e.g. image pull failure). */
  readonly exitCode: number | null;
  readonly stoppedReason: string | null;
  readonly stopCode: string | null;
  /** Created → started: waiting for capacity and pulling the image. */
  readonly queuedMs: number | null;
  /** Started → stopped. */
  readonly runMs: number | null;
  readonly startedAt: string | null;
  readonly stoppedAt: string | null;
}

/**
 * The PutEvents entry announcing how a task ended, built from the stored record
 * (not the triggering event) so what is announced is exactly what is recorded.
 *
 * @throws ResultPublishError when the record has no final status or no task.
 */
export function resultEventEntry(record: LifecycleRecord, eventBusName: string): PutEventsRequestEntry {
  if (!isTaskOutcome(record.status) || record.taskArn === undefined) {
    throw new ResultPublishError(
      `Request "${record.requestId}" (batch type ${record.batchTypeId}) is ${record.status}` +
        `${record.taskArn === undefined ? ' with no task' : ''}: only a stopped task has a result to publish`,
    );
  }
  const detail: BatchResultDetail = {
    version: RESULT_EVENT_VERSION,
    requestId: record.requestId,
    batchTypeId: record.batchTypeId,
    batchType: record.batchType ?? null,
    traceId: record.traceId ?? record.requestId,
    taskArn: record.taskArn,
    exitCode: record.exitCode ?? null,
    stoppedReason: record.stoppedReason ?? null,
    stopCode: record.stopCode ?? null,
    queuedMs: record.queuedMs ?? null,
    runMs: record.runMs ?? null,
    startedAt: record.startedAt ?? null,
    stoppedAt: record.stoppedAt ?? null,
  };
  return {
    EventBusName: eventBusName,
    Source: RESULT_EVENT_SOURCE,
    DetailType:
      record.status === LifecycleStatus.Succeeded ? ResultDetailType.Succeeded : ResultDetailType.Failed,
    Resources: [record.taskArn],
    Detail: JSON.stringify(detail),
  };
}

/**
 * Puts one entry on the bus. PutEvents answers HTTP 200 even when an entry
 * failed (`FailedEntryCount` > 0, e.g. `ThrottlingException`, `InternalFailure`):
 * that is a failure too, thrown so the invocation is retried.
 *
 * @throws ResultPublishError
 */
export async function publishResultEvent(
  client: EventBridgeClient,
  entry: PutEventsRequestEntry,
): Promise<void> {
  const what = `${entry.DetailType} to bus "${entry.EventBusName}"`;
  let failed: { ErrorCode?: string; ErrorMessage?: string } | undefined;
  try {
    const output = await client.send(new PutEventsCommand({ Entries: [entry] }));
    if ((output.FailedEntryCount ?? 0) > 0) failed = output.Entries?.[0] ?? {};
  } catch (error) {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new ResultPublishError(`Could not put ${what}: ${detail}`, { cause: error });
  }
  if (failed !== undefined) {
    throw new ResultPublishError(
      `EventBridge refused ${what}: ${failed.ErrorCode ?? 'unknown error'}` +
        `${failed.ErrorMessage === undefined ? '' : ` (${failed.ErrorMessage})`}`,
    );
  }
}
