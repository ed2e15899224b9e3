import { DeadLetterWatcher } from '../../../../sandbox/sqs/dead-letter-watcher.js';
import type { QueuedMessage } from '../../../../sandbox/sqs/local-sqs.js';

function message(messageId: string): QueuedMessage {
  return {
    messageId,
    body: '{}',
    messageAttributes: {},
    approximateReceiveCount: 0,
    sentTimestamp: 0,
    state: 'ready',
  };
}

describe('DeadLetterWatcher', () => {
  it('reports each dead letter once, however often it looks', async () => {
    // Arrange
    const queue: QueuedMessage[] = [message('a')];
    const reported: string[] = [];
    const watcher = new DeadLetterWatcher({
      peek: async () => [...queue],
      onDeadLetter: (dead) => reported.push(dead.messageId),
    });

    // Act
    await watcher.scan();
    queue.push(message('b'));
    await Promise.all([watcher.scan(), watcher.scan()]);

    // Assert
    expect(reported).toEqual(['a', 'b']);
  });

  it('looks periodically once started, and one last time on stop', async () => {
    // Arrange
    const queue: QueuedMessage[] = [];
    const reported: string[] = [];
    const watcher = new DeadLetterWatcher({
      peek: async () => [...queue],
      onDeadLetter: (dead) => reported.push(dead.messageId),
      intervalMs: 10,
    });

    // Act
    watcher.start();
    queue.push(message('periodic'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    queue.push(message('last'));
    await watcher.stop();

    // Assert
    expect(reported).toEqual(['periodic', 'last']);
  });

  it('reports a failed look and keeps going', async () => {
    // Arrange
    const errors: unknown[] = [];
    let calls = 0;
    const watcher = new DeadLetterWatcher({
      peek: async () => {
        calls += 1;
        if (calls === 1) throw new Error('SQS is down');
        return [message('after')];
      },
      onDeadLetter: () => undefined,
      onError: (error) => errors.push(error),
      intervalMs: 10,
    });

    // Act
    watcher.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await watcher.stop();

    // Assert
    expect(String(errors[0])).toContain('SQS is down');
    expect(calls).toBeGreaterThan(1);
  });
});
