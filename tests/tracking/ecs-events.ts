/**
 * ECS "Task State Change" events shaped like the ones EventBridge delivers
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html),
 * for a task the launcher started: container override variables, startedBy, tags' worth of ids.
 */

export const ACCOUNT = '000000000000';
export const CLUSTER_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/local`;

export function taskArnOf(taskId: string): string {
  return `arn:aws:ecs:us-east-1:${ACCOUNT}:task/local/${taskId}`;
}

export interface TaskEventOptions {
  readonly requestId?: string;
  readonly batchTypeId?: number;
  readonly traceId?: string;
  readonly taskId?: string;
  readonly lastStatus?: 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'DEACTIVATING' | 'STOPPED';
  /** @default `batch-launcher/<requestId>` */
  readonly startedBy?: string | null;
  /** Containers as ECS reports them; default: the catalog's `app` container with `exitCode`. */
  readonly containers?: readonly Record<string, unknown>[];
  /** Exit code of the default `app` container; `null` leaves it out (never ran). */
  readonly exitCode?: number | null;
  /** False: no container overrides at all (a task started by hand). */
  readonly withOverrides?: boolean;
  readonly taskDefinitionFamily?: string;
  readonly createdAt?: string;
  readonly startedAt?: string | null;
  readonly stoppedAt?: string;
  readonly stoppedReason?: string;
  readonly stopCode?: string;
  readonly version?: number;
}

export const CREATED_AT = '2026-12-04T10:00:00.000Z';
export const STARTED_AT = '2026-12-04T10:00:42.500Z';
export const STOPPED_AT = '2026-12-04T10:05:00.000Z';

/** One EventBridge event; RUNNING by default, STOPPED adds stop fields. */
export function taskStateChange(options: TaskEventOptions = {}): Record<string, unknown> {
  const requestId = options.requestId ?? 'req-1';
  const batchTypeId = options.batchTypeId ?? 1;
  const lastStatus = options.lastStatus ?? 'RUNNING';
  const taskArn = taskArnOf(options.taskId ?? 'a1b2c3d4e5f60718293a4b5c6d7e8f90');
  const stopped = lastStatus === 'STOPPED';
  const exitCode = options.exitCode === undefined ? 0 : options.exitCode;
  const containers = options.containers ?? [
    {
      containerArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:container/local/abc/0f1e2d3c`,
      lastStatus: stopped ? 'STOPPED' : 'RUNNING',
      name: 'app',
      image: '000000000000.dkr.ecr.us-east-1.amazonaws.com/hello:latest',
      taskArn,
      cpu: '256',
      memory: '512',
      ...(stopped && exitCode !== null ? { exitCode } : {}),
    },
  ];
  const startedAt = options.startedAt === undefined ? STARTED_AT : options.startedAt;
  const startedBy = options.startedBy === undefined ? `batch-launcher/${requestId}` : options.startedBy;
  const family = options.taskDefinitionFamily ?? 'hello';
  const detail: Record<string, unknown> = {
    attachments: [],
    attributes: [{ name: 'ecs.cpu-architecture', value: 'x86_64' }],
    availabilityZone: 'us-east-1a',
    clusterArn: CLUSTER_ARN,
    containers,
    cpu: '256',
    createdAt: options.createdAt ?? CREATED_AT,
    desiredStatus: stopped ? 'STOPPED' : 'RUNNING',
    enableExecuteCommand: false,
    group: `family:${family}`,
    launchType: 'FARGATE',
    lastStatus,
    memory: '512',
    platformVersion: '1.4.0',
    pullStartedAt: '2026-12-04T10:00:05.000Z',
    pullStoppedAt: '2026-12-04T10:00:40.000Z',
    taskArn,
    taskDefinitionArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/${family}:7`,
    updatedAt: stopped ? (options.stoppedAt ?? STOPPED_AT) : STARTED_AT,
    version: options.version ?? (stopped ? 5 : 3),
    ...(startedBy === null ? {} : { startedBy }),
    ...(startedAt === null ? {} : { startedAt }),
    ...(options.withOverrides === false
      ? { overrides: { containerOverrides: [{ name: 'app' }] } }
      : {
          overrides: {
            containerOverrides: [
              {
                name: 'app',
                command: ['hello'],
                environment: [
                  { name: 'GREETING', value: 'hello from the batch catalog' },
                  { name: 'TRACE_ID', value: options.traceId ?? `trace-${requestId}` },
                  { name: 'BATCH_TYPE_ID', value: String(batchTypeId) },
                  { name: 'BATCH_REQUEST_ID', value: requestId },
                ],
              },
            ],
          },
        }),
    ...(stopped
      ? {
          stoppingAt: '2026-12-04T10:04:58.000Z',
          stoppedAt: options.stoppedAt ?? STOPPED_AT,
          executionStoppedAt: '2026-12-04T10:04:57.000Z',
          stoppedReason: options.stoppedReason ?? 'Essential container in task exited',
          stopCode: options.stopCode ?? 'EssentialContainerExited',
        }
      : {}),
  };
  return {
    version: '0',
    id: `3317b2af-7005-947d-b652-f55e762e571a-${lastStatus}`,
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: ACCOUNT,
    time: stopped ? (options.stoppedAt ?? STOPPED_AT) : STARTED_AT,
    region: 'us-east-1',
    resources: [taskArn],
    detail,
  };
}
