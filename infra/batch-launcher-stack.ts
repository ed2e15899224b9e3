import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/schema.js';
import { batchRequestedJsonSchema } from '../src/contract/batch-requested.js';
import { routesFor } from '../src/routing/routes.js';
import { BatchAlarms } from './constructs/batch-alarms.js';
import { BatchCatalog } from './constructs/batch-catalog.js';
import { BatchRequestBus } from './constructs/batch-request-bus.js';
import { EncryptionKey } from './constructs/encryption-key.js';
import { EventSchema } from './constructs/event-schema.js';
import { FifoQueueWithDlq } from './constructs/fifo-queue-with-dlq.js';
import { LaunchBatchFunction } from './constructs/launch-batch-function.js';
import { LifecycleTables } from './constructs/lifecycle-tables.js';
import { RoutingRules } from './constructs/routing-rules.js';
import { TargetDeadLetterQueue } from './constructs/target-dead-letter-queue.js';
import { TrackTaskFunction } from './constructs/track-task-function.js';

export interface BatchLauncherStackProps extends Omit<StackProps, 'env'> {
  /** The validated stage: account, region, monolith, catalog, limits. */
  readonly config: StageConfig;
}

/** Names the monolith's developers and operators type. */
export const PHYSICAL_NAMES = {
  bus: 'batch-requests',
  queue: 'batch-requests.fifo',
  deadLetterQueue: 'batch-requests-dlq.fifo',
} as const;

/** Lambda's SQS event source needs the queue's visibility timeout ≥ 6 × the function timeout. */
const VISIBILITY_PER_TIMEOUT = 6;

/**
 * ecs-batch-launcher in one stage's batch account: bus → routing rules → FIFO
 * queue → launch-batch → ECS, and ECS task state changes → track-task → result
 * events on the bus (DESIGN "Flow"). Wiring only: each part is a construct.
 */
export class BatchLauncherStack extends Stack {
  public readonly key: EncryptionKey;
  public readonly bus: BatchRequestBus;
  public readonly requests: FifoQueueWithDlq;
  public readonly deliveryFailures: TargetDeadLetterQueue;
  public readonly routing: RoutingRules;
  public readonly catalog: BatchCatalog;
  public readonly tables: LifecycleTables;
  public readonly launchBatch: LaunchBatchFunction;
  public readonly trackTask: TrackTaskFunction;
  public readonly alarms: BatchAlarms;
  public readonly eventSchema: EventSchema;

  constructor(scope: Construct, id: string, props: BatchLauncherStackProps) {
    const { config, ...stackProps } = props;
    super(scope, id, {
      description: `ecs-batch-launcher (${config.stage}): BatchRequested events → exactly one ECS task each`,
      ...stackProps,
      env: { account: config.account, region: config.region },
    });
    const timeout = Duration.seconds(config.launcher.timeoutSeconds);

    this.key = new EncryptionKey(this, 'Key');
    this.key.allowEventBridgeDelivery();

    this.bus = new BatchRequestBus(this, 'Bus', {
      eventBusName: PHYSICAL_NAMES.bus,
      publisherAccountIds: config.monolith.accountIds,
      eventSource: config.monolith.eventSource,
      // A replay can then never outlive the idempotency records that make it harmless.
      archiveRetention: Duration.days(config.retention.idempotencyDays),
    });
    this.requests = new FifoQueueWithDlq(this, 'Requests', {
      queueName: PHYSICAL_NAMES.queue,
      deadLetterQueueName: PHYSICAL_NAMES.deadLetterQueue,
      encryptionKey: this.key.key,
      maxReceiveCount: config.launcher.maxReceiveCount,
      visibilityTimeout: Duration.seconds(VISIBILITY_PER_TIMEOUT * config.launcher.timeoutSeconds),
      deadLetterRetentionPeriod: Duration.days(config.retention.dlqDays),
    });
    this.deliveryFailures = new TargetDeadLetterQueue(this, 'DeliveryFailures', {
      encryptionKey: this.key.key,
      retentionPeriod: Duration.days(config.retention.dlqDays),
    });
    this.routing = new RoutingRules(this, 'Routing', {
      eventBus: this.bus.eventBus,
      routes: routesFor(config),
      queue: this.requests,
      deadLetterQueue: this.deliveryFailures,
    });

    this.catalog = new BatchCatalog(this, 'Catalog', { batchTypes: config.catalog });
    this.tables = new LifecycleTables(this, 'Tables', { encryptionKey: this.key.key });
    this.launchBatch = new LaunchBatchFunction(this, 'LaunchBatch', {
      stage: config.stage,
      requests: this.requests,
      tables: this.tables,
      catalog: this.catalog,
      timeout,
      maxConcurrency: config.launcher.maxConcurrency,
      logRetentionDays: config.retention.logDays,
    });
    this.trackTask = new TrackTaskFunction(this, 'TrackTask', {
      stage: config.stage,
      tables: this.tables,
      bus: this.bus,
      catalog: this.catalog,
      deadLetterQueue: this.deliveryFailures,
      logRetentionDays: config.retention.logDays,
    });

    this.alarms = new BatchAlarms(this, 'Alarms', {
      encryptionKey: this.key,
      requestQueue: this.requests.queue,
      deadLetterQueues: {
        [PHYSICAL_NAMES.deadLetterQueue]: this.requests.deadLetterQueue,
        'rule-target-dlq': this.deliveryFailures.queue,
      },
      functions: { 'launch-batch': this.launchBatch.function, 'track-task': this.trackTask.function },
      oldestMessageAge: Duration.seconds(config.alarms.oldestMessageAgeSeconds),
      email: config.alarms.email,
    });
    this.eventSchema = new EventSchema(this, 'EventSchema', { schema: batchRequestedJsonSchema() });

    this.outputs();
  }

  private outputs(): void {
    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    output('EventBusName', this.bus.eventBus.eventBusName, 'PutEvents here (EventBusName)');
    output(
      'EventBusArn',
      this.bus.eventBus.eventBusArn,
      'PutEvents here from the monolith account (EventBusName = ARN)',
    );
    output('QueueUrl', this.requests.queue.queueUrl, 'FIFO queue of requests');
    output(
      'DeadLetterQueueUrl',
      this.requests.deadLetterQueue.queueUrl,
      'Requests not launched; redrive from here',
    );
    output(
      'RuleTargetDeadLetterQueueUrl',
      this.deliveryFailures.queue.queueUrl,
      'Events EventBridge could not deliver',
    );
    output('AlarmTopicArn', this.alarms.topic.topicArn, 'Subscribe on-call here');
    output('IdempotencyTableName', this.tables.idempotencyTable.tableName, 'Powertools idempotency records');
    output(
      'LifecycleTableName',
      this.tables.lifecycleTable.tableName,
      'One record per request and batch type',
    );
    output('EventSchemaArn', this.eventSchema.schema.attrSchemaArn, 'BatchRequested JSON Schema (draft-04)');
  }
}
