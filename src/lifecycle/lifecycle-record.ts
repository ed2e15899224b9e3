import { z } from 'zod';

/**
 * One request's lifecycle, as stored in the lifecycle table: one item per
 * (requestId, batchTypeId). The launcher writes LAUNCHED or REJECTED, track-task
 * takes it from RUNNING to SUCCEEDED or FAILED.
 */

export const LifecycleStatus = {
  Rejected: 'REJECTED',
  Launched: 'LAUNCHED',
  Running: 'RUNNING',
  Succeeded: 'SUCCEEDED',
  Failed: 'FAILED',
} as const;
export type LifecycleStatus = (typeof LifecycleStatus)[keyof typeof LifecycleStatus];

/** How a stopped task ended. */
export type TaskOutcomeStatus = typeof LifecycleStatus.Succeeded | typeof LifecycleStatus.Failed;

/**
 * Writes only move a record forward: one applies when the stored rank is lower
 * (a late RUNNING after STOPPED changes nothing). REJECTED ranks lowest although
 * it is final for its message: an operator redrives a rejected request after
 * fixing its cause, and the launch that follows must replace the rejection, not
 * be hidden behind it. The reverse never happens: a rejection only lands on a
 * request with no task recorded (see `LifecycleTable.rejected`).
 */
export const STATUS_RANK = {
  REJECTED: 0,
  LAUNCHED: 1,
  RUNNING: 2,
  SUCCEEDED: 3,
  FAILED: 3,
} as const satisfies Record<LifecycleStatus, number>;

/** The table's key. `batchTypeId` 0 stands for "unknown" on a rejected message. */
export interface LifecycleKey {
  readonly requestId: string;
  readonly batchTypeId: number;
}

/** Rejected messages whose batch type could not be read are stored under this sort key. */
export const UNKNOWN_BATCH_TYPE_ID = 0;

export function isTaskOutcome(status: LifecycleStatus): status is TaskOutcomeStatus {
  return status === LifecycleStatus.Succeeded || status === LifecycleStatus.Failed;
}

interface TaskIdentity extends LifecycleKey {
  /** The catalog's name for the batch type, when the catalog still knows it. */
  readonly batchType?: string;
  readonly traceId: string;
  readonly taskArn: string;
  readonly clusterArn: string;
}

/** A task reached RUNNING. */
export interface TaskRunning extends TaskIdentity {
  readonly status: typeof LifecycleStatus.Running;
  readonly startedAt?: string;
}

/** A task stopped, and how it ended. */
export interface TaskStopped extends TaskIdentity {
  readonly status: TaskOutcomeStatus;
  /** Exit code of the failing (or, on success, the essential) container; null when it never ran. */
  readonly exitCode: number | null;
  readonly stoppedReason?: string;
  readonly stopCode?: string;
  readonly startedAt?: string;
  readonly stoppedAt?: string;
  /** Task created → started (waiting for capacity, pulling the image); null when it never started. */
  readonly queuedMs: number | null;
  /** Task started → stopped; null when it never started. */
  readonly runMs: number | null;
}

/** What track-task asks the table to record for one ECS Task State Change. */
export type TaskStateTransition = TaskRunning | TaskStopped;

const isoTimestamp = z.string();

/**
 * A stored item. Parsed on the way out so a reader (track-task, `batchctl status`)
 * gets a typed record or a clear error, never a silently half-read item.
 */
export const lifecycleRecordSchema = z.looseObject({
  requestId: z.string(),
  batchTypeId: z.number().int(),
  status: z.enum(LifecycleStatus),
  statusRank: z.number().int(),
  batchType: z.string().optional(),
  traceId: z.string().optional(),
  taskArn: z.string().optional(),
  clusterArn: z.string().optional(),
  exitCode: z.number().int().nullable().optional(),
  stoppedReason: z.string().optional(),
  stopCode: z.string().optional(),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  messageId: z.string().optional(),
  queuedMs: z.number().nullable().optional(),
  runMs: z.number().nullable().optional(),
  createdAt: isoTimestamp,
  launchedAt: isoTimestamp.optional(),
  rejectedAt: isoTimestamp.optional(),
  startedAt: isoTimestamp.optional(),
  stoppedAt: isoTimestamp.optional(),
  updatedAt: isoTimestamp,
  /** Set once the BatchSucceeded/BatchFailed event is on the bus. */
  resultPublishedAt: isoTimestamp.optional(),
  /** Epoch ms until which one invocation holds the right to publish the result. */
  resultLeaseUntil: z.number().optional(),
  /** TTL, epoch seconds. */
  expiresAt: z.number().int(),
});

export type LifecycleRecord = z.output<typeof lifecycleRecordSchema>;
