import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface EncryptionKeyProps {
  /**
   * What the key protects, shown in the KMS console.
   * @default 'ecs-batch-launcher: queues, tables and alarm topic'
   */
  readonly description?: string;
  /**
   * Keep the key when the stack is deleted: retained queues' messages and
   * table backups stay readable.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The customer managed KMS key of the stack. A customer managed key, not the
 * AWS managed `alias/aws/sqs`: EventBridge and CloudWatch can only write to
 * encrypted queues and topics whose key policy lets their service principal use
 * the key, and the policy of an AWS managed key cannot be changed.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
 */
export class EncryptionKey extends Construct {
  public readonly key: Key;
  private eventBridgeAllowed = false;
  private cloudWatchAllowed = false;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps = {}) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: props.description ?? 'ecs-batch-launcher: queues, tables and alarm topic',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }

  /**
   * Lets EventBridge rules of this account and region write to queues encrypted
   * with this key (the FIFO queue and the rule targets' DLQ). Scoped by a rule
   * ARN pattern rather than the rules' own ARNs: the key cannot name a rule whose
   * target queue names the key (a CloudFormation dependency cycle).
   */
  public allowEventBridgeDelivery(): void {
    if (this.eventBridgeAllowed) return;
    this.eventBridgeAllowed = true;
    this.allowServiceToEncrypt(
      'AllowEventBridgeRulesOfThisAccount',
      'events.amazonaws.com',
      Stack.of(this).formatArn({ service: 'events', resource: 'rule', resourceName: '*' }),
    );
  }

  /** Lets CloudWatch alarms of this account and region publish to topics encrypted with this key. */
  public allowCloudWatchAlarms(): void {
    if (this.cloudWatchAllowed) return;
    this.cloudWatchAllowed = true;
    this.allowServiceToEncrypt(
      'AllowCloudWatchAlarmsOfThisAccount',
      'cloudwatch.amazonaws.com',
      Stack.of(this).formatArn({
        service: 'cloudwatch',
        resource: 'alarm',
        resourceName: '*',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    );
  }

  /** GenerateDataKey to write, Decrypt to reuse a cached data key; nothing else. */
  private allowServiceToEncrypt(sid: string, service: string, sourceArnPattern: string): void {
    const stack = Stack.of(this);
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid,
        principals: [new ServicePrincipal(service)],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': sourceArnPattern },
        },
      }),
    );
  }
}
