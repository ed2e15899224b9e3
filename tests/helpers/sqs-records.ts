import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';

export const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/000000000000/batch-requests.fifo';
export const DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/000000000000/batch-requests-dlq.fifo';

/** A queued body exactly as the routing rule's input transformer writes it. */
export function queuedBody(detail: unknown): string {
  return JSON.stringify({ version: 1, detail });
}

let sequence = 0;

/** One FIFO SQS record as the Lambda event source mapping delivers it. */
export function sqsRecord(options: {
  body: string;
  group?: string;
  messageId?: string;
  receiveCount?: number;
}): SQSRecord {
  sequence += 1;
  const messageId = options.messageId ?? `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`;
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body: options.body,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: '1764870000000',
      SenderId: 'AROAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1764870000001',
      SequenceNumber: String(18800000000000000000n + BigInt(sequence)),
      MessageGroupId: options.group ?? 'batch-1',
      MessageDeduplicationId: `dedup-${messageId}`,
    },
    messageAttributes: {},
    md5OfBody: 'not-checked',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:batch-requests.fifo',
    awsRegion: 'us-east-1',
  };
}

export function sqsEvent(records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** A Lambda context with a comfortable remaining time. */
export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'launch-batch',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:launch-batch',
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/launch-batch',
    logStreamName: '2026/12/04/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
