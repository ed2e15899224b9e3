import type { Message } from '@aws-sdk/client-sqs';
import { queuedRequestSchema } from '../contract/batch-requested.js';

/**
 * A message of the FIFO DLQ, with why it is there. The launcher writes the reason
 * as message attributes (src/launcher/dead-letter-queue.ts); a message SQS moved
 * after maxReceiveCount carries none, and its reason is derived, not invented.
 */
export interface DeadLetterMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  /** `batch-<id>` or `unrouted`: the request's FIFO group, kept on redrive. */
  readonly groupId: string | undefined;
  readonly errorCode: string;
  readonly errorMessage: string;
  /** `launcher`: rejected at once with a reason; `redrive-policy`: SQS moved it after maxReceiveCount receives. */
  readonly reasonFrom: 'launcher' | 'redrive-policy';
  readonly batchTypeId: number | undefined;
  readonly requestId: string | undefined;
  /** When the launcher rejected it; undefined for messages SQS moved. */
  readonly failedAt: string | undefined;
  /** When the message was first sent (SentTimestamp): for SQS-moved messages, the original enqueue time. */
  readonly sentAt: Date | undefined;
  /** The queue's message id the launcher rejected (`sourceMessageId`). */
  readonly sourceMessageId: string | undefined;
  readonly receiveCount: number | undefined;
  readonly body: string;
}

/** The code shown for messages SQS itself moved to the DLQ: the launcher's retries were exhausted. */
export const RETRIES_EXHAUSTED = 'MaxReceiveCountExceeded';

function attribute(message: Message, name: string): string | undefined {
  return message.MessageAttributes?.[name]?.StringValue;
}

function integer(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/** Batch type and request id from the queued body `{"version":1,"detail":{...}}`, when readable. */
function fromBody(body: string): { batchTypeId?: number; requestId?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return {};
  }
  const queued = queuedRequestSchema.safeParse(parsed);
  if (!queued.success || typeof queued.data.detail !== 'object' || queued.data.detail === null) return {};
  const detail = queued.data.detail as Record<string, unknown>;
  return {
    ...(typeof detail.batchTypeId === 'number' && Number.isInteger(detail.batchTypeId)
      ? { batchTypeId: detail.batchTypeId }
      : {}),
    ...(typeof detail.requestId === 'string' ? { requestId: detail.requestId } : {}),
  };
}

/** Reads a received DLQ message (`MessageAttributeNames: ['All']`, `MessageSystemAttributeNames: ['All']`). */
export function readDeadLetterMessage(message: Message): DeadLetterMessage {
  if (message.MessageId === undefined || message.ReceiptHandle === undefined) {
    throw new Error('ReceiveMessage returned a message without MessageId or ReceiptHandle');
  }
  const body = message.Body ?? '';
  const errorCode = attribute(message, 'errorCode');
  const parsed = fromBody(body);
  const sent = integer(message.Attributes?.SentTimestamp);
  const receiveCount = integer(message.Attributes?.ApproximateReceiveCount);
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    groupId: message.Attributes?.MessageGroupId,
    errorCode: errorCode ?? RETRIES_EXHAUSTED,
    errorMessage:
      errorCode === undefined
        ? 'retries exhausted: SQS moved it after maxReceiveCount receives; the launcher recorded no reason ' +
          '(its logs have the failures of this message id)'
        : (attribute(message, 'errorMessage') ?? ''),
    reasonFrom: errorCode === undefined ? 'redrive-policy' : 'launcher',
    batchTypeId: integer(attribute(message, 'batchTypeId')) ?? parsed.batchTypeId,
    requestId: attribute(message, 'requestId') ?? parsed.requestId,
    failedAt: attribute(message, 'failedAt'),
    sentAt: sent === undefined ? undefined : new Date(sent),
    sourceMessageId: attribute(message, 'sourceMessageId'),
    receiveCount,
    body,
  };
}

/** How long the message has been dead: since the launcher rejected it, else since it was sent. */
export function deadSince(message: DeadLetterMessage): Date | undefined {
  if (message.failedAt !== undefined) {
    const failed = new Date(message.failedAt);
    if (!Number.isNaN(failed.getTime())) return failed;
  }
  return message.sentAt;
}
