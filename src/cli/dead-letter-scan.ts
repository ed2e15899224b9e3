import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { type DeadLetterMessage, readDeadLetterMessage } from './dead-letter-message.js';
import type { QueueRef, Target } from './target.js';

/**
 * Walks a FIFO DLQ by receiving its messages and holding them invisible until the
 * walk ends, then makes every message still there visible again at once
 * (ChangeMessageVisibilityBatch to 0): a peek that leaves the queue as it was.
 *
 * FIFO rule this honours: while a message of a group is in flight, SQS hands out
 * no later message of that group (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html).
 * Holding is what lets the walk reach every group; the price is that a message
 * behind a held one in its group is reached only if the visitor removes the one
 * in front (a redrive deletes what it moved). What stays out of reach is
 * counted as `notReached`, never silently dropped.
 */

/** What the visitor did with a message: still in the DLQ (held), or deleted from it. */
export type Visit = 'kept' | 'removed';

export interface ScanOptions {
  /** Stop after this many distinct messages. @default no limit */
  readonly limit?: number;
  /** How long each received message stays invisible while the walk runs. */
  readonly holdSeconds: number;
  /** Called once per distinct message, in the order SQS hands them out. */
  readonly visit: (message: DeadLetterMessage) => Promise<Visit>;
  /** Stop early (e.g. `--max` reached) once this returns true. */
  readonly done?: () => boolean;
}

export interface ScanResult {
  /** Distinct messages visited. */
  readonly visited: number;
  /** Messages still visible when the walk ended: behind a held message of their group, or past the limit. */
  readonly notReached: number;
  /** Held messages whose visibility could not be restored: they reappear when their hold expires. */
  readonly restoreFailures: number;
}

const BATCH = 10;

/** Visible + in flight + delayed, as SQS approximates them. */
export interface QueueDepth {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
}

export async function queueDepth(target: Target, queue: QueueRef): Promise<QueueDepth> {
  const { Attributes = {} } = await target.call('sqs', `read the depth of ${queue.name}`, () =>
    target.client('sqs').send(
      new GetQueueAttributesCommand({
        QueueUrl: queue.url,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    ),
  );
  const count = (name: string) => Number(Attributes[name as keyof typeof Attributes] ?? 0);
  return {
    visible: count('ApproximateNumberOfMessages'),
    inFlight: count('ApproximateNumberOfMessagesNotVisible'),
    delayed: count('ApproximateNumberOfMessagesDelayed'),
  };
}

export function totalOf(depth: QueueDepth): number {
  return depth.visible + depth.inFlight + depth.delayed;
}

export async function scanDeadLetterQueue(
  target: Target,
  queue: QueueRef,
  options: ScanOptions,
): Promise<ScanResult> {
  const sqs = target.client('sqs');
  /** messageId → the latest receipt handle of a message still in the queue and held by us. */
  const held = new Map<string, string>();
  const seen = new Set<string>();
  let notReached = 0;
  let restoreFailures = 0;
  try {
    while (options.limit === undefined || seen.size < options.limit) {
      if (options.done?.() === true) break;
      const wanted = Math.min(BATCH, (options.limit ?? Number.POSITIVE_INFINITY) - seen.size);
      const { Messages = [] } = await target.call('sqs', `receive from ${queue.name}`, () =>
        sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queue.url,
            MaxNumberOfMessages: wanted,
            VisibilityTimeout: options.holdSeconds,
            WaitTimeSeconds: target.scanWaitSeconds,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['All'],
          }),
        ),
      );
      if (Messages.length === 0) break;
      let fresh = 0;
      for (const received of Messages) {
        const message = readDeadLetterMessage(received);
        // Seen before: its hold expired during a long walk. Hold it again, visit it once only.
        if (seen.has(message.messageId) || options.done?.() === true) {
          held.set(message.messageId, message.receiptHandle);
          continue;
        }
        seen.add(message.messageId);
        fresh += 1;
        held.set(message.messageId, message.receiptHandle);
        if ((await options.visit(message)) === 'removed') held.delete(message.messageId);
      }
      if (fresh === 0) break;
    }
    // What is still visible now was out of reach (or past the limit) while we held the rest.
    notReached = (await queueDepth(target, queue)).visible;
  } finally {
    // Also on failure: a half-done walk must not leave the DLQ hidden for holdSeconds.
    restoreFailures = await restoreVisibility(target, queue, held);
  }
  return { visited: seen.size, notReached, restoreFailures };
}

/** Makes held messages visible again, ten per call. */
async function restoreVisibility(
  target: Target,
  queue: QueueRef,
  held: ReadonlyMap<string, string>,
): Promise<number> {
  const entries = [...held.values()].map((receiptHandle, index) => ({
    Id: String(index),
    ReceiptHandle: receiptHandle,
    VisibilityTimeout: 0,
  }));
  let failures = 0;
  for (let start = 0; start < entries.length; start += BATCH) {
    const chunk = entries.slice(start, start + BATCH);
    try {
      const { Failed = [] } = await target
        .client('sqs')
        .send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queue.url, Entries: chunk }));
      failures += Failed.length;
    } catch {
      failures += chunk.length;
    }
  }
  return failures;
}
