import { type DeadLetterMessage, deadSince } from './dead-letter-message.js';
import { queueDepth, scanDeadLetterQueue, totalOf } from './dead-letter-scan.js';
import { EmptyDeadLetterQueueError } from './errors.js';
import { formatAge, type Output, table, truncate } from './output.js';
import type { Target } from './target.js';

export interface DlqListOptions {
  readonly limit: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** How long `dlq list` holds what it peeks: ample for a listing, short if batchctl is killed mid-way. */
export const LIST_HOLD_SECONDS = 30;

/** One DLQ message as `--json` prints it: stable field names, ISO times. */
export function deadLetterJson(message: DeadLetterMessage, now: Date) {
  const since = deadSince(message);
  return {
    messageId: message.messageId,
    groupId: message.groupId ?? null,
    errorCode: message.errorCode,
    errorMessage: message.errorMessage,
    reasonFrom: message.reasonFrom,
    batchTypeId: message.batchTypeId ?? null,
    requestId: message.requestId ?? null,
    failedAt: message.failedAt ?? null,
    sentAt: message.sentAt?.toISOString() ?? null,
    ageSeconds:
      since === undefined ? null : Math.max(0, Math.floor((now.getTime() - since.getTime()) / 1000)),
    receiveCount: message.receiveCount ?? null,
    sourceMessageId: message.sourceMessageId ?? null,
    body: message.body,
  };
}

export function deadLetterTable(messages: readonly DeadLetterMessage[], now: Date): string {
  return table(
    ['ERROR CODE', 'ERROR MESSAGE', 'TYPE', 'REQUEST ID', 'AGE', 'MESSAGE ID'],
    messages.map((message) => {
      const since = deadSince(message);
      return [
        message.errorCode,
        truncate(message.errorMessage, 60),
        message.batchTypeId,
        message.requestId,
        since === undefined ? undefined : formatAge(now.getTime() - since.getTime()),
        message.messageId,
      ];
    }),
  );
}

/**
 * `batchctl dlq list`: up to `limit` DLQ messages with their reasons, read by
 * receiving and holding them, then handed back (visibility 0) untouched.
 */
export async function runDlqList(target: Target, output: Output, options: DlqListOptions): Promise<number> {
  const now = options.now ?? (() => new Date());
  const { deadLetter } = await target.queues();
  const depth = await queueDepth(target, deadLetter);
  if (totalOf(depth) === 0) throw new EmptyDeadLetterQueueError(deadLetter.name, 'list');
  const messages: DeadLetterMessage[] = [];
  const scan = await scanDeadLetterQueue(target, deadLetter, {
    limit: options.limit,
    holdSeconds: LIST_HOLD_SECONDS,
    visit: async (message) => {
      messages.push(message);
      return 'kept';
    },
  });
  const at = now();
  output.result(
    'dlq list',
    {
      queue: deadLetter.name,
      depth,
      shown: messages.length,
      notReached: scan.notReached,
      restoreFailures: scan.restoreFailures,
      messages: messages.map((message) => deadLetterJson(message, at)),
    },
    () => {
      const lines = [
        `DLQ ${deadLetter.name}: ~${totalOf(depth)} message(s), ${messages.length} shown`,
        '',
        deadLetterTable(messages, at),
      ];
      if (scan.notReached > 0) {
        lines.push(
          '',
          `${scan.notReached} more not shown: ` +
            (messages.length >= options.limit
              ? `past --limit ${options.limit}.`
              : 'each sits behind a shown message of its FIFO group, which SQS hands out only once those are gone.'),
        );
      }
      if (depth.inFlight > 0) {
        lines.push(`${depth.inFlight} message(s) were in flight (held by another reader) and are not shown.`);
      }
      if (scan.restoreFailures > 0) {
        lines.push(
          `${scan.restoreFailures} message(s) stay hidden until their ${LIST_HOLD_SECONDS}s hold ends.`,
        );
      }
      return lines.join('\n');
    },
  );
  return 0;
}
