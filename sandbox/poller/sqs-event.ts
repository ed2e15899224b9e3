import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSMessageAttribute, SQSRecord, SQSRecordAttributes } from 'aws-lambda';

export interface SqsEventSource {
  /** The queue's ARN: `eventSourceARN` of every record. */
  readonly queueArn: string;
  readonly region: string;
}

/**
 * One received SQS message as Lambda's SQS event source mapping hands it to the function: the
 * system attributes as strings (`ApproximateReceiveCount`, `MessageGroupId`, `SequenceNumber`,
 * ...), message attributes in camelCase with binary values in base64, and the event source.
 * Assumes the message was received with `MessageSystemAttributeNames: ['All']` and
 * `MessageAttributeNames: ['All']`, as the mapping receives.
 */
export function sqsRecord(message: Message, source: SqsEventSource): SQSRecord {
  if (message.MessageId === undefined || message.ReceiptHandle === undefined) {
    throw new TypeError('An SQS message without MessageId or ReceiptHandle cannot become a Lambda record');
  }
  const messageAttributes = Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, lambdaAttribute(value)]),
  );
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body ?? '',
    attributes: { ...message.Attributes } as unknown as SQSRecordAttributes,
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes === undefined
      ? {}
      : { md5OfMessageAttributes: message.MD5OfMessageAttributes }),
    eventSource: 'aws:sqs',
    eventSourceARN: source.queueArn,
    awsRegion: source.region,
  };
}

function lambdaAttribute(value: MessageAttributeValue): SQSMessageAttribute {
  return {
    ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
    ...(value.BinaryValue === undefined
      ? {}
      : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
    stringListValues: [],
    binaryListValues: [],
    dataType: (value.DataType ?? 'String') as SQSMessageAttribute['dataType'],
  };
}
