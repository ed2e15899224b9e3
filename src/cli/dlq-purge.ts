import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { queueDepth, totalOf } from './dead-letter-scan.js';
import { ConfirmationRequiredError, EmptyDeadLetterQueueError } from './errors.js';
import { fields, type Output } from './output.js';
import type { Target } from './target.js';

export interface DlqPurgeOptions {
  readonly yes: boolean;
}

/**
 * `batchctl dlq purge --yes`: deletes every DLQ message for good. Refused without
 * `--yes` before anything is contacted: these are requests nobody launched.
 */
export async function runDlqPurge(target: Target, output: Output, options: DlqPurgeOptions): Promise<number> {
  if (!options.yes) {
    throw new ConfirmationRequiredError(
      'Refusing to purge the DLQ without --yes: purged requests are gone for good and never launch. ' +
        'Look first (batchctl dlq list), redrive what should run (batchctl dlq redrive --filter ...), then purge.',
    );
  }
  const { deadLetter } = await target.queues();
  const before = await queueDepth(target, deadLetter);
  if (totalOf(before) === 0) throw new EmptyDeadLetterQueueError(deadLetter.name, 'purge');
  await target.call('sqs', `purge ${deadLetter.name}`, () =>
    target.client('sqs').send(new PurgeQueueCommand({ QueueUrl: deadLetter.url })),
  );
  output.result('dlq purge', { queue: deadLetter.name, purged: totalOf(before) }, () =>
    fields([
      ['purged', `${deadLetter.name}: ~${totalOf(before)} message(s)`],
      ['note', 'SQS finishes a purge within 60 seconds; messages sent meanwhile may go too.'],
    ]),
  );
  return 0;
}
