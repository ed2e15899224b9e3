import { App, Duration, Stack } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Key } from 'aws-cdk-lib/aws-kms';
import { loadStageConfig } from '../../../config/stages.js';
import { FifoQueueWithDlq } from '../../../infra/constructs/fifo-queue-with-dlq.js';
import { RoutingRules } from '../../../infra/constructs/routing-rules.js';
import { TargetDeadLetterQueue } from '../../../infra/constructs/target-dead-letter-queue.js';
import { type Route, routesFor } from '../../../src/routing/routes.js';

function routingWith(routes: readonly Route[]): () => RoutingRules {
  return () => {
    const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
    const encryptionKey = new Key(stack, 'Key');
    return new RoutingRules(stack, 'Routing', {
      eventBus: new EventBus(stack, 'Bus'),
      routes,
      queue: new FifoQueueWithDlq(stack, 'Requests', {
        queueName: 'requests.fifo',
        deadLetterQueueName: 'requests-dlq.fifo',
        encryptionKey,
        maxReceiveCount: 3,
        visibilityTimeout: Duration.seconds(180),
      }),
      deadLetterQueue: new TargetDeadLetterQueue(stack, 'Failures', { encryptionKey }),
    });
  };
}

describe('RoutingRules', () => {
  it('refuses a route whose message body carries the event id: deduplication would never collapse a retry', () => {
    // Arrange
    const routes = routesFor(loadStageConfig('dev'));
    const [first, ...rest] = routes;
    if (first === undefined) throw new Error('no routes');
    const withId: Route = { ...first, inputPathsMap: { ...first.inputPathsMap, id: '$.id' } };
    // Act / Assert
    expect(routingWith(routes)).not.toThrow();
    expect(routingWith([withId, ...rest])).toThrow(
      /route "batch-type-1" puts the event's id, time or whole envelope in the message body/,
    );
  });
});
