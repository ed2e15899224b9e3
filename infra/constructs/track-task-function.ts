import { Duration } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { taskStateChangePattern } from '../../src/routing/task-state-rule.js';
import type { BatchCatalog } from './batch-catalog.js';
import type { BatchRequestBus } from './batch-request-bus.js';
import { BundledFunction, handlerEntry } from './bundled-function.js';
import { cdkEventPattern } from './cdk-event-pattern.js';
import type { LifecycleTables } from './lifecycle-tables.js';
import type { TargetDeadLetterQueue } from './target-dead-letter-queue.js';

export interface TrackTaskFunctionProps {
  /** `STAGE`: the handler loads this stage's catalog at cold start. */
  readonly stage: string;
  readonly tables: LifecycleTables;
  /** Where the result events go. */
  readonly bus: BatchRequestBus;
  /** Only tasks in the catalog's clusters are tracked. */
  readonly catalog: BatchCatalog;
  /** Where EventBridge puts state changes it could not deliver to the function. */
  readonly deadLetterQueue: TargetDeadLetterQueue;
  readonly logRetentionDays: number;
  /**
   * One state change: a read, a conditional update and a PutEvents.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * The handler file.
   * @default handlers/track-task.ts of this repository
   */
  readonly entry?: string;
}

/**
 * The `track-task` function and the rule on the account's **default** bus (where
 * ECS publishes) that feeds it the state changes of the tasks this system
 * started, and only those: `startedBy` prefix and the catalog's clusters.
 */
export class TrackTaskFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly logGroup: LogGroup;
  public readonly rule: Rule;

  constructor(scope: Construct, id: string, props: TrackTaskFunctionProps) {
    super(scope, id);
    const { tables, bus, catalog } = props;

    const bundled = new BundledFunction(this, 'Bundle', {
      entry: props.entry ?? handlerEntry('handlers/track-task.ts'),
      serviceName: 'track-task',
      description:
        'ECS Task State Change of launched batches → lifecycle record + BatchSucceeded / BatchFailed',
      timeout: props.timeout ?? Duration.seconds(30),
      logRetentionDays: props.logRetentionDays,
      environment: {
        STAGE: props.stage,
        LIFECYCLE_TABLE: tables.lifecycleTable.tableName,
        EVENT_BUS_NAME: bus.eventBus.eventBusName,
      },
    });
    this.function = bundled.function;
    this.logGroup = bundled.logGroup;

    // No eventBus: the account's default bus, where ECS publishes task state changes.
    this.rule = new Rule(this, 'TaskStateChange', {
      description: 'ECS Task State Change (RUNNING, STOPPED) of tasks started by launch-batch',
      eventPattern: cdkEventPattern(taskStateChangePattern(catalog.clusterArns), 'TrackTaskFunction rule'),
    });
    this.rule.addTarget(
      new LambdaFunction(this.function, {
        deadLetterQueue: props.deadLetterQueue.queue,
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
      }),
    );

    // EventBridge invokes asynchronously: a state change the function keeps failing on (after Lambda's
    // two retries) goes to the same DLQ as undeliverable events instead of being dropped.
    props.deadLetterQueue.receiveFailedInvocations(this.function, {
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    });

    tables.grantLifecycleTracking(this.function);
    bus.grantPublishResults(this.function);
  }
}
