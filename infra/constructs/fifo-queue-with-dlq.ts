import { Duration } from 'aws-cdk-lib';
import type { IRule } from 'aws-cdk-lib/aws-events';
import type { Grant, IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConstructPropsError } from '../errors.js';
import { allowRuleToSend } from './rule-delivery-policy.js';

export interface FifoQueueWithDlqProps {
  /** The queue's name; a FIFO name ends in `.fifo`. */
  readonly queueName: string;
  /** The dead-letter queue's name; a FIFO name ends in `.fifo`. */
  readonly deadLetterQueueName: string;
  /** Encrypts both queues; its policy must let every producer's service principal use it. */
  readonly encryptionKey: IKey;
  /** Receives of a message before SQS moves it to the DLQ (1-1,000). */
  readonly maxReceiveCount: number;
  /**
   * How long a received message stays invisible. Lambda's SQS event source
   * needs at least six times the function timeout.
   */
  readonly visibilityTimeout: Duration;
  /**
   * How long an unconsumed request is kept: long enough to survive a long outage
   * of the launcher (the age-of-oldest-message alarm fires long before).
   * @default Duration.days(14)
   */
  readonly retentionPeriod?: Duration;
  /**
   * How long a dead-lettered request waits for an operator's redrive.
   * @default Duration.days(14)
   */
  readonly deadLetterRetentionPeriod?: Duration;
}

const MAX_RETENTION = Duration.days(14);
const MIN_RETENTION = Duration.minutes(1);
const MAX_VISIBILITY = Duration.hours(12);

/**
 * A FIFO queue with content-based deduplication and its FIFO dead-letter queue,
 * both KMS-encrypted and reachable only over TLS. Content-based deduplication is
 * what collapses two PutEvents of one request: the routing rules write bodies
 * that carry no event id or time.
 */
export class FifoQueueWithDlq extends Construct {
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  public readonly encryptionKey: IKey;
  public readonly visibilityTimeout: Duration;
  public readonly maxReceiveCount: number;

  constructor(scope: Construct, id: string, props: FifoQueueWithDlqProps) {
    super(scope, id);
    const retentionPeriod = props.retentionPeriod ?? MAX_RETENTION;
    const deadLetterRetentionPeriod = props.deadLetterRetentionPeriod ?? MAX_RETENTION;
    checkProps(this.node.path, props, retentionPeriod, deadLetterRetentionPeriod);

    this.encryptionKey = props.encryptionKey;
    this.visibilityTimeout = props.visibilityTimeout;
    this.maxReceiveCount = props.maxReceiveCount;

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: props.deadLetterQueueName,
      fifo: true,
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: deadLetterRetentionPeriod,
    });
    this.queue = new Queue(this, 'Queue', {
      queueName: props.queueName,
      fifo: true,
      contentBasedDeduplication: true,
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      retentionPeriod,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
  }

  /**
   * Lets one EventBridge rule send to the queue: the queue policy names the
   * rule's ARN, so no other rule (nor any other account's) can write requests.
   */
  public allowDeliveryFrom(rule: IRule): void {
    allowRuleToSend(this.queue, rule);
  }

  /**
   * Lets a consumer move a permanently failed message to the DLQ itself, at
   * once, instead of blocking its message group for maxReceiveCount receives.
   * SendMessage on the DLQ and the two key actions an encrypted send needs.
   */
  public grantSendToDeadLetterQueue(grantee: IGrantable): Grant {
    const grant = this.deadLetterQueue.grant(grantee, 'sqs:SendMessage');
    this.encryptionKey.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
    return grant;
  }
}

function checkProps(
  path: string,
  props: FifoQueueWithDlqProps,
  retentionPeriod: Duration,
  deadLetterRetentionPeriod: Duration,
): void {
  const fail = (message: string) => new ConstructPropsError(`FifoQueueWithDlq ${path}`, message);
  for (const [prop, name] of [
    ['queueName', props.queueName],
    ['deadLetterQueueName', props.deadLetterQueueName],
  ] as const) {
    if (!/^[A-Za-z0-9_-]{1,75}\.fifo$/.test(name)) {
      throw fail(
        `${prop} "${name}" is not a FIFO queue name: use 1-75 letters, digits, - or _ followed by ".fifo"`,
      );
    }
  }
  if (!Number.isInteger(props.maxReceiveCount) || props.maxReceiveCount < 1 || props.maxReceiveCount > 1000) {
    throw fail(`maxReceiveCount ${props.maxReceiveCount} is out of range: use an integer from 1 to 1000`);
  }
  const visibility = props.visibilityTimeout.toSeconds();
  if (visibility < 1 || visibility > MAX_VISIBILITY.toSeconds()) {
    throw fail(`visibilityTimeout ${visibility}s is out of range: use 1 s to 12 h`);
  }
  for (const [prop, period] of [
    ['retentionPeriod', retentionPeriod],
    ['deadLetterRetentionPeriod', deadLetterRetentionPeriod],
  ] as const) {
    const seconds = period.toSeconds();
    if (seconds < MIN_RETENTION.toSeconds() || seconds > MAX_RETENTION.toSeconds()) {
      throw fail(`${prop} ${seconds}s is out of range: use 1 minute to 14 days`);
    }
  }
}
