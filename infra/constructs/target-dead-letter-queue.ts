import { Duration } from 'aws-cdk-lib';
import type { IRule } from 'aws-cdk-lib/aws-events';
import type { Grant } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConstructPropsError } from '../errors.js';
import { allowRuleToSend } from './rule-delivery-policy.js';

export interface TargetDeadLetterQueueProps {
  /** Encrypts the queue; its policy must let `events.amazonaws.com` use it. */
  readonly encryptionKey: IKey;
  /**
   * How long an undeliverable event waits for an operator.
   * @default Duration.days(14)
   */
  readonly retentionPeriod?: Duration;
}

/**
 * Where EventBridge puts an event it could not deliver to a rule's target after
 * its retries (for example the FIFO queue's key policy denied it). A **standard**
 * queue: EventBridge rejects FIFO queues as target dead-letter queues.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
 */
export class TargetDeadLetterQueue extends Construct {
  public readonly queue: Queue;
  private readonly encryptionKey: IKey;

  constructor(scope: Construct, id: string, props: TargetDeadLetterQueueProps) {
    super(scope, id);
    const retentionPeriod = props.retentionPeriod ?? Duration.days(14);
    const seconds = retentionPeriod.toSeconds();
    if (seconds < 60 || seconds > Duration.days(14).toSeconds()) {
      throw new ConstructPropsError(
        `TargetDeadLetterQueue ${this.node.path}`,
        `retentionPeriod ${seconds}s is out of range: use 1 minute to 14 days`,
      );
    }
    this.encryptionKey = props.encryptionKey;
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod,
    });
  }

  /** Lets one rule dead-letter its undeliverable events here, and no other. */
  public allowDeliveryFrom(rule: IRule): void {
    allowRuleToSend(this.queue, rule);
  }

  /**
   * EventBridge invokes a function asynchronously: an event the function keeps
   * failing on (after Lambda's own retries) comes here instead of being dropped.
   * Grants only SendMessage and the two key actions an encrypted send needs.
   */
  public receiveFailedInvocations(
    fn: IFunction,
    options: { retryAttempts: number; maxEventAge: Duration },
  ): Grant {
    fn.configureAsyncInvoke({
      // Bound by hand: SqsDestination would grant the key's wildcard actions (kms:GenerateDataKey*, kms:ReEncrypt*).
      onFailure: { bind: () => ({ destination: this.queue.queueArn }) },
      retryAttempts: options.retryAttempts,
      maxEventAge: options.maxEventAge,
    });
    const grant = this.queue.grant(fn, 'sqs:SendMessage');
    this.encryptionKey.grant(fn, 'kms:GenerateDataKey', 'kms:Decrypt');
    return grant;
  }
}
