import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { applyInputTransformer, type InputTransformer } from '../eventbridge/input-transformer.js';
import type { DeliveryContext, RuleTarget } from './local-event-bus.js';
import type { BusEvent } from './put-events-entry.js';

/** What a delivery to the queue produced. */
export interface QueuedEvent {
  readonly event: BusEvent;
  readonly ruleName: string;
  readonly messageId: string;
  readonly messageGroupId: string;
  /** The message body: the input transformer's output. */
  readonly body: string;
}

export interface SqsQueueTargetOptions {
  readonly client: Pick<SQSClient, 'send'>;
  readonly queueUrl: string;
  /** The rule target's `SqsParameters.MessageGroupId`. */
  readonly messageGroupId: string;
  readonly inputTransformer: InputTransformer;
  /** Called after each successful SendMessage (a deduplicated send answers the original message id). */
  readonly onQueued?: (queued: QueuedEvent) => void;
}

/**
 * An SQS FIFO queue as a rule target, as EventBridge drives one: the body is the rule's input
 * transformer applied to the event, the message group is the target's, and no deduplication id
 * is sent, so the queue's content-based deduplication decides (two PutEvents of one request
 * make one message).
 */
export function sqsQueueTarget(options: SqsQueueTargetOptions): RuleTarget {
  const queueName = options.queueUrl.slice(options.queueUrl.lastIndexOf('/') + 1);
  return {
    id: `sqs:${queueName}`,
    async deliver(event: BusEvent, context: DeliveryContext): Promise<void> {
      const body = applyInputTransformer(options.inputTransformer, event, context);
      const sent = await options.client.send(
        new SendMessageCommand({
          QueueUrl: options.queueUrl,
          MessageBody: body,
          MessageGroupId: options.messageGroupId,
        }),
      );
      options.onQueued?.({
        event,
        ruleName: context.ruleName,
        messageId: sent.MessageId ?? '',
        messageGroupId: options.messageGroupId,
        body,
      });
    },
  };
}
