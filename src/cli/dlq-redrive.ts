import { randomUUID } from 'node:crypto';
import { DeleteMessageCommand, GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { DeadLetterMessage } from './dead-letter-message.js';
import { type QueueDepth, queueDepth, scanDeadLetterQueue, totalOf } from './dead-letter-scan.js';
import { deadLetterJson, deadLetterTable } from './dlq-list.js';
import { awsErrorName, EmptyDeadLetterQueueError, errorMessage, OperationFailedError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { followMoveTask, startMoveTask } from './message-move-task.js';
import { fields, type Output } from './output.js';
import { progressLine } from './progress.js';
import { parseRedriveFilter, type RedriveFilter } from './redrive-filter.js';
import type { QueueRef, Target } from './target.js';

export interface DlqRedriveOptions {
  readonly filter: readonly string[];
  readonly dryRun: boolean;
  readonly max?: number;
  /** @default setTimeout */
  readonly sleep?: (milliseconds: number) => Promise<void>;
  /** ListMessageMoveTasks polling interval. @default 2000 */
  readonly pollMilliseconds?: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** How long a redrive holds what it examined: sends can be slow, and the walk must not meet them again. */
export const REDRIVE_HOLD_SECONDS = 120;

/** Why messages were moved one by one rather than by an SQS move task. */
export type OneByOneReason = 'filter' | 'dry-run' | 'max' | 'move-task-unavailable';

const REASON_TEXT: Readonly<Record<OneByOneReason, string>> = {
  filter: 'one by one: SQS move tasks take no filter',
  'dry-run':
    'dry run: nothing changes; without a filter the real run uses an SQS move task where there is one',
  max: 'one by one: SQS move tasks take no --max',
  'move-task-unavailable': 'one by one: this endpoint has no SQS move tasks',
};

interface Failure {
  readonly message: DeadLetterMessage;
  readonly reason: string;
}

async function queueArn(target: Target, queue: QueueRef): Promise<string> {
  const { Attributes } = await target.call('sqs', `read the ARN of ${queue.name}`, () =>
    target
      .client('sqs')
      .send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['QueueArn'] })),
  );
  const arn = Attributes?.QueueArn;
  if (arn === undefined) throw new OperationFailedError(`SQS answered no QueueArn for ${queue.name}`);
  return arn;
}

function describeError(error: unknown): string {
  return `${awsErrorName(error) ?? 'Error'}: ${errorMessage(error)}`;
}

type MoveResult =
  | { readonly moved: true; readonly sentMessageId: string | undefined }
  | { readonly moved: false; readonly failure: Failure };

/**
 * Moves one message back: SendMessage to the requests queue (same group, so
 * the request keeps its place among its type's; a fresh deduplication id, or
 * FIFO dedup would swallow a body seen in the last 5 minutes), and only then
 * DeleteMessage from the DLQ. A failed send leaves the message in the DLQ.
 */
async function moveOne(
  target: Target,
  message: DeadLetterMessage,
  from: QueueRef,
  to: QueueRef,
): Promise<MoveResult> {
  const failed = (reason: string): MoveResult => ({ moved: false, failure: { message, reason } });
  if (message.groupId === undefined) {
    return failed('it has no MessageGroupId, which the FIFO queue requires; left in the DLQ');
  }
  const sqs = target.client('sqs');
  let sentMessageId: string | undefined;
  try {
    ({ MessageId: sentMessageId } = await sqs.send(
      new SendMessageCommand({
        QueueUrl: to.url,
        MessageBody: message.body,
        MessageGroupId: message.groupId,
        MessageDeduplicationId: randomUUID(),
      }),
    ));
  } catch (error) {
    return failed(`not sent, left in the DLQ (${describeError(error)})`);
  }
  try {
    await sqs.send(new DeleteMessageCommand({ QueueUrl: from.url, ReceiptHandle: message.receiptHandle }));
  } catch (error) {
    return failed(
      `sent to ${to.name} but still in the DLQ (${describeError(error)}): do not redrive it again; ` +
        'without a requestId it would launch twice',
    );
  }
  return { moved: true, sentMessageId };
}

interface OneByOneOutcome {
  readonly moved: DeadLetterMessage[];
  readonly wouldMove: DeadLetterMessage[];
  skipped: number;
  readonly failed: Failure[];
  /** Messages this redrive moved that the launcher rejected again while it ran: their cause is not fixed. */
  readonly cameBack: DeadLetterMessage[];
  notReached: number;
  restoreFailures: number;
}

async function redriveOneByOne(
  target: Target,
  output: Output,
  queues: { requests: QueueRef; deadLetter: QueueRef },
  filter: RedriveFilter | undefined,
  options: DlqRedriveOptions,
  before: QueueDepth,
): Promise<OneByOneOutcome> {
  const outcome: OneByOneOutcome = {
    moved: [],
    wouldMove: [],
    skipped: 0,
    failed: [],
    cameBack: [],
    notReached: 0,
    restoreFailures: 0,
  };
  /**
   * Message ids this redrive created in the requests queue. A DLQ message carrying one
   * (as its id when SQS moved it, as `sourceMessageId` when the launcher rejected it)
   * is one of ours back again: moving it once more would loop for as long as the walk runs.
   */
  const sent = new Set<string>();
  let visited = 0;
  const progress = progressLine(output.io, options.dryRun ? 'examining' : 'redriving');
  const selected = () => outcome.moved.length + outcome.wouldMove.length + outcome.failed.length;
  const scan = await scanDeadLetterQueue(target, queues.deadLetter, {
    holdSeconds: REDRIVE_HOLD_SECONDS,
    done: () => options.max !== undefined && selected() >= options.max,
    visit: async (message) => {
      visited += 1;
      let visit: 'kept' | 'removed' = 'kept';
      if (
        sent.has(message.messageId) ||
        (message.sourceMessageId !== undefined && sent.has(message.sourceMessageId))
      ) {
        outcome.cameBack.push(message);
      } else if (filter !== undefined && !filter.matches(message)) {
        outcome.skipped += 1;
      } else if (options.dryRun) {
        outcome.wouldMove.push(message);
      } else {
        const result = await moveOne(target, message, queues.deadLetter, queues.requests);
        if (result.moved) {
          outcome.moved.push(message);
          if (result.sentMessageId !== undefined) sent.add(result.sentMessageId);
          visit = 'removed';
        } else {
          outcome.failed.push(result.failure);
        }
      }
      progress.update(
        visited,
        Math.max(visited, totalOf(before)),
        `${options.dryRun ? 'would move' : 'moved'} ${options.dryRun ? outcome.wouldMove.length : outcome.moved.length}` +
          ` · skipped ${outcome.skipped} · failed ${outcome.failed.length}`,
      );
      return visit;
    },
  });
  progress.finish();
  outcome.notReached = scan.notReached;
  outcome.restoreFailures = scan.restoreFailures;
  return outcome;
}

/**
 * `batchctl dlq redrive`: the whole DLQ through an SQS move task, or, with a
 * filter, `--max`, `--dry-run`, or where move tasks do not exist, one message at
 * a time (see `moveOne` for why nothing is lost). Counts before and after.
 */
export async function runDlqRedrive(
  target: Target,
  output: Output,
  options: DlqRedriveOptions,
): Promise<number> {
  const filter = parseRedriveFilter(options.filter);
  const now = options.now ?? (() => new Date());
  const queues = await target.queues();
  const { deadLetter, requests } = queues;
  const before = await queueDepth(target, deadLetter);
  if (totalOf(before) === 0) throw new EmptyDeadLetterQueueError(deadLetter.name, 'redrive');
  const approximate = target.mode === 'aws' ? ' (approximate)' : '';

  let reason: OneByOneReason | undefined =
    filter !== undefined ? 'filter' : options.dryRun ? 'dry-run' : undefined;
  reason ??= options.max !== undefined ? 'max' : undefined;
  if (reason === undefined) {
    const dlqArn = await queueArn(target, deadLetter);
    const destinationArn = await queueArn(target, requests);
    const start = await target.call('sqs', `start a move task from ${deadLetter.name}`, () =>
      startMoveTask(target, dlqArn, destinationArn),
    );
    if (start.started) {
      const progress = progressLine(output.io, 'move task');
      const done = await target
        .call('sqs', 'follow the move task', () =>
          followMoveTask(target, dlqArn, {
            sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
            pollMilliseconds: options.pollMilliseconds ?? 2000,
            onProgress: (step) => progress.update(step.moved, step.toMove, step.status),
          }),
        )
        .finally(() => progress.finish());
      const after = await queueDepth(target, deadLetter);
      output.result(
        'dlq redrive',
        {
          mode: 'move-task',
          from: deadLetter.name,
          to: requests.name,
          taskHandle: start.taskHandle,
          before: totalOf(before),
          after: totalOf(after),
          moved: done.moved,
          skipped: 0,
          failed: 0,
        },
        () =>
          fields([
            ['redrive', `${deadLetter.name} → ${requests.name} (SQS move task)`],
            ['moved', done.moved],
            [`DLQ before${approximate}`, totalOf(before)],
            [`DLQ after${approximate}`, totalOf(after)],
          ]),
      );
      return ExitCode.Ok;
    }
    output.note(
      `SQS move tasks are unavailable on this endpoint (${start.reason}): moving messages one by one instead.`,
    );
    reason = 'move-task-unavailable';
  }

  const outcome = await redriveOneByOne(target, output, queues, filter, options, before);
  const after = await queueDepth(target, deadLetter);
  const at = now();
  const matched = outcome.moved.length + outcome.wouldMove.length + outcome.failed.length;
  const exitCode =
    outcome.failed.length > 0 ? ExitCode.OperationFailed : matched === 0 ? ExitCode.NotFound : ExitCode.Ok;
  output.result(
    'dlq redrive',
    {
      mode: options.dryRun ? 'dry-run' : 'one-by-one',
      reason,
      filter: filter?.description ?? null,
      max: options.max ?? null,
      from: deadLetter.name,
      to: requests.name,
      before: totalOf(before),
      after: totalOf(after),
      moved: outcome.moved.length,
      wouldMove: outcome.wouldMove.length,
      skipped: outcome.skipped,
      failed: outcome.failed.length,
      cameBack: outcome.cameBack.length,
      notReached: outcome.notReached,
      movedMessages: outcome.moved.map((message) => deadLetterJson(message, at)),
      wouldMoveMessages: outcome.wouldMove.map((message) => deadLetterJson(message, at)),
      failedMessages: outcome.failed.map((failure) => ({
        ...deadLetterJson(failure.message, at),
        reason: failure.reason,
      })),
      cameBackMessages: outcome.cameBack.map((message) => deadLetterJson(message, at)),
    },
    () => {
      const lines = [
        fields([
          ['redrive', `${deadLetter.name} → ${requests.name} (${REASON_TEXT[reason]})`],
          ['filter', filter?.description],
          ['max', options.max],
          [
            options.dryRun ? 'would move' : 'moved',
            options.dryRun ? outcome.wouldMove.length : outcome.moved.length,
          ],
          ['skipped', outcome.skipped],
          ['failed', outcome.failed.length],
          ['came back', outcome.cameBack.length > 0 ? outcome.cameBack.length : undefined],
          ['not reached', outcome.notReached > 0 ? outcome.notReached : undefined],
          [`DLQ before${approximate}`, totalOf(before)],
          [`DLQ after${approximate}`, totalOf(after)],
        ]),
      ];
      const listed = options.dryRun ? outcome.wouldMove : outcome.moved;
      if (listed.length > 0) lines.push('', deadLetterTable(listed, at));
      for (const failure of outcome.failed)
        lines.push(`failed ${failure.message.messageId}: ${failure.reason}`);
      if (outcome.cameBack.length > 0) {
        lines.push(
          '',
          `${outcome.cameBack.length} message(s) moved by this redrive were rejected again while it ran ` +
            '(left in the DLQ, not moved twice): fix their cause before redriving them.',
        );
      }
      if (outcome.notReached > 0) {
        lines.push(
          '',
          `${outcome.notReached} message(s) not reached: each sits behind a kept message of its FIFO group ` +
            '(SQS hands out a group in order); they stay in the DLQ.',
        );
      }
      if (matched === 0) lines.push('', `No DLQ message matched ${filter?.description ?? 'the redrive'}.`);
      return lines.join('\n');
    },
    exitCode,
  );
  return exitCode;
}
