import { type MessageAttributeValue, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { ErrorCode, type LaunchError, TransientLaunchError } from './errors.js';

/** SQS message attribute values are capped; keep the reason readable and within limits. */
const MAX_ERROR_MESSAGE_LENGTH = 2000;

const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });

export interface RejectionContext {
  readonly batchTypeId?: number;
  readonly requestId?: string;
}

/**
 * Moves a permanently failed record to the FIFO DLQ at once, with why it failed,
 * so it does not block its message group for maxReceiveCount × visibility timeout.
 * Same MessageGroupId (order among rejected requests is kept); the source message
 * id as deduplication id (a repeated rejection of the same delivery collapses).
 *
 * @throws TransientLaunchError `DlqUnavailable` if the send fails: the caller
 *   reports the record failed so it is redelivered, never lost.
 */
export async function sendToDeadLetterQueue(
  sqs: Pick<SQSClient, 'send'>,
  dlqUrl: string,
  record: SQSRecord,
  error: LaunchError,
  failedAt: Date,
  context: RejectionContext = {},
): Promise<void> {
  const attributes: Record<string, MessageAttributeValue> = {
    errorCode: text(error.code),
    errorMessage: text(error.message.slice(0, MAX_ERROR_MESSAGE_LENGTH)),
    failedAt: text(failedAt.toISOString()),
    sourceMessageId: text(record.messageId),
  };
  if (context.batchTypeId !== undefined) {
    attributes.batchTypeId = { DataType: 'Number', StringValue: String(context.batchTypeId) };
  }
  if (context.requestId !== undefined) attributes.requestId = text(context.requestId);
  try {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: dlqUrl,
        MessageBody: record.body,
        MessageGroupId: record.attributes.MessageGroupId,
        MessageDeduplicationId: record.messageId,
        MessageAttributes: attributes,
      }),
    );
  } catch (sendError) {
    throw new TransientLaunchError(
      ErrorCode.DlqUnavailable,
      `could not move the rejected message to the DLQ (${(sendError as Error).name}: ${(sendError as Error).message}); ` +
        `it stays in the queue and is retried. Rejection was ${error.code}: ${error.message}`,
      { cause: sendError },
    );
  }
}
