import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConfigError } from '../../config/errors.js';
import type { LifecycleRecorder } from '../launcher/ports.js';
import { LifecycleStoreError } from './errors.js';
import {
  type LifecycleKey,
  type LifecycleRecord,
  LifecycleStatus,
  lifecycleRecordSchema,
  STATUS_RANK,
  type TaskStateTransition,
  UNKNOWN_BATCH_TYPE_ID,
} from './lifecycle-record.js';

/** The one thing the table logs: writes that were stale, which are expected and harmless. */
export interface DebugLogger {
  debug(message: string, attributes: Record<string, unknown>): void;
}

export interface LifecycleTableOptions {
  /** A plain client is wrapped in a document client; a document client is used as is. */
  readonly client: DynamoDBClient | DynamoDBDocumentClient;
  readonly tableName: string;
  /** Days a record is kept after its last write (`retention.lifecycleDays`): sets the `expiresAt` TTL. */
  readonly ttlDays: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default no logging */
  readonly logger?: DebugLogger;
}

/**
 * What `applyTaskState` did. `other-task`: the record tracks a different task of
 * the same request (a second task slipped past idempotency); its events never
 * overwrite the first one's.
 */
export type TransitionOutcome =
  | { readonly applied: true; readonly record: LifecycleRecord }
  | {
      readonly applied: false;
      readonly reason: 'stale' | 'other-task';
      /** The record as stored; absent only if it vanished in between (TTL). */
      readonly record: LifecycleRecord | undefined;
    };

type Values = Readonly<Record<string, unknown>>;

interface Condition {
  readonly expression: string;
  readonly names: readonly string[];
  readonly values: Values;
}

/** One UpdateItem: attributes to set, to set only when absent, to remove, and when it applies. */
interface Update {
  readonly set?: Values;
  readonly setIfAbsent?: Values;
  readonly remove?: readonly string[];
  readonly condition?: Condition;
}

const SECONDS_PER_DAY = 86_400;

/** Applies only when the stored record is less advanced than `rank` (or does not exist). */
function forwardTo(rank: number): Condition {
  return {
    expression: '(attribute_not_exists(#statusRank) OR #statusRank < :newRank)',
    names: ['statusRank'],
    values: { ':newRank': rank },
  };
}

/** Applies only to a record with no task yet or this very task. */
function sameTaskOrNone(taskArn: string): Condition {
  return {
    expression: '(attribute_not_exists(#taskArn) OR #taskArn = :taskArn)',
    names: ['taskArn'],
    values: { ':taskArn': taskArn },
  };
}

function both(a: Condition, b: Condition): Condition {
  return {
    expression: `${a.expression} AND ${b.expression}`,
    names: [...a.names, ...b.names],
    values: { ...a.values, ...b.values },
  };
}

function definedEntries(values: Values | undefined): [string, unknown][] {
  return Object.entries(values ?? {}).filter(([, value]) => value !== undefined);
}

function describe(key: LifecycleKey): string {
  return `request "${key.requestId}" (batch type ${key.batchTypeId})`;
}

/**
 * The lifecycle table (partition key `requestId` S, sort key `batchTypeId` N, TTL
 * `expiresAt`). Every status write is conditional on `statusRank`, so the table
 * is the arbiter of order: EventBridge redeliveries and out-of-order state
 * changes resolve here, not in the callers. A write that loses is `stale`, not
 * an error.
 */
export class LifecycleTable implements LifecycleRecorder {
  readonly tableName: string;
  private readonly documents: DynamoDBDocumentClient;
  private readonly ttlSeconds: number;
  private readonly now: () => Date;
  private readonly logger: DebugLogger | undefined;

  constructor(options: LifecycleTableOptions) {
    if (options.tableName.trim() === '') {
      throw new ConfigError('LifecycleTable needs a tableName: pass the lifecycle table name from the stack');
    }
    if (!Number.isInteger(options.ttlDays) || options.ttlDays < 1) {
      throw new ConfigError(
        `LifecycleTable ttlDays is ${options.ttlDays}: expected a whole number of days ≥ 1 (retention.lifecycleDays)`,
      );
    }
    this.tableName = options.tableName;
    this.documents =
      options.client instanceof DynamoDBDocumentClient
        ? options.client
        : DynamoDBDocumentClient.from(options.client);
    this.ttlSeconds = options.ttlDays * SECONDS_PER_DAY;
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger;
  }

  /**
   * The launcher started a task. Replaces a REJECTED record (a redrive that now
   * launches); never moves a record back from RUNNING or a final status. When
   * track-task got there first, only fills what the launcher alone knows.
   */
  async launched(entry: Parameters<LifecycleRecorder['launched']>[0]): Promise<void> {
    const key = { requestId: entry.requestId, batchTypeId: entry.batchTypeId };
    const launcherFacts = {
      batchType: entry.batchType,
      traceId: entry.traceId,
      messageId: entry.messageId,
      launchedAt: entry.at.toISOString(),
    };
    const record = await this.write(key, 'record LAUNCHED', {
      set: {
        status: LifecycleStatus.Launched,
        statusRank: STATUS_RANK.LAUNCHED,
        taskArn: entry.taskArn,
        ...launcherFacts,
        ...this.stamp(),
      },
      setIfAbsent: { createdAt: this.now().toISOString() },
      remove: ['errorCode', 'errorMessage', 'rejectedAt'],
      condition: forwardTo(STATUS_RANK.LAUNCHED),
    });
    if (record !== undefined) return;
    await this.write(key, 'complete the record with launch details', {
      setIfAbsent: launcherFacts,
      condition: {
        expression: '#taskArn = :taskArn',
        names: ['taskArn'],
        values: { ':taskArn': entry.taskArn },
      },
    });
    this.logger?.debug('Lifecycle LAUNCHED is stale: the task is already further along', {
      ...key,
      taskArn: entry.taskArn,
    });
  }

  /**
   * The launcher gave up on a message (a permanent failure). Lands only on a
   * request with no task recorded: a rejected duplicate (e.g. `ConflictException`
   * for a request already launched with other parameters) must not hide the task
   * that is running. A repeated rejection updates the reason.
   */
  async rejected(entry: Parameters<LifecycleRecorder['rejected']>[0]): Promise<void> {
    const key = { requestId: entry.requestId, batchTypeId: entry.batchTypeId ?? UNKNOWN_BATCH_TYPE_ID };
    const record = await this.write(key, 'record REJECTED', {
      set: {
        status: LifecycleStatus.Rejected,
        statusRank: STATUS_RANK.REJECTED,
        traceId: entry.traceId,
        errorCode: entry.errorCode,
        errorMessage: entry.errorMessage,
        messageId: entry.messageId,
        rejectedAt: entry.at.toISOString(),
        ...this.stamp(),
      },
      setIfAbsent: { createdAt: this.now().toISOString() },
      condition: {
        expression: '(attribute_not_exists(#statusRank) OR #statusRank = :rejectedRank)',
        names: ['statusRank'],
        values: { ':rejectedRank': STATUS_RANK.REJECTED },
      },
    });
    if (record !== undefined) return;
    this.logger?.debug('Lifecycle REJECTED not recorded: the request already has a task', {
      ...key,
      errorCode: entry.errorCode,
      messageId: entry.messageId,
    });
  }

  /**
   * Records an ECS state change of the request's task if it moves the record
   * forward. The returned record is the stored one either way, so the caller can
   * tell "final and not yet announced" apart from "nothing to do".
   */
  async applyTaskState(transition: TaskStateTransition): Promise<TransitionOutcome> {
    const key = { requestId: transition.requestId, batchTypeId: transition.batchTypeId };
    const stopped =
      transition.status === LifecycleStatus.Running
        ? {}
        : {
            exitCode: transition.exitCode,
            stoppedReason: transition.stoppedReason,
            stopCode: transition.stopCode,
            stoppedAt: transition.stoppedAt,
            queuedMs: transition.queuedMs,
            runMs: transition.runMs,
          };
    const record = await this.write(key, `record ${transition.status}`, {
      set: {
        status: transition.status,
        statusRank: STATUS_RANK[transition.status],
        taskArn: transition.taskArn,
        clusterArn: transition.clusterArn,
        startedAt: transition.startedAt,
        ...stopped,
        ...this.stamp(),
      },
      setIfAbsent: {
        createdAt: this.now().toISOString(),
        traceId: transition.traceId,
        batchType: transition.batchType,
      },
      condition: both(forwardTo(STATUS_RANK[transition.status]), sameTaskOrNone(transition.taskArn)),
    });
    if (record !== undefined) return { applied: true, record };
    const stored = await this.find(key);
    const reason =
      stored?.taskArn !== undefined && stored.taskArn !== transition.taskArn ? 'other-task' : 'stale';
    this.logger?.debug(`Lifecycle ${transition.status} not recorded (${reason})`, {
      ...key,
      taskArn: transition.taskArn,
      storedStatus: stored?.status,
      storedTaskArn: stored?.taskArn,
    });
    return { applied: false, reason, record: stored };
  }

  /**
   * Takes the right to publish a final record's result event until `leaseUntil`.
   * False when it is already published or another invocation holds an unexpired
   * claim, so two concurrent deliveries of one STOPPED event publish once.
   */
  async claimResultPublication(key: LifecycleKey, leaseUntil: Date): Promise<boolean> {
    const record = await this.write(key, 'claim the result publication', {
      set: { resultLeaseUntil: leaseUntil.getTime() },
      condition: {
        expression:
          'attribute_exists(#statusRank) AND attribute_not_exists(#resultPublishedAt) AND ' +
          '(attribute_not_exists(#resultLeaseUntil) OR #resultLeaseUntil < :now)',
        names: ['statusRank', 'resultPublishedAt', 'resultLeaseUntil'],
        values: { ':now': this.now().getTime() },
      },
    });
    return record !== undefined;
  }

  /** The result event is on the bus: later deliveries of the STOPPED event publish nothing. */
  async resultPublished(key: LifecycleKey): Promise<void> {
    await this.write(key, 'mark the result published', {
      set: { resultPublishedAt: this.now().toISOString() },
      remove: ['resultLeaseUntil'],
    });
  }

  /** Publishing failed: give the claim back so the retry can publish at once. */
  async releaseResultPublication(key: LifecycleKey): Promise<void> {
    await this.write(key, 'release the result publication', { remove: ['resultLeaseUntil'] });
  }

  /** Every record of a request (one per batch type), for `batchctl status <requestId>`. */
  async get(requestId: string): Promise<LifecycleRecord[]> {
    const records: LifecycleRecord[] = [];
    try {
      const pages = paginateQuery(
        { client: this.documents },
        {
          TableName: this.tableName,
          KeyConditionExpression: '#requestId = :requestId',
          ExpressionAttributeNames: { '#requestId': 'requestId' },
          ExpressionAttributeValues: { ':requestId': requestId },
          ConsistentRead: true,
        },
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) records.push(this.parse(item));
      }
    } catch (error) {
      throw this.storeError(`read the records of request "${requestId}"`, error);
    }
    return records;
  }

  /** One record, read consistently; undefined when there is none. */
  async find(key: LifecycleKey): Promise<LifecycleRecord | undefined> {
    let item: Record<string, unknown> | undefined;
    try {
      ({ Item: item } = await this.documents.send(
        new GetCommand({ TableName: this.tableName, Key: { ...key }, ConsistentRead: true }),
      ));
    } catch (error) {
      throw this.storeError(`read ${describe(key)}`, error);
    }
    return item === undefined ? undefined : this.parse(item);
  }

  private stamp(): { updatedAt: string; expiresAt: number } {
    const now = this.now();
    return { updatedAt: now.toISOString(), expiresAt: Math.floor(now.getTime() / 1000) + this.ttlSeconds };
  }

  /** Runs one update; the new record, or undefined when its condition did not hold. */
  private async write(key: LifecycleKey, what: string, update: Update): Promise<LifecycleRecord | undefined> {
    try {
      const { Attributes } = await this.documents.send(new UpdateCommand(this.updateInput(key, update)));
      return Attributes === undefined ? undefined : this.parse(Attributes);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw this.storeError(`${what} for ${describe(key)}`, error);
    }
  }

  private updateInput(key: LifecycleKey, update: Update): UpdateCommandInput {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ...update.condition?.values };
    const name = (attribute: string): string => {
      names[`#${attribute}`] = attribute;
      return `#${attribute}`;
    };
    const assignments = [
      ...definedEntries(update.set).map(([attribute, value]) => {
        values[`:set_${attribute}`] = value;
        return `${name(attribute)} = :set_${attribute}`;
      }),
      ...definedEntries(update.setIfAbsent).map(([attribute, value]) => {
        values[`:ifAbsent_${attribute}`] = value;
        const ref = name(attribute);
        return `${ref} = if_not_exists(${ref}, :ifAbsent_${attribute})`;
      }),
    ];
    const removals = (update.remove ?? []).map(name);
    for (const attribute of update.condition?.names ?? []) name(attribute);
    const clauses = [
      assignments.length > 0 ? `SET ${assignments.join(', ')}` : '',
      removals.length > 0 ? `REMOVE ${removals.join(', ')}` : '',
    ];
    return {
      TableName: this.tableName,
      Key: { ...key },
      UpdateExpression: clauses.filter((clause) => clause !== '').join(' '),
      ...(update.condition === undefined ? {} : { ConditionExpression: update.condition.expression }),
      ExpressionAttributeNames: names,
      ...(Object.keys(values).length === 0 ? {} : { ExpressionAttributeValues: values }),
      ReturnValues: 'ALL_NEW',
    };
  }

  private parse(item: Record<string, unknown>): LifecycleRecord {
    const result = lifecycleRecordSchema.safeParse(item);
    if (!result.success) {
      const issues = result.error.issues
        .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
        .join('; ');
      throw new LifecycleStoreError(
        `Item ${JSON.stringify({ requestId: item.requestId, batchTypeId: item.batchTypeId })} in table ` +
          `"${this.tableName}" is not a lifecycle record (${issues}); was it written by something else?`,
      );
    }
    return result.data;
  }

  private storeError(what: string, error: unknown): LifecycleStoreError {
    if (error instanceof LifecycleStoreError) return error;
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new LifecycleStoreError(`Could not ${what} in table "${this.tableName}": ${detail}`, {
      cause: error,
    });
  }
}
