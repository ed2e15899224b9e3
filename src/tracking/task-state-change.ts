import { z } from 'zod';
import type { BatchType } from '../../config/schema.js';
import { STARTED_BY_PREFIX } from '../launcher/run-task-input.js';
import {
  LifecycleStatus,
  type TaskRunning,
  type TaskStateTransition,
  type TaskStopped,
} from '../lifecycle/lifecycle-record.js';
import { TaskStateChangeError } from './errors.js';

/**
 * The parts of an ECS "Task State Change" event that track-task reads
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html).
 * Unknown keys pass: AWS adds fields over time, and a new field must never make
 * the tracker drop a batch's result.
 */

export const TASK_STATE_CHANGE_SOURCE = 'aws.ecs' as const;
export const TASK_STATE_CHANGE_DETAIL_TYPE = 'ECS Task State Change' as const;

/** ECS writes ISO 8601 strings; anything `Date` cannot read is refused. */
const timestamp = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'an ISO 8601 timestamp');

const environmentVariable = z.looseObject({ name: z.string().optional(), value: z.string().optional() });

const containerOverride = z.looseObject({
  name: z.string().optional(),
  environment: z.array(environmentVariable).optional(),
});

const container = z.looseObject({
  name: z.string(),
  lastStatus: z.string().optional(),
  /** Absent when the container never ran (image pull failure, task failed to start). */
  exitCode: z.number().int().nullable().optional(),
  /** Why the container stopped, e.g. `CannotPullContainerError: ...`. */
  reason: z.string().optional(),
});

export const taskStateChangeDetailSchema = z.looseObject({
  taskArn: z.string().min(1),
  clusterArn: z.string().min(1),
  taskDefinitionArn: z.string().optional(),
  lastStatus: z.string(),
  desiredStatus: z.string().optional(),
  startedBy: z.string().optional(),
  group: z.string().optional(),
  containers: z.array(container).default([]),
  overrides: z.looseObject({ containerOverrides: z.array(containerOverride).default([]) }).optional(),
  createdAt: timestamp.optional(),
  pullStartedAt: timestamp.optional(),
  pullStoppedAt: timestamp.optional(),
  startedAt: timestamp.optional(),
  stoppingAt: timestamp.optional(),
  stoppedAt: timestamp.optional(),
  stoppedReason: z.string().optional(),
  /** e.g. `EssentialContainerExited`, `TaskFailedToStart`, `UserInitiated`, `SpotInterruption`. */
  stopCode: z.string().optional(),
  /** Increases with every change of the task: ECS's own ordering hint. */
  version: z.number().int().optional(),
});

export const taskStateChangeEventSchema = z.looseObject({
  id: z.string().optional(),
  source: z.literal(TASK_STATE_CHANGE_SOURCE),
  'detail-type': z.literal(TASK_STATE_CHANGE_DETAIL_TYPE),
  time: z.string().optional(),
  detail: taskStateChangeDetailSchema,
});

export type TaskStateChangeEvent = z.output<typeof taskStateChangeEventSchema>;
type TaskDetail = TaskStateChangeEvent['detail'];
type Container = TaskDetail['containers'][number];

/**
 * Validates an event at the edge. A malformed one fails the invocation, so
 * Lambda's retries and the on-failure destination keep it visible.
 *
 * @throws TaskStateChangeError naming every field that did not match.
 */
export function parseTaskStateChange(event: unknown): TaskStateChangeEvent {
  const result = taskStateChangeEventSchema.safeParse(event);
  if (!result.success) {
    const issues = result.error.issues
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new TaskStateChangeError(
      `Event is not an ECS Task State Change (${issues}); check the track-task rule's event pattern`,
    );
  }
  return result.data;
}

/** What to do with one event: record a transition, or leave it alone and say why. */
export type TrackingDecision =
  | { readonly kind: 'track'; readonly transition: TaskStateTransition }
  | { readonly kind: 'ignore'; readonly reason: string };

function ignore(reason: string): TrackingDecision {
  return { kind: 'ignore', reason };
}

/** The launcher's variables from the container override that carries them. */
function launcherEnvironment(detail: TaskDetail): ReadonlyMap<string, string> {
  const overrides = detail.overrides?.containerOverrides ?? [];
  const carrier = overrides.find((override) =>
    override.environment?.some((variable) => variable.name === 'BATCH_REQUEST_ID'),
  );
  const environment = new Map<string, string>();
  for (const { name, value } of carrier?.environment ?? []) {
    if (name !== undefined && value !== undefined) environment.set(name, value);
  }
  return environment;
}

/** `arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>` → family. */
function taskDefinitionFamily(taskDefinitionArn: string | undefined): string | undefined {
  return taskDefinitionArn?.match(/:task-definition\/([^:]+)(?::\d+)?$/)?.[1];
}

function batchTypeIdOf(
  environment: ReadonlyMap<string, string>,
  detail: TaskDetail,
  catalog: readonly BatchType[],
): number | undefined {
  const fromEnvironment = environment.get('BATCH_TYPE_ID');
  if (fromEnvironment !== undefined && /^[1-9]\d{0,15}$/.test(fromEnvironment))
    return Number(fromEnvironment);
  const family = taskDefinitionFamily(detail.taskDefinitionArn);
  return catalog.find((type) => type.taskDefinitionFamily === family)?.batchTypeId;
}

/** Milliseconds from one ECS timestamp to another; null when either is missing. */
function elapsedMs(from: string | undefined, to: string | undefined): number | null {
  if (from === undefined || to === undefined) return null;
  return Math.max(0, Date.parse(to) - Date.parse(from));
}

/**
 * The batch's own container decides: the catalog names it. Task state change
 * events do not say which containers are essential, so when the catalog's
 * container is not in the event (renamed since), every container must succeed.
 */
function deciding(containers: readonly Container[], type: BatchType | undefined): readonly Container[] {
  const own = containers.filter((c) => c.name === type?.containerName);
  return own.length > 0 ? own : containers;
}

type TaskIdentity = Omit<TaskRunning, 'status' | 'startedAt'>;

function stoppedTransition(
  identity: TaskIdentity,
  detail: TaskDetail,
  type: BatchType | undefined,
): TaskStopped {
  const containers = deciding(detail.containers, type);
  const failing = containers.find((c) => c.exitCode !== 0);
  const succeeded = containers.length > 0 && failing === undefined;
  return {
    ...identity,
    status: succeeded ? LifecycleStatus.Succeeded : LifecycleStatus.Failed,
    exitCode: succeeded ? 0 : (failing?.exitCode ?? null),
    stoppedReason: detail.stoppedReason ?? failing?.reason,
    stopCode: detail.stopCode,
    startedAt: detail.startedAt,
    stoppedAt: detail.stoppedAt,
    queuedMs: elapsedMs(detail.createdAt, detail.startedAt),
    runMs: elapsedMs(detail.startedAt, detail.stoppedAt),
  };
}

/**
 * Turns one ECS Task State Change into a lifecycle transition, or a reason to
 * ignore it. Pure: the request, batch type and trace id come from the launcher's
 * container override variables (`BATCH_REQUEST_ID`, `BATCH_TYPE_ID`, `TRACE_ID`),
 * with `startedBy` and the task definition family as fallbacks.
 *
 * A stopped task SUCCEEDED iff every deciding container exited 0; otherwise it
 * FAILED with the first failing container's exit code (null when it never ran).
 */
export function decideTracking(event: TaskStateChangeEvent, catalog: readonly BatchType[]): TrackingDecision {
  const { detail } = event;
  if (detail.startedBy === undefined || !detail.startedBy.startsWith(STARTED_BY_PREFIX)) {
    return ignore(`startedBy ${JSON.stringify(detail.startedBy)} is not ${STARTED_BY_PREFIX}…: not our task`);
  }
  if (detail.lastStatus !== 'RUNNING' && detail.lastStatus !== 'STOPPED') {
    return ignore(`lastStatus ${detail.lastStatus} is not tracked (only RUNNING and STOPPED)`);
  }
  const environment = launcherEnvironment(detail);
  const requestId = environment.get('BATCH_REQUEST_ID') ?? detail.startedBy.slice(STARTED_BY_PREFIX.length);
  if (requestId === '') return ignore(`startedBy "${detail.startedBy}" names no request`);
  const batchTypeId = batchTypeIdOf(environment, detail, catalog);
  if (batchTypeId === undefined) {
    return ignore(
      `request "${requestId}": no BATCH_TYPE_ID in the container overrides and task definition ` +
        `${JSON.stringify(detail.taskDefinitionArn)} is no catalog batch type`,
    );
  }
  const type = catalog.find((candidate) => candidate.batchTypeId === batchTypeId);
  const identity: TaskIdentity = {
    requestId,
    batchTypeId,
    ...(type === undefined ? {} : { batchType: type.name }),
    traceId: environment.get('TRACE_ID') ?? requestId,
    taskArn: detail.taskArn,
    clusterArn: detail.clusterArn,
  };
  const transition: TaskStateTransition =
    detail.lastStatus === 'RUNNING'
      ? { ...identity, status: LifecycleStatus.Running, startedAt: detail.startedAt }
      : stoppedTransition(identity, detail, type);
  return { kind: 'track', transition };
}
