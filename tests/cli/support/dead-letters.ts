import type { Message } from '@aws-sdk/client-sqs';

export const QUEUE_URL = 'http://127.0.0.1:1/000000000000/batch-requests.fifo';
export const DLQ_URL = 'http://127.0.0.1:1/000000000000/batch-requests-dlq.fifo';
export const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:batch-requests.fifo';
export const DLQ_ARN = 'arn:aws:sqs:us-east-1:000000000000:batch-requests-dlq.fifo';

const text = (value: string) => ({ DataType: 'String', StringValue: value });

/**
 * A DLQ message as ReceiveMessage returns it. With `errorCode` it is one the
 * launcher rejected (its attributes); without, one SQS moved after maxReceiveCount.
 */
export function deadLetter(options: {
  id: string;
  group: string;
  detail: Record<string, unknown>;
  errorCode?: string;
  errorMessage?: string;
  failedAt?: string;
  sentAt?: Date;
}): Message {
  const { id, group, detail, errorCode } = options;
  const attributes =
    errorCode === undefined
      ? undefined
      : {
          errorCode: text(errorCode),
          errorMessage: text(options.errorMessage ?? `${errorCode} happened`),
          failedAt: text(options.failedAt ?? '2026-12-04T11:55:00.000Z'),
          sourceMessageId: text(`source-${id}`),
          ...(typeof detail.batchTypeId === 'number'
            ? { batchTypeId: { DataType: 'Number', StringValue: String(detail.batchTypeId) } }
            : {}),
          ...(typeof detail.requestId === 'string' ? { requestId: text(detail.requestId) } : {}),
        };
  return {
    MessageId: id,
    ReceiptHandle: `receipt-${id}`,
    Body: JSON.stringify({ version: 1, detail }),
    Attributes: {
      MessageGroupId: group,
      SentTimestamp: String((options.sentAt ?? new Date('2026-12-04T11:50:00.000Z')).getTime()),
      ApproximateReceiveCount: '1',
    },
    ...(attributes === undefined ? {} : { MessageAttributes: attributes }),
  };
}

/** An SDK error as a service answers it: what batchctl branches on is the name. */
export function serviceError(name: string, message: string, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });
}
