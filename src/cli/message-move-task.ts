import {
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { awsErrorName, errorMessage, OperationFailedError } from './errors.js';
import type { Target } from './target.js';

/**
 * SQS's own redrive (StartMessageMoveTask): moves every DLQ message back in the
 * background, FIFO DLQs included, one task per queue at a time. Endpoints that do
 * not implement it (the sandbox's SQS emulator) are detected, so the caller can
 * move messages one by one instead and say so.
 */

/** How endpoints say "no such operation": fauxqs, SQS, and other emulators. */
const UNAVAILABLE = new Set([
  'InvalidAction',
  'UnsupportedOperation',
  'UnknownOperationException',
  'NotImplemented',
]);

export function isMoveTaskUnavailable(error: unknown): boolean {
  const name = awsErrorName(error);
  if (name !== undefined && UNAVAILABLE.has(name)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
  return status === 501;
}

export type MoveTaskStart =
  | { readonly started: true; readonly taskHandle: string }
  | { readonly started: false; readonly reason: string };

export interface MoveTaskProgress {
  readonly status: string;
  readonly moved: number;
  readonly toMove: number | undefined;
}

function progressOf(entry: ListMessageMoveTasksResultEntry): MoveTaskProgress {
  return {
    status: entry.Status ?? 'UNKNOWN',
    moved: entry.ApproximateNumberOfMessagesMoved ?? 0,
    toMove: entry.ApproximateNumberOfMessagesToMove,
  };
}

async function latestTask(
  target: Target,
  dlqArn: string,
): Promise<ListMessageMoveTasksResultEntry | undefined> {
  const { Results = [] } = await target
    .client('sqs')
    .send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 1 }));
  return Results[0];
}

/**
 * Starts a move task from the DLQ to `destinationArn` (named explicitly: messages
 * the launcher put in the DLQ itself have no "original source" for SQS to use).
 * A task already running is an error; an endpoint without move tasks is not.
 */
export async function startMoveTask(
  target: Target,
  dlqArn: string,
  destinationArn: string,
): Promise<MoveTaskStart> {
  let running: ListMessageMoveTasksResultEntry | undefined;
  try {
    running = await latestTask(target, dlqArn);
  } catch (error) {
    if (isMoveTaskUnavailable(error)) {
      return { started: false, reason: `${awsErrorName(error)}: ${errorMessage(error)}` };
    }
    throw error;
  }
  if (running?.Status === 'RUNNING' || running?.Status === 'CANCELLING') {
    const { moved, toMove } = progressOf(running);
    throw new OperationFailedError(
      `A move task is already ${running.Status.toLowerCase()} on this DLQ (${moved}/${toMove ?? '?'} moved); ` +
        `SQS runs one at a time. Wait for it, or cancel it: aws sqs cancel-message-move-task --task-handle ${running.TaskHandle ?? '<handle>'}`,
    );
  }
  try {
    const { TaskHandle } = await target
      .client('sqs')
      .send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: destinationArn }));
    if (TaskHandle === undefined)
      throw new OperationFailedError('StartMessageMoveTask returned no task handle');
    return { started: true, taskHandle: TaskHandle };
  } catch (error) {
    if (isMoveTaskUnavailable(error)) {
      return { started: false, reason: `${awsErrorName(error)}: ${errorMessage(error)}` };
    }
    throw error;
  }
}

export interface FollowOptions {
  readonly sleep: (milliseconds: number) => Promise<void>;
  readonly pollMilliseconds: number;
  readonly onProgress: (progress: MoveTaskProgress) => void;
}

/**
 * Polls ListMessageMoveTasks (most recent first: ours, since SQS allows one per
 * queue) until the task leaves RUNNING.
 *
 * @throws OperationFailedError when the task FAILED or was CANCELLED, with SQS's reason
 */
export async function followMoveTask(
  target: Target,
  dlqArn: string,
  options: FollowOptions,
): Promise<MoveTaskProgress> {
  for (;;) {
    const entry = await latestTask(target, dlqArn);
    if (entry === undefined)
      throw new OperationFailedError('The move task vanished from ListMessageMoveTasks');
    const progress = progressOf(entry);
    options.onProgress(progress);
    if (progress.status === 'COMPLETED') return progress;
    if (progress.status === 'FAILED' || progress.status === 'CANCELLED') {
      throw new OperationFailedError(
        `The move task ended ${progress.status} after moving ${progress.moved} message(s)` +
          `${entry.FailureReason === undefined ? '' : `: ${entry.FailureReason}`}. The rest stay in the DLQ.`,
      );
    }
    await options.sleep(options.pollMilliseconds);
  }
}
