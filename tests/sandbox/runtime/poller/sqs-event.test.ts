import { sqsRecord } from '../../../../sandbox/poller/sqs-event.js';

const SOURCE = { queueArn: 'arn:aws:sqs:us-east-1:000000000000:batch-requests.fifo', region: 'us-east-1' };

describe('sqsRecord', () => {
  it('turns message attributes into Lambda’s camelCase form, binary values in base64', () => {
    // Act
    const record = sqsRecord(
      {
        MessageId: 'm-1',
        ReceiptHandle: 'rh-1',
        Body: 'body',
        MD5OfBody: 'md5',
        Attributes: { ApproximateReceiveCount: '2', MessageGroupId: 'batch-1' },
        MessageAttributes: {
          text: { DataType: 'String', StringValue: 'v' },
          bytes: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
        },
      },
      SOURCE,
    );

    // Assert
    expect(record).toEqual({
      messageId: 'm-1',
      receiptHandle: 'rh-1',
      body: 'body',
      attributes: { ApproximateReceiveCount: '2', MessageGroupId: 'batch-1' },
      messageAttributes: {
        text: { stringValue: 'v', stringListValues: [], binaryListValues: [], dataType: 'String' },
        bytes: { binaryValue: 'AQID', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
      md5OfBody: 'md5',
      eventSource: 'aws:sqs',
      eventSourceARN: SOURCE.queueArn,
      awsRegion: 'us-east-1',
    });
  });

  it('refuses a message without a receipt handle: it could never be deleted', () => {
    expect(() => sqsRecord({ MessageId: 'm-1' }, SOURCE)).toThrow('ReceiptHandle');
  });
});
