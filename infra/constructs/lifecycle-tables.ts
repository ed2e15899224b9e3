import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { Grant, IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface LifecycleTablesProps {
  /** Encrypts both tables. */
  readonly encryptionKey: IKey;
  /**
   * Keep the tables (and so the "already launched" records) when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** What a DynamoDB call on a table encrypted with a customer managed key needs from the key. */
const TABLE_KEY_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'] as const;

/**
 * The two tables behind "exactly one task per request":
 * - the idempotency table, Powertools idempotency's store (partition key `id`,
 *   TTL attribute `expiration`: the library's defaults), written before RunTask;
 * - the lifecycle table, one record per request and batch type (`requestId`,
 *   `batchTypeId`) with its status from LAUNCHED to SUCCEEDED or FAILED, TTL `expiresAt`.
 * Two tables, not one: the idempotency records belong to the library and expire
 * in days; the lifecycle records are ours and kept for months.
 */
export class LifecycleTables extends Construct {
  public readonly idempotencyTable: Table;
  public readonly lifecycleTable: Table;
  private readonly encryptionKey: IKey;

  constructor(scope: Construct, id: string, props: LifecycleTablesProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    const common = {
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    } as const;
    this.idempotencyTable = new Table(this, 'Idempotency', {
      ...common,
      partitionKey: { name: 'id', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
    });
    this.lifecycleTable = new Table(this, 'Lifecycle', {
      ...common,
      partitionKey: { name: 'requestId', type: AttributeType.STRING },
      sortKey: { name: 'batchTypeId', type: AttributeType.NUMBER },
      timeToLiveAttribute: 'expiresAt',
    });
  }

  /** What Powertools idempotency does with its records: get, put, update, delete. */
  public grantIdempotencyStore(grantee: IGrantable): Grant {
    return this.grantOn(
      this.idempotencyTable,
      grantee,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    );
  }

  /** The launcher records LAUNCHED or REJECTED: it writes records, never reads them. */
  public grantLifecycleRecording(grantee: IGrantable): Grant {
    return this.grantOn(this.lifecycleTable, grantee, 'dynamodb:PutItem', 'dynamodb:UpdateItem');
  }

  /** The tracker reads a record and moves its status forward. */
  public grantLifecycleTracking(grantee: IGrantable): Grant {
    return this.grantOn(
      this.lifecycleTable,
      grantee,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    );
  }

  private grantOn(table: Table, grantee: IGrantable, ...actions: string[]): Grant {
    this.encryptionKey.grant(grantee, ...TABLE_KEY_ACTIONS);
    return table.grant(grantee, ...actions);
  }
}
