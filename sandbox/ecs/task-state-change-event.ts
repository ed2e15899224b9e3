import { randomUUID } from 'node:crypto';
import type { Task, TaskOverride } from '@aws-sdk/client-ecs';
import type { EcsLocation } from './ecs-arn.js';

/** One container in the detail of an ECS Task State Change event. */
export interface EcsTaskStateChangeContainer {
  readonly containerArn: string;
  readonly name: string;
  readonly taskArn: string;
  readonly lastStatus: string;
  /** Present once the container has stopped after running. */
  readonly exitCode?: number;
  /** Why the container stopped when it could not run (`CannotStartContainerError: ...`). */
  readonly reason?: string;
  readonly image?: string;
  readonly cpu?: string;
}

/**
 * The `detail` of an "ECS Task State Change" event: the task as DescribeTasks shows it, except
 * that timestamps are ISO 8601 strings (AWS: "ECS task state change events", Amazon ECS
 * Developer Guide). ECS does not put the task's tags in these events.
 */
export interface EcsTaskStateChangeDetail {
  readonly taskArn: string;
  readonly clusterArn: string;
  readonly taskDefinitionArn: string;
  readonly lastStatus: string;
  readonly desiredStatus: string;
  readonly launchType?: string;
  readonly capacityProviderName?: string;
  readonly platformVersion?: string;
  readonly availabilityZone?: string;
  readonly connectivity?: string;
  readonly startedBy?: string;
  readonly group?: string;
  readonly containers: readonly EcsTaskStateChangeContainer[];
  readonly overrides: TaskOverride;
  readonly createdAt: string;
  readonly connectivityAt?: string;
  readonly pullStartedAt?: string;
  readonly pullStoppedAt?: string;
  readonly startedAt?: string;
  readonly stoppingAt?: string;
  readonly executionStoppedAt?: string;
  readonly stoppedAt?: string;
  readonly updatedAt: string;
  readonly stopCode?: string;
  readonly stoppedReason?: string;
  /** Incremented on every change of the task: duplicate deliveries carry the same version. */
  readonly version: number;
}

/** An "ECS Task State Change" event as EventBridge delivers it on the default bus. */
export interface EcsTaskStateChangeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': 'ECS Task State Change';
  readonly source: 'aws.ecs';
  readonly account: string;
  /** Seconds precision, like every EventBridge envelope time. */
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: EcsTaskStateChangeDetail;
}

/**
 * Builds the event ECS emits for `task` in its current state, so that the `track-task` lambda
 * consumes locally exactly what it consumes from EventBridge in AWS.
 *
 * @param task - the task as DescribeTasks would return it (with `Date` timestamps)
 * @param updatedAt - when the task last changed
 */
export function taskStateChangeEvent(
  location: EcsLocation,
  task: Task,
  updatedAt: Date,
  id: string = randomUUID(),
): EcsTaskStateChangeEvent {
  const taskArn = task.taskArn ?? '';
  const detail: EcsTaskStateChangeDetail = {
    taskArn,
    clusterArn: task.clusterArn ?? '',
    taskDefinitionArn: task.taskDefinitionArn ?? '',
    lastStatus: task.lastStatus ?? '',
    desiredStatus: task.desiredStatus ?? '',
    launchType: task.launchType,
    capacityProviderName: task.capacityProviderName,
    platformVersion: task.platformVersion,
    availabilityZone: task.availabilityZone,
    connectivity: task.connectivity,
    startedBy: task.startedBy,
    group: task.group,
    containers: (task.containers ?? []).map((container) => ({
      containerArn: container.containerArn ?? '',
      name: container.name ?? '',
      taskArn,
      lastStatus: container.lastStatus ?? '',
      exitCode: container.exitCode,
      reason: container.reason,
      image: container.image,
      cpu: container.cpu,
    })),
    overrides: task.overrides ?? { containerOverrides: [] },
    createdAt: iso(task.createdAt) ?? updatedAt.toISOString(),
    connectivityAt: iso(task.connectivityAt),
    pullStartedAt: iso(task.pullStartedAt),
    pullStoppedAt: iso(task.pullStoppedAt),
    startedAt: iso(task.startedAt),
    stoppingAt: iso(task.stoppingAt),
    executionStoppedAt: iso(task.executionStoppedAt),
    stoppedAt: iso(task.stoppedAt),
    updatedAt: updatedAt.toISOString(),
    stopCode: task.stopCode,
    stoppedReason: task.stoppedReason,
    version: task.version ?? 1,
  };
  return {
    version: '0',
    id,
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: location.accountId,
    time: updatedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: location.region,
    resources: [taskArn],
    detail: withoutUndefined(detail),
  };
}

function iso(date: Date | undefined): string | undefined {
  return date?.toISOString();
}

/** JSON never carries `undefined`: drop absent fields so the event equals its wire form. */
function withoutUndefined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
