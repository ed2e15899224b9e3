import { GetQueueAttributesCommand, GetQueueUrlCommand, PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { createBatchctl } from '../../src/cli/program.js';
import { batchctl, clientsFor, targetWith } from './support/cli-harness.js';
import { DLQ_URL, QUEUE_URL } from './support/dead-letters.js';

function mockedSqs(visible: number) {
  const clients = clientsFor('us-east-1');
  const sqs = mockClient(clients.sqs);
  sqs.on(GetQueueUrlCommand, { QueueName: 'batch-requests.fifo' }).resolves({ QueueUrl: QUEUE_URL });
  sqs.on(GetQueueUrlCommand, { QueueName: 'batch-requests-dlq.fifo' }).resolves({ QueueUrl: DLQ_URL });
  sqs.on(GetQueueAttributesCommand).resolves({
    Attributes: {
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: '0',
      ApproximateNumberOfMessagesDelayed: '0',
    },
  });
  sqs.on(PurgeQueueCommand).resolves({});
  return { sqs, target: targetWith({ clients: () => clients }) };
}

describe('batchctl dlq purge', () => {
  it('refuses without --yes (exit 2) and contacts nothing, through program.parseAsync', async () => {
    // Arrange: drive the commander program itself.
    const { sqs, target } = mockedSqs(3);
    let stderr = '';
    const cli = createBatchctl({
      io: {
        stdout: () => {},
        stderr: (text) => {
          stderr += text;
        },
        stderrIsTTY: false,
      },
      env: {},
      connect: target,
    });

    // Act
    await cli.program.parseAsync(['dlq', 'purge'], { from: 'user' });

    // Assert
    expect(cli.exitCode).toBe(2);
    expect(stderr).toContain('Refusing to purge the DLQ without --yes');
    expect(sqs).not.toHaveReceivedAnyCommand();
  });

  it('purges the DLQ with --yes', async () => {
    const { sqs, target } = mockedSqs(3);

    const run = await batchctl(['dlq', 'purge', '--yes', '--json'], { target });

    expect(run.exitCode).toBe(0);
    expect(sqs).toHaveReceivedCommandWith(PurgeQueueCommand, { QueueUrl: DLQ_URL });
    expect(run.json()).toEqual({
      ok: true,
      exitCode: 0,
      command: 'dlq purge',
      queue: 'batch-requests-dlq.fifo',
      purged: 3,
    });
  });

  it('says the DLQ is empty (exit 3) instead of purging nothing', async () => {
    const { sqs, target } = mockedSqs(0);

    const run = await batchctl(['dlq', 'purge', '--yes'], { target });

    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('is empty: nothing to purge');
    expect(sqs).not.toHaveReceivedCommand(PurgeQueueCommand);
  });
});
