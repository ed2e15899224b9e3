import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { BatchType } from '../../config/schema.js';
import {
  type LifecycleRecord,
  LifecycleStatus,
  type TaskStateTransition,
} from '../lifecycle/lifecycle-record.js';
import type { LifecycleTable } from '../lifecycle/lifecycle-table.js';
import { publishResultEvent, resultEventEntry } from './result-event.js';
import { decideTracking, parseTaskStateChange } from './task-state-change.js';

export interface TrackTaskDependencies {
  readonly lifecycle: LifecycleTable;
  readonly events: EventBridgeClient;
  /** The `batch-requests` bus: where the result events go. */
  readonly eventBusName: string;
  readonly catalog: readonly BatchType[];
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export interface TrackTaskOptions {
  /**
   * Time left in this invocation (`context.getRemainingTimeInMillis()`): the claim
   * on publishing the result lasts that long, so a crashed invocation's claim has
   * expired by the time Lambda retries the event.
   * @default 60_000
   */
  readonly remainingTimeMs?: number;
}

/** What one event led to; logged, and returned for tests and the sandbox. */
export type TrackAction =
  /** Not a task of ours, or a status we do not track. */
  | 'ignored'
  /** RUNNING recorded. */
  | 'recorded'
  /** The record was already at or past this status (redelivery, out of order) or tracks another task. */
  | 'stale'
  /** Final status recorded (now or by an earlier delivery) and the result event is on the bus. */
  | 'published'
  /** An earlier delivery already published the result: nothing to do. */
  | 'already-published'
  /** A concurrent delivery holds the claim to publish: it publishes (or fails and is retried). */
  | 'claimed-elsewhere';

export interface TrackOutcome {
  readonly action: TrackAction;
  readonly reason?: string;
}

/** Metric names, one count per stopped task, dimensioned by `batchType`. */
export const ResultMetric = { Succeeded: 'succeeded', Failed: 'failed' } as const;
/** State changes received (every invocation), without dimensions beyond the service. */
export const STATE_CHANGES_METRIC = 'stateChanges';

const DEFAULT_CLAIM_MS = 60_000;

/**
 * track-task's logic: record an ECS task's state change in the lifecycle table
 * and announce how a stopped task ended, exactly once per recorded outcome.
 *
 * Idempotent under redelivery: the table decides what applies (conditional
 * writes on the status rank). The result is published while the record is final
 * and has no `resultPublishedAt`: after publishing, `resultPublishedAt` is set,
 * so a redelivered STOPPED publishes nothing, and a failed publish (which throws)
 * leaves it unset, so Lambda's retry publishes.
 */
export function createTrackTask(deps: TrackTaskDependencies) {
  const now = deps.now ?? (() => new Date());

  /** Its own EMF line, so the `batchType` dimension does not leak onto the invocation's other metrics. */
  function countOutcome(record: LifecycleRecord): void {
    const single = deps.metrics.singleMetric();
    single.addDimension('batchType', record.batchType ?? String(record.batchTypeId));
    single.addMetric(
      record.status === LifecycleStatus.Succeeded ? ResultMetric.Succeeded : ResultMetric.Failed,
      MetricUnit.Count,
      1,
    );
  }

  async function publishOnce(record: LifecycleRecord, options: TrackTaskOptions): Promise<TrackOutcome> {
    const key = { requestId: record.requestId, batchTypeId: record.batchTypeId };
    const entry = resultEventEntry(record, deps.eventBusName);
    const claimUntil = new Date(now().getTime() + (options.remainingTimeMs ?? DEFAULT_CLAIM_MS));
    if (!(await deps.lifecycle.claimResultPublication(key, claimUntil))) {
      deps.logger.debug('Result event not published here: another delivery is publishing it', key);
      return { action: 'claimed-elsewhere' };
    }
    try {
      await publishResultEvent(deps.events, entry);
    } catch (error) {
      try {
        await deps.lifecycle.releaseResultPublication(key);
      } catch (releaseError) {
        deps.logger.warn('Could not release the claim to publish; the retry publishes once it expires', {
          ...key,
          claimUntil: claimUntil.toISOString(),
          error: releaseError as Error,
        });
      }
      throw error;
    }
    await deps.lifecycle.resultPublished(key);
    deps.logger.info('Result event published', {
      ...key,
      detailType: entry.DetailType,
      taskArn: record.taskArn,
    });
    return { action: 'published' };
  }

  /** The table logs stale writes at debug; a second task for one request deserves a warning. */
  function warnOtherTask(transition: TaskStateTransition, record: LifecycleRecord | undefined): void {
    deps.logger.warn('State change of a second task for a request that already has one: not recorded', {
      requestId: transition.requestId,
      batchTypeId: transition.batchTypeId,
      taskArn: transition.taskArn,
      status: transition.status,
      storedStatus: record?.status,
      storedTaskArn: record?.taskArn,
    });
  }

  return async function trackTask(event: unknown, options: TrackTaskOptions = {}): Promise<TrackOutcome> {
    // Every invocation counts one, so an invocation that decides nothing still publishes a metric.
    deps.metrics.addMetric(STATE_CHANGES_METRIC, MetricUnit.Count, 1);
    const decision = decideTracking(parseTaskStateChange(event), deps.catalog);
    if (decision.kind === 'ignore') {
      deps.logger.debug('Task state change ignored', { reason: decision.reason });
      return { action: 'ignored', reason: decision.reason };
    }
    const { transition } = decision;
    const outcome = await deps.lifecycle.applyTaskState(transition);
    if (!outcome.applied) {
      const stored = outcome.record;
      if (outcome.reason === 'other-task') warnOtherTask(transition, stored);
      if (
        transition.status === LifecycleStatus.Running ||
        outcome.reason === 'other-task' ||
        stored === undefined
      ) {
        return { action: 'stale', reason: outcome.reason };
      }
      if (stored.resultPublishedAt !== undefined) {
        deps.logger.debug('Result event already published by an earlier delivery', {
          requestId: stored.requestId,
          batchTypeId: stored.batchTypeId,
          resultPublishedAt: stored.resultPublishedAt,
        });
        return { action: 'already-published' };
      }
      // Final for this task, but an earlier delivery failed to publish: publish now.
      return publishOnce(stored, options);
    }
    deps.logger.info(`Lifecycle ${transition.status}`, {
      requestId: transition.requestId,
      batchTypeId: transition.batchTypeId,
      traceId: transition.traceId,
      taskArn: transition.taskArn,
    });
    if (transition.status === LifecycleStatus.Running) return { action: 'recorded' };
    countOutcome(outcome.record);
    return publishOnce(outcome.record, options);
  };
}

export type TrackTask = ReturnType<typeof createTrackTask>;
