import type { SQSRecord } from 'aws-lambda';
import { batchVerdict } from '../../../../sandbox/poller/batch-response.js';

const records = ['m-1', 'm-2'].map((messageId) => ({ messageId }) as SQSRecord);

describe('batchVerdict', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an empty object', {}],
    ['null batchItemFailures', { batchItemFailures: null }],
    ['empty batchItemFailures', { batchItemFailures: [] }],
  ])('reads %s as a complete success', (_case, answer) => {
    expect(batchVerdict(records, answer)).toEqual({ kind: 'partial', failedMessageIds: [] });
  });

  it('keeps the records named in batchItemFailures, once each', () => {
    // Act
    const verdict = batchVerdict(records, {
      batchItemFailures: [{ itemIdentifier: 'm-2' }, { itemIdentifier: 'm-2' }],
    });

    // Assert
    expect(verdict).toEqual({ kind: 'partial', failedMessageIds: ['m-2'] });
  });

  it.each([
    ['a string', 'ok'],
    ['an array', []],
    ['batchItemFailures that is not a list', { batchItemFailures: 'm-1' }],
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a misspelt key', { batchItemFailures: [{ itemIdentifer: 'm-1' }] }],
    ['an id not in the batch', { batchItemFailures: [{ itemIdentifier: 'm-3' }] }],
    ['a null item', { batchItemFailures: [null] }],
  ])('fails the whole batch for %s, as Lambda does', (_case, answer) => {
    expect(batchVerdict(records, answer)).toMatchObject({ kind: 'batchFailed' });
  });
});
