import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { LifecycleRecord } from '../lifecycle/lifecycle-record.js';
import { LifecycleTable } from '../lifecycle/lifecycle-table.js';
import { type QueueDepth, queueDepth, scanDeadLetterQueue } from './dead-letter-scan.js';
import { ExitCode } from './exit-codes.js';
import { fields, formatAge, type Output, table } from './output.js';
import type { QueueRef, Target } from './target.js';

export interface StatusOptions {
  readonly requestId?: string;
  /** Also peek the requests queue for its oldest message (each peek counts as a receive). */
  readonly peek: boolean;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/**
 * How the age of the oldest message is measured, said in the output: from the
 * SentTimestamp of peeked messages. On AWS, CloudWatch's ApproximateAgeOfOldestMessage
 * (what the alarm watches) is the authoritative number; batchctl does not read metrics.
 */
export const OLDEST_AGE_SOURCE = 'peek';

/** A peek of the DLQ walks this many messages at most: each group's first is its oldest. */
const DLQ_PEEK_LIMIT = 50;
const DLQ_PEEK_HOLD_SECONDS = 15;

interface QueueStatus {
  readonly queue: string;
  readonly depth: QueueDepth;
  /** Oldest SentTimestamp seen by the peek; undefined when empty or not peeked. */
  readonly oldestSentAt: Date | undefined;
  readonly peeked: boolean;
}

/**
 * The DLQ's oldest message: the walk holds and restores, and a DLQ has no
 * maxReceiveCount, so peeking it costs nothing.
 */
async function oldestInDeadLetterQueue(target: Target, queue: QueueRef): Promise<Date | undefined> {
  let oldest: Date | undefined;
  await scanDeadLetterQueue(target, queue, {
    limit: DLQ_PEEK_LIMIT,
    holdSeconds: DLQ_PEEK_HOLD_SECONDS,
    visit: async (message) => {
      if (message.sentAt !== undefined && (oldest === undefined || message.sentAt < oldest))
        oldest = message.sentAt;
      return 'kept';
    },
  });
  return oldest;
}

/**
 * The requests queue's oldest visible message, by one receive with visibility 0:
 * nothing is held from the launcher, but each message seen counts one receive
 * toward maxReceiveCount, hence opt-in (`--peek`).
 */
async function oldestInRequestQueue(target: Target, queue: QueueRef): Promise<Date | undefined> {
  const { Messages = [] } = await target.call('sqs', `peek ${queue.name}`, () =>
    target.client('sqs').send(
      new ReceiveMessageCommand({
        QueueUrl: queue.url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['SentTimestamp'],
      }),
    ),
  );
  const sent = Messages.map((message) => Number(message.Attributes?.SentTimestamp)).filter(Number.isFinite);
  return sent.length === 0 ? undefined : new Date(Math.min(...sent));
}

function recordFields(record: LifecycleRecord): string {
  return fields([
    ['status', record.status],
    ['batch type', `${record.batchTypeId}${record.batchType === undefined ? '' : ` (${record.batchType})`}`],
    ['trace id', record.traceId],
    ['task', record.taskArn],
    ['exit code', record.exitCode],
    ['stop code', record.stopCode],
    ['stopped reason', record.stoppedReason],
    ['error code', record.errorCode],
    ['error message', record.errorMessage],
    ['message id', record.messageId],
    ['created', record.createdAt],
    ['rejected', record.rejectedAt],
    ['launched', record.launchedAt],
    ['started', record.startedAt],
    ['stopped', record.stoppedAt],
    ['result event', record.resultPublishedAt],
    ['updated', record.updatedAt],
  ]);
}

async function lifecycleOf(target: Target, requestId: string): Promise<LifecycleRecord[]> {
  const lifecycle = new LifecycleTable({
    client: target.client('dynamodb'),
    tableName: await target.lifecycleTableName(),
    ttlDays: target.stage.retention.lifecycleDays,
  });
  return target.call('dynamodb', `read the lifecycle of request ${requestId}`, () =>
    lifecycle.get(requestId),
  );
}

/** `batchctl status [requestId]`: queue depths and oldest ages; with a request id, its lifecycle records. */
export async function runStatus(target: Target, output: Output, options: StatusOptions): Promise<number> {
  const now = options.now ?? (() => new Date());
  const { requests, deadLetter } = await target.queues();
  const [requestDepth, deadLetterDepth] = await Promise.all([
    queueDepth(target, requests),
    queueDepth(target, deadLetter),
  ]);
  const queues: QueueStatus[] = [
    {
      queue: requests.name,
      depth: requestDepth,
      peeked: options.peek,
      oldestSentAt:
        options.peek && requestDepth.visible > 0 ? await oldestInRequestQueue(target, requests) : undefined,
    },
    {
      queue: deadLetter.name,
      depth: deadLetterDepth,
      peeked: true,
      oldestSentAt:
        deadLetterDepth.visible > 0 ? await oldestInDeadLetterQueue(target, deadLetter) : undefined,
    },
  ];
  const records = options.requestId === undefined ? undefined : await lifecycleOf(target, options.requestId);
  const at = now();
  const exitCode = records !== undefined && records.length === 0 ? ExitCode.NotFound : ExitCode.Ok;
  const ageOf = (status: QueueStatus) =>
    status.oldestSentAt === undefined
      ? undefined
      : Math.max(0, Math.floor((at.getTime() - status.oldestSentAt.getTime()) / 1000));
  output.result(
    'status',
    {
      target: target.description,
      oldestAgeSource: OLDEST_AGE_SOURCE,
      queues: queues.map((status) => ({
        queue: status.queue,
        visible: status.depth.visible,
        inFlight: status.depth.inFlight,
        delayed: status.depth.delayed,
        peeked: status.peeked,
        oldestAgeSeconds: ageOf(status) ?? null,
      })),
      ...(options.requestId === undefined ? {} : { requestId: options.requestId, records: records ?? [] }),
    },
    () => {
      const lines = [
        target.description,
        '',
        table(
          ['QUEUE', 'VISIBLE', 'IN FLIGHT', 'DELAYED', 'OLDEST'],
          queues.map((status) => {
            const age = ageOf(status);
            return [
              status.queue,
              status.depth.visible,
              status.depth.inFlight,
              status.depth.delayed,
              age !== undefined ? formatAge(age * 1000) : status.peeked ? '—' : 'not peeked (--peek)',
            ];
          }),
        ),
        '',
        'OLDEST: age of the oldest visible message, from the SentTimestamp of a peek (the DLQ is peeked and',
        'restored; the requests queue only with --peek, as each peek counts toward maxReceiveCount).',
        target.mode === 'aws'
          ? "CloudWatch's ApproximateAgeOfOldestMessage, which the alarm watches, is the authoritative figure."
          : '',
      ];
      if (options.requestId !== undefined) {
        lines.push('', `request ${options.requestId}:`);
        if (records === undefined || records.length === 0) {
          lines.push(
            '  no lifecycle record: not consumed yet, unknown, or expired (retention.lifecycleDays).',
          );
        }
        for (const record of records ?? []) {
          lines.push(
            '',
            recordFields(record)
              .split('\n')
              .map((line) => `  ${line}`)
              .join('\n'),
          );
        }
      }
      return lines.filter((line, index, all) => !(line === '' && all[index - 1] === '')).join('\n');
    },
    exitCode,
  );
  return exitCode;
}
