import { deadSince, RETRIES_EXHAUSTED, readDeadLetterMessage } from '../../src/cli/dead-letter-message.js';
import { parseRedriveFilter } from '../../src/cli/redrive-filter.js';
import { deadLetter } from './support/dead-letters.js';

describe('readDeadLetterMessage', () => {
  it('reads the reason the launcher wrote as message attributes', () => {
    // Arrange
    const received = deadLetter({
      id: 'm-1',
      group: 'unrouted',
      detail: { batchTypeId: 99, requestId: 'r-1' },
      errorCode: 'UnknownBatchType',
      errorMessage: 'batchTypeId 99 is not in the catalog',
      failedAt: '2026-12-04T11:58:00.000Z',
    });

    // Act
    const message = readDeadLetterMessage(received);

    // Assert
    expect(message).toMatchObject({
      messageId: 'm-1',
      groupId: 'unrouted',
      errorCode: 'UnknownBatchType',
      errorMessage: 'batchTypeId 99 is not in the catalog',
      reasonFrom: 'launcher',
      batchTypeId: 99,
      requestId: 'r-1',
      sourceMessageId: 'source-m-1',
      receiveCount: 1,
    });
    expect(deadSince(message)).toEqual(new Date('2026-12-04T11:58:00.000Z'));
  });

  it('derives "retries exhausted" for a message SQS moved, reading type and request from the body', () => {
    const sentAt = new Date('2026-12-04T10:00:00.000Z');
    const received = deadLetter({
      id: 'm-2',
      group: 'batch-1',
      detail: { batchTypeId: 1, requestId: 'r-2' },
      sentAt,
    });

    const message = readDeadLetterMessage(received);

    expect(message).toMatchObject({
      errorCode: RETRIES_EXHAUSTED,
      reasonFrom: 'redrive-policy',
      batchTypeId: 1,
      requestId: 'r-2',
      failedAt: undefined,
    });
    expect(message.errorMessage).toMatch(/^retries exhausted: SQS moved it after maxReceiveCount receives/);
    expect(deadSince(message)).toEqual(sentAt);
  });

  it('leaves type and request unknown when the body is not a queued request', () => {
    const received = { ...deadLetter({ id: 'm-3', group: 'unrouted', detail: {} }), Body: 'not json' };

    expect(readDeadLetterMessage(received)).toMatchObject({
      batchTypeId: undefined,
      requestId: undefined,
      body: 'not json',
    });
  });

  it('refuses a message without id or receipt handle', () => {
    expect(() => readDeadLetterMessage({ Body: '{}' })).toThrow('without MessageId or ReceiptHandle');
  });
});

describe('parseRedriveFilter', () => {
  const unknownType = readDeadLetterMessage(
    deadLetter({
      id: 'm-1',
      group: 'unrouted',
      detail: { batchTypeId: 99, requestId: 'r-1' },
      errorCode: 'UnknownBatchType',
    }),
  );
  const exhausted = readDeadLetterMessage(
    deadLetter({ id: 'm-2', group: 'batch-1', detail: { batchTypeId: 1 } }),
  );

  it('is no filter at all without terms', () => {
    expect(parseRedriveFilter([])).toBeUndefined();
  });

  it.each([
    [['errorCode=UnknownBatchType'], true, false],
    [['errorCode=MaxReceiveCountExceeded'], false, true],
    [['type=1'], false, true],
    [['type=99', 'requestId=r-1'], true, false],
    [['type=99', 'requestId=r-2'], false, false],
  ])('%j matches the unknown-type message: %s, the exhausted one: %s', (terms, first, second) => {
    const filter = parseRedriveFilter(terms)!;

    expect(filter.matches(unknownType)).toBe(first);
    expect(filter.matches(exhausted)).toBe(second);
  });

  it('describes itself for the output', () => {
    expect(parseRedriveFilter(['errorCode=X', 'type=2'])!.description).toBe('errorCode=X and type=2');
  });

  it.each(['errorcode=X', 'type=', 'type=one', '=x', 'batchType=1'])(
    'refuses %s naming the allowed keys',
    (term) => {
      expect(() => parseRedriveFilter([term])).toThrow(
        /errorCode=<value>, type=<value>, requestId=<value>|whole number/,
      );
    },
  );
});
