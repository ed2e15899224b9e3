import { App, Duration, Stack } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { loadStageConfig } from '../../../config/stages.js';
import { BatchCatalog } from '../../../infra/constructs/batch-catalog.js';
import { FifoQueueWithDlq } from '../../../infra/constructs/fifo-queue-with-dlq.js';
import { LaunchBatchFunction } from '../../../infra/constructs/launch-batch-function.js';
import { LifecycleTables } from '../../../infra/constructs/lifecycle-tables.js';
import { ConstructPropsError } from '../../../infra/errors.js';

/** The props checks run before anything is bundled: these tests cost no esbuild run. */
function launchWith(options: {
  visibility: Duration;
  timeout: Duration;
  maxConcurrency?: number;
}): () => LaunchBatchFunction {
  return () => {
    const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
    const encryptionKey = new Key(stack, 'Key');
    const requests = new FifoQueueWithDlq(stack, 'Requests', {
      queueName: 'requests.fifo',
      deadLetterQueueName: 'requests-dlq.fifo',
      encryptionKey,
      maxReceiveCount: 3,
      visibilityTimeout: options.visibility,
    });
    return new LaunchBatchFunction(stack, 'Launch', {
      stage: 'dev',
      requests,
      tables: new LifecycleTables(stack, 'Tables', { encryptionKey }),
      catalog: new BatchCatalog(stack, 'Catalog', { batchTypes: loadStageConfig('dev').catalog }),
      timeout: options.timeout,
      maxConcurrency: options.maxConcurrency ?? 5,
      logRetentionDays: 14,
    });
  };
}

describe('LaunchBatchFunction', () => {
  it('refuses a queue whose visibility timeout is under 6 × the function timeout, saying what to set', () => {
    const build = launchWith({ visibility: Duration.seconds(179), timeout: Duration.seconds(30) });
    expect(build).toThrow(ConstructPropsError);
    expect(build).toThrow(
      /visibility timeout \(179s\) is under 6 × the function timeout \(30s\): raise it to at least 180s/,
    );
  });

  it('refuses an event source concurrency Lambda does not accept', () => {
    const build = launchWith({
      visibility: Duration.seconds(180),
      timeout: Duration.seconds(30),
      maxConcurrency: 1,
    });
    expect(build).toThrow(/maxConcurrency 1 is out of range: Lambda accepts 2 to 1000/);
  });
});
