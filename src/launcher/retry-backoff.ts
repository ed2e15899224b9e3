import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** First retry waits about this long; each further receive doubles it. */
export const BASE_BACKOFF_SECONDS = 15;
/** Upper bound of one backoff (SQS allows up to 12 hours; a batch should not wait that long). */
export const MAX_BACKOFF_SECONDS = 900;

/**
 * Visibility timeout before the next attempt of a transiently failed message:
 * exponential in its receive count, bounded, with jitter in [50 %, 100 %] so
 * throttled messages do not all come back at the same instant.
 */
export function backoffSeconds(receiveCount: number, random: () => number = Math.random): number {
  const attempt = Math.max(1, Math.floor(receiveCount));
  const ceiling = Math.min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2 ** (attempt - 1));
  return Math.max(1, Math.round(ceiling * (0.5 + 0.5 * random())));
}

/** Raises the message's visibility so SQS redelivers it after the backoff instead of at once. */
export async function deferRedelivery(
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string,
  receiptHandle: string,
  seconds: number,
): Promise<void> {
  await sqs.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: queueUrl,
      ReceiptHandle: receiptHandle,
      VisibilityTimeout: seconds,
    }),
  );
}

/**
 * Makes records skipped behind a failed record of their group visible again at
 * once. They cannot be delivered before that failed record (SQS FIFO returns
 * nothing of a group while one of its messages is in flight), so they come back
 * with it after its backoff, instead of holding the group for the queue's whole
 * visibility timeout (6 × the function timeout).
 */
export async function releaseSkippedRecords(
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string,
  records: readonly { messageId: string; receiptHandle: string }[],
): Promise<void> {
  if (records.length === 0) return;
  await sqs.send(
    new ChangeMessageVisibilityBatchCommand({
      QueueUrl: queueUrl,
      Entries: records.map((record, index) => ({
        Id: String(index),
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: 0,
      })),
    }),
  );
}
