import { Duration } from 'aws-cdk-lib';
import { type Archive, EventBus } from 'aws-cdk-lib/aws-events';
import { AccountPrincipal, Grant, type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DETAIL_TYPE } from '../../src/contract/batch-requested.js';
import { ConstructPropsError } from '../errors.js';

export interface BatchRequestBusProps {
  /** The monolith's AWS accounts: the only accounts that may put events on the bus. */
  readonly publisherAccountIds: readonly string[];
  /** The `Source` the monolith puts on its events; events with any other source are refused. */
  readonly eventSource: string;
  /**
   * The bus name: the monolith's developers type it into their PutEvents calls.
   * @default 'batch-requests'
   */
  readonly eventBusName?: string;
  /**
   * How long the archive keeps requests for replay.
   * @default Duration.days(7)
   */
  readonly archiveRetention?: Duration;
  /**
   * The detail types the launcher publishes back on the bus (result events);
   * only these may be put by `grantPublishResults`.
   * @default ['BatchSucceeded', 'BatchFailed']
   */
  readonly resultDetailTypes?: readonly string[];
}

/**
 * The `batch-requests` event bus: the monolith's only entry point. Its resource
 * policy lets the monolith account(s) put `BatchRequested` events with the
 * stage's source and nothing else; an archive keeps the requests for replay.
 */
export class BatchRequestBus extends Construct {
  public readonly eventBus: EventBus;
  public readonly archive: Archive;
  private readonly resultDetailTypes: readonly string[];

  constructor(scope: Construct, id: string, props: BatchRequestBusProps) {
    super(scope, id);
    const fail = (message: string) => new ConstructPropsError(`BatchRequestBus ${this.node.path}`, message);
    if (props.publisherAccountIds.length === 0) {
      throw fail('publisherAccountIds is empty: name the monolith account(s) that may put events');
    }
    const badAccount = props.publisherAccountIds.find((account) => !/^\d{12}$/.test(account));
    if (badAccount !== undefined) {
      throw fail(`publisherAccountIds has "${badAccount}": use 12-digit AWS account ids`);
    }
    if (props.eventSource.length === 0 || props.eventSource.startsWith('aws.')) {
      throw fail(
        `eventSource "${props.eventSource}" cannot be used: name the monolith's own source (not "aws.*")`,
      );
    }
    const archiveRetention = props.archiveRetention ?? Duration.days(7);
    if (archiveRetention.toDays() < 1) {
      throw fail('archiveRetention is shorter than a day: use whole days (1 or more)');
    }
    this.resultDetailTypes = props.resultDetailTypes ?? ['BatchSucceeded', 'BatchFailed'];

    this.eventBus = new EventBus(this, 'Bus', {
      eventBusName: props.eventBusName ?? 'batch-requests',
      description: 'BatchRequested events from the monolith; BatchSucceeded / BatchFailed back to it',
    });
    this.eventBus.addToResourcePolicy(
      new PolicyStatement({
        sid: 'MonolithPutsBatchRequests',
        principals: [...new Set(props.publisherAccountIds)].map((account) => new AccountPrincipal(account)),
        actions: ['events:PutEvents'],
        resources: [this.eventBus.eventBusArn],
        conditions: {
          StringEquals: { 'events:source': [props.eventSource], 'events:detail-type': [DETAIL_TYPE] },
        },
      }),
    );
    this.archive = this.eventBus.archive('Archive', {
      description: 'BatchRequested events, for replay',
      eventPattern: { source: [props.eventSource], detailType: [DETAIL_TYPE] },
      retention: archiveRetention,
    });
  }

  /**
   * Lets the tracker publish result events, and only those: a principal that may
   * put `BatchRequested` on this bus could launch batches.
   */
  public grantPublishResults(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['events:PutEvents'],
      resourceArns: [this.eventBus.eventBusArn],
      conditions: { StringEquals: { 'events:detail-type': [...this.resultDetailTypes] } },
    });
  }
}
