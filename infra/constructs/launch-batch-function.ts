import type { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ConstructPropsError } from '../errors.js';
import type { BatchCatalog } from './batch-catalog.js';
import { BundledFunction, handlerEntry } from './bundled-function.js';
import type { FifoQueueWithDlq } from './fifo-queue-with-dlq.js';
import type { LifecycleTables } from './lifecycle-tables.js';

export interface LaunchBatchFunctionProps {
  /** `STAGE`: the handler loads this stage's catalog at cold start. */
  readonly stage: string;
  /** The FIFO request queue (event source) and its DLQ (permanent failures). */
  readonly requests: FifoQueueWithDlq;
  readonly tables: LifecycleTables;
  /** The ECS clusters, families and roles the function may launch with. */
  readonly catalog: BatchCatalog;
  /** The queue's visibility timeout must be at least six times this. */
  readonly timeout: Duration;
  /** ESM `MaximumConcurrency` (2-1,000): at most this many concurrent invocations. */
  readonly maxConcurrency: number;
  readonly logRetentionDays: number;
  /**
   * Records per invocation; FIFO queues allow at most 10.
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * The handler file.
   * @default handlers/launch-batch.ts of this repository
   */
  readonly entry?: string;
}

/** Lambda's rule for SQS event sources: visibility ≥ 6 × function timeout. */
const VISIBILITY_PER_TIMEOUT = 6;

/**
 * The `launch-batch` function fed by the FIFO queue (partial batch responses,
 * bounded concurrency), allowed to run exactly the catalog's tasks and nothing else.
 */
export class LaunchBatchFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly logGroup: LogGroup;
  public readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: LaunchBatchFunctionProps) {
    super(scope, id);
    const batchSize = props.batchSize ?? 10;
    checkProps(this.node.path, props, batchSize);
    const { requests, tables, catalog } = props;

    const bundled = new BundledFunction(this, 'Bundle', {
      entry: props.entry ?? handlerEntry('handlers/launch-batch.ts'),
      serviceName: 'launch-batch',
      description: 'BatchRequested from the FIFO queue → exactly one ECS task per request',
      timeout: props.timeout,
      logRetentionDays: props.logRetentionDays,
      environment: {
        STAGE: props.stage,
        SOURCE_QUEUE_URL: requests.queue.queueUrl,
        DLQ_URL: requests.deadLetterQueue.queueUrl,
        IDEMPOTENCY_TABLE: tables.idempotencyTable.tableName,
        LIFECYCLE_TABLE: tables.lifecycleTable.tableName,
      },
    });
    this.function = bundled.function;
    this.logGroup = bundled.logGroup;

    // Receive, delete and ChangeMessageVisibility (the handler's backoff) on the source queue, kms:Decrypt.
    this.eventSource = new SqsEventSource(requests.queue, {
      batchSize,
      reportBatchItemFailures: true,
      maxConcurrency: props.maxConcurrency,
    });
    this.function.addEventSource(this.eventSource);

    requests.grantSendToDeadLetterQueue(this.function);
    tables.grantIdempotencyStore(this.function);
    tables.grantLifecycleRecording(this.function);
    catalog.grantRunTask(this.function);
    catalog.grantPassTaskRoles(this.function);
    catalog.grantTagTasks(this.function);
  }
}

function checkProps(path: string, props: LaunchBatchFunctionProps, batchSize: number): void {
  const fail = (message: string) => new ConstructPropsError(`LaunchBatchFunction ${path}`, message);
  const timeout = props.timeout.toSeconds();
  const visibility = props.requests.visibilityTimeout.toSeconds();
  if (visibility < VISIBILITY_PER_TIMEOUT * timeout) {
    throw fail(
      `the queue's visibility timeout (${visibility}s) is under ${VISIBILITY_PER_TIMEOUT} × the function timeout (${timeout}s): ` +
        `raise it to at least ${VISIBILITY_PER_TIMEOUT * timeout}s or lower the timeout, or in-flight records are received twice`,
    );
  }
  if (!Number.isInteger(props.maxConcurrency) || props.maxConcurrency < 2 || props.maxConcurrency > 1000) {
    throw fail(`maxConcurrency ${props.maxConcurrency} is out of range: Lambda accepts 2 to 1000`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
    throw fail(`batchSize ${batchSize} is out of range: a FIFO event source takes 1 to 10 records`);
  }
}
