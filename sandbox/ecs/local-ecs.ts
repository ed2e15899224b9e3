import { randomUUID } from 'node:crypto';
import type {
  Cluster,
  DescribeClustersCommandInput,
  DescribeClustersResponse,
  DescribeTasksCommandInput,
  DescribeTasksResponse,
  Failure,
  ListClustersCommandInput,
  ListClustersResponse,
  ListTasksCommandInput,
  ListTasksResponse,
  RunTaskCommandInput,
  RunTaskResponse,
  StopTaskCommandInput,
  StopTaskResponse,
  Tag,
  Task,
} from '@aws-sdk/client-ecs';
import { ClientTokenRegistry } from './client-token-registry.js';
import {
  clusterArn,
  clusterNameOf,
  containerArn,
  containerInstanceArn,
  type EcsLocation,
  taskArn,
  taskDefinitionArn,
  taskIdOf,
} from './ecs-arn.js';
import {
  ClientError,
  ClusterNotFoundError,
  ConflictError,
  InvalidParameterError,
  ServerError,
  ThrottlingError,
} from './errors.js';
import { parseRunTaskRequest, type RunTaskRequest } from './run-task-request.js';
import { startSimulatedTask } from './simulated-task.js';
import { startTaskProcess, type TaskProcess, type TaskProcessOutcome } from './task-process.js';
import type { TaskRunner, TaskSpec } from './task-runner.js';
import { type EcsTaskStateChangeEvent, taskStateChangeEvent } from './task-state-change-event.js';
import { type RateLimit, TokenBucket } from './token-bucket.js';

/** Task statuses the sandbox goes through (ECS has more intermediate ones; these are the ones that matter). */
export const TaskStatus = {
  Provisioning: 'PROVISIONING',
  Running: 'RUNNING',
  Stopped: 'STOPPED',
} as const;

/** Stop codes ECS sets on a stopped task (Task.stopCode). */
export const StopCode = {
  EssentialContainerExited: 'EssentialContainerExited',
  UserInitiated: 'UserInitiated',
  TaskFailedToStart: 'TaskFailedToStart',
} as const;

export interface LocalEcsOptions {
  /** Names of the clusters that exist; any other cluster is `ClusterNotFoundException`. */
  readonly clusters: readonly string[];
  /** Turns a task definition family and its container override into a local process or a simulated task. */
  readonly taskRunner: TaskRunner;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  /** Called with an "ECS Task State Change" event on every change of a task's status. */
  readonly onStateChange?: (event: EcsTaskStateChangeEvent) => void | Promise<void>;
  /** Called with every line a task's process writes. */
  readonly onOutput?: (taskArn: string, line: string, stream: 'stdout' | 'stderr') => void;
  /**
   * Called when `onStateChange` or `onOutput` throws or rejects: a failing consumer must not
   * bring the control plane down, nor go unnoticed.
   * @default writes the error to stderr
   */
  readonly onCallbackError?: (error: unknown) => void;
  /**
   * Throttle RunTask with a token bucket, answering `ThrottlingException` when it is empty
   * (Fargate's documented limits are `{ ratePerSecond: 20, burst: 100 }`).
   * @default no throttling
   */
  readonly runTaskRateLimit?: RateLimit;
  /**
   * Share (0..1) of requested tasks that ECS cannot place: they come back in `failures[]`
   * with `placementFailureReason` and no task, like a capacity shortage.
   * @default 0
   */
  readonly placementFailureRate?: number;
  /** @default 'RESOURCE:MEMORY' */
  readonly placementFailureReason?: string;
  /** Source of randomness for `placementFailureRate`; inject a fixed sequence in tests. @default Math.random */
  readonly random?: () => number;
  /** Clock for timestamps, rate limiting and client-token expiry. @default () => new Date() */
  readonly now?: () => Date;
  /**
   * StopTask's grace period between SIGTERM and SIGKILL (ECS_CONTAINER_STOP_TIMEOUT).
   * @default 30000
   */
  readonly stopTimeoutMs?: number;
  /** close()'s grace period between SIGTERM and SIGKILL. @default 2000 */
  readonly closeTimeoutMs?: number;
}

interface TaskRecord {
  readonly clusterName: string;
  readonly family: string;
  /** The task as DescribeTasks shows it, without tags; mutated as the task progresses. */
  readonly task: Task;
  readonly tags: readonly Tag[];
  updatedAt: Date;
  process: TaskProcess | undefined;
  stopRequested: boolean;
  readonly stopped: Promise<void>;
  readonly markStopped: () => void;
}

const PAGE_SIZE = { default: 100, max: 100 } as const;
const MAX_DESCRIBE_TASKS = 100;

/**
 * An in-memory ECS control plane for the local sandbox: RunTask, DescribeTasks, ListTasks,
 * StopTask, ListClusters and DescribeClusters with the shapes and the errors of the real API
 * (`@aws-sdk/client-ecs` types). Each task runs as a real local process started through the
 * injected {@link TaskRunner}, or on timers when the runner simulates tasks; every status change
 * is reported as the "ECS Task State Change" event EventBridge would deliver, so the launcher
 * and the tracker meet locally the behaviour they meet in AWS: client-token idempotency,
 * `failures[]` without a task, throttling, and tasks that end with an exit code.
 */
export class LocalEcs {
  readonly #location: EcsLocation;
  readonly #clusters: ReadonlySet<string>;
  readonly #runner: TaskRunner;
  readonly #onStateChange: LocalEcsOptions['onStateChange'];
  readonly #onOutput: LocalEcsOptions['onOutput'];
  readonly #onCallbackError: (error: unknown) => void;
  readonly #bucket: TokenBucket | undefined;
  readonly #failureRate: number;
  readonly #failureReason: string;
  readonly #random: () => number;
  readonly #now: () => Date;
  readonly #stopTimeoutMs: number;
  readonly #closeTimeoutMs: number;
  readonly #tasks = new Map<string, TaskRecord>();
  readonly #clientTokens: ClientTokenRegistry;
  #closed = false;

  constructor(options: LocalEcsOptions) {
    for (const cluster of options.clusters) {
      if (!/^[A-Za-z0-9_-]{1,255}$/.test(cluster)) {
        throw new RangeError(
          `Cluster name "${cluster}" is invalid: use 1-255 letters, digits, hyphens and underscores.`,
        );
      }
    }
    const failureRate = options.placementFailureRate ?? 0;
    if (!(failureRate >= 0 && failureRate <= 1)) {
      throw new RangeError(`placementFailureRate must be between 0 and 1 (got ${failureRate}).`);
    }
    this.#location = {
      region: options.region ?? 'us-east-1',
      accountId: options.accountId ?? '000000000000',
    };
    this.#clusters = new Set(options.clusters);
    this.#runner = options.taskRunner;
    this.#onStateChange = options.onStateChange;
    this.#onOutput = options.onOutput;
    this.#onCallbackError =
      options.onCallbackError ??
      ((error) => process.stderr.write(`local ECS: a callback failed: ${String(error)}\n`));
    this.#now = options.now ?? (() => new Date());
    this.#bucket =
      options.runTaskRateLimit === undefined
        ? undefined
        : new TokenBucket(options.runTaskRateLimit, () => this.#now().getTime());
    this.#failureRate = failureRate;
    this.#failureReason = options.placementFailureReason ?? 'RESOURCE:MEMORY';
    this.#random = options.random ?? Math.random;
    this.#stopTimeoutMs = options.stopTimeoutMs ?? 30_000;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? 2_000;
    this.#clientTokens = new ClientTokenRegistry((arns) => this.#lastStoppedAt(arns));
  }

  /** The region and account the ARNs are built with. */
  get location(): EcsLocation {
    return this.#location;
  }

  /**
   * Starts `count` tasks. Answers the tasks in PROVISIONING; their processes start right
   * after. A repeat with the same `clientToken` and parameters answers the original tasks; the
   * same token with other parameters is a `ConflictException`.
   *
   * @throws ThrottlingError, InvalidParameterError, ClusterNotFoundError, ConflictError,
   * ClientError (unknown task definition), ServerError (closed)
   */
  async runTask(input: RunTaskCommandInput): Promise<RunTaskResponse> {
    this.#assertOpen();
    if (this.#bucket !== undefined && !this.#bucket.tryTake()) {
      throw new ThrottlingError();
    }
    const request = parseRunTaskRequest(input);
    this.#assertCluster(request.clusterName, input.cluster);
    const now = this.#now();
    if (input.clientToken !== undefined) {
      const original = this.#clientTokens.find(request.clusterName, input.clientToken, now);
      if (original !== undefined) {
        if (original.fingerprint !== request.fingerprint) {
          throw new ConflictError(input.clientToken, original.taskArns);
        }
        return {
          tasks: original.taskArns.map((arn) => this.#describe(this.#recordOf(arn), true)),
          failures: [],
        };
      }
    }
    const spec = this.#runner(request.family, request.containerOverride);
    if (spec === undefined) {
      throw new ClientError(`Unable to find task definition '${input.taskDefinition}'.`);
    }
    const tasks: Task[] = [];
    const failures: Failure[] = [];
    for (let index = 0; index < request.count; index += 1) {
      if (this.#random() < this.#failureRate) {
        failures.push({
          arn: containerInstanceArn(this.#location, request.clusterName, randomHexId()),
          reason: this.#failureReason,
        });
        continue;
      }
      const record = this.#createTask(input, request, now);
      tasks.push(this.#describe(record, true));
      setImmediate(() => this.#start(record, spec));
    }
    if (input.clientToken !== undefined && tasks.length > 0) {
      this.#clientTokens.remember(request.clusterName, input.clientToken, {
        fingerprint: request.fingerprint,
        taskArns: tasks.map((task) => task.taskArn as string),
        createdAt: now,
      });
    }
    return { tasks, failures };
  }

  /**
   * Describes tasks by id or ARN; unknown ones come back in `failures` with reason `MISSING`.
   * Tags are included only with `include: ['TAGS']`, as in ECS.
   */
  async describeTasks(input: DescribeTasksCommandInput): Promise<DescribeTasksResponse> {
    const clusterName = this.#clusterOf(input.cluster);
    const references = input.tasks ?? [];
    if (references.length === 0 || references.length > MAX_DESCRIBE_TASKS) {
      throw new InvalidParameterError(`Tasks must list between 1 and ${MAX_DESCRIBE_TASKS} tasks.`);
    }
    const includeTags = input.include?.includes('TAGS') ?? false;
    const tasks: Task[] = [];
    const failures: Failure[] = [];
    for (const reference of references) {
      const record = this.#findTask(clusterName, reference);
      if (record === undefined) {
        failures.push({ arn: reference, reason: 'MISSING' });
      } else {
        tasks.push(this.#describe(record, includeTags));
      }
    }
    return { tasks, failures };
  }

  /**
   * Lists task ARNs of a cluster, filtered like ECS: by `desiredStatus` (RUNNING unless told
   * otherwise), `startedBy`, `family` and `launchType`; paginated with `maxResults`/`nextToken`.
   */
  async listTasks(input: ListTasksCommandInput = {}): Promise<ListTasksResponse> {
    const clusterName = this.#clusterOf(input.cluster);
    const desiredStatus = input.desiredStatus ?? TaskStatus.Running;
    const arns = [...this.#tasks.values()]
      .filter(
        (record) =>
          record.clusterName === clusterName &&
          record.task.desiredStatus === desiredStatus &&
          (input.startedBy === undefined || record.task.startedBy === input.startedBy) &&
          (input.family === undefined || record.family === input.family) &&
          (input.launchType === undefined || record.task.launchType === input.launchType) &&
          input.serviceName === undefined,
      )
      .map((record) => record.task.taskArn as string);
    const page = paginate(arns, input.maxResults, input.nextToken);
    return { taskArns: page.items, nextToken: page.nextToken };
  }

  /**
   * Stops a task like ECS: SIGTERM, then SIGKILL after `stopTimeoutMs`. Answers at once with
   * the task's desired status STOPPED; the STOPPED status (with the exit code) follows.
   *
   * @throws ClusterNotFoundError, InvalidParameterError when the task does not exist
   */
  async stopTask(input: StopTaskCommandInput): Promise<StopTaskResponse> {
    const clusterName = this.#clusterOf(input.cluster);
    const record = input.task === undefined ? undefined : this.#findTask(clusterName, input.task);
    if (record === undefined) {
      throw new InvalidParameterError('The referenced task was not found.');
    }
    if (record.task.desiredStatus !== TaskStatus.Stopped) {
      this.#requestStop(record, input.reason ?? 'Task stopped by user');
      void record.process?.stop(this.#stopTimeoutMs);
    }
    return { task: this.#describe(record, false) };
  }

  /** Lists the ARNs of the sandbox's clusters. */
  async listClusters(input: ListClustersCommandInput = {}): Promise<ListClustersResponse> {
    const arns = [...this.#clusters].map((name) => clusterArn(this.#location, name));
    const page = paginate(arns, input.maxResults, input.nextToken);
    return { clusterArns: page.items, nextToken: page.nextToken };
  }

  /** Describes clusters with their task counts; unknown ones come back in `failures`. */
  async describeClusters(input: DescribeClustersCommandInput = {}): Promise<DescribeClustersResponse> {
    const clusters: Cluster[] = [];
    const failures: Failure[] = [];
    for (const reference of input.clusters ?? ['default']) {
      const name = clusterNameOf(reference);
      if (!this.#clusters.has(name)) {
        failures.push({ arn: clusterArn(this.#location, name), reason: 'MISSING' });
        continue;
      }
      const records = [...this.#tasks.values()].filter((record) => record.clusterName === name);
      clusters.push({
        clusterArn: clusterArn(this.#location, name),
        clusterName: name,
        status: 'ACTIVE',
        runningTasksCount: records.filter((record) => record.task.lastStatus === TaskStatus.Running).length,
        pendingTasksCount: records.filter((record) => record.task.lastStatus === TaskStatus.Provisioning)
          .length,
        activeServicesCount: 0,
        registeredContainerInstancesCount: 0,
      });
    }
    return { clusters, failures };
  }

  /** Resolves with the task once it is STOPPED: lets callers and tests wait for an outcome. */
  async waitUntilStopped(task: string): Promise<Task> {
    const record = this.#recordOf(task);
    await record.stopped;
    return this.#describe(record, false);
  }

  /**
   * Shuts the control plane down: refuses new tasks, stops every task (SIGTERM, then SIGKILL
   * after `closeTimeoutMs`) and resolves once no process is left.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const open = [...this.#tasks.values()].filter((record) => record.task.lastStatus !== TaskStatus.Stopped);
    for (const record of open) {
      if (record.task.desiredStatus !== TaskStatus.Stopped) {
        this.#requestStop(record, 'The local ECS endpoint was shut down');
      }
    }
    await Promise.all(
      open.map(async (record) => {
        await record.process?.stop(this.#closeTimeoutMs);
        await record.stopped;
      }),
    );
  }

  #createTask(input: RunTaskCommandInput, request: RunTaskRequest, now: Date): TaskRecord {
    const taskId = randomHexId();
    const arn = taskArn(this.#location, request.clusterName, taskId);
    const fargate =
      input.launchType === 'FARGATE' ||
      (input.capacityProviderStrategy ?? []).some((item) => item.capacityProvider?.startsWith('FARGATE'));
    const containerName = request.containerOverride?.name ?? request.family;
    const task: Task = {
      taskArn: arn,
      clusterArn: clusterArn(this.#location, request.clusterName),
      taskDefinitionArn: taskDefinitionArn(this.#location, request.family, request.revision),
      lastStatus: TaskStatus.Provisioning,
      desiredStatus: TaskStatus.Running,
      launchType:
        input.capacityProviderStrategy === undefined
          ? (input.launchType ?? 'EC2')
          : fargate
            ? 'FARGATE'
            : undefined,
      capacityProviderName: input.capacityProviderStrategy?.[0]?.capacityProvider,
      platformVersion: fargate ? (input.platformVersion ?? '1.4.0') : undefined,
      platformFamily: fargate ? 'Linux' : undefined,
      availabilityZone: `${this.#location.region}a`,
      startedBy: input.startedBy,
      group: input.group ?? `family:${request.family}`,
      overrides: deepCopy(input.overrides ?? { containerOverrides: [] }),
      containers: [
        {
          containerArn: containerArn(this.#location, request.clusterName, taskId, randomUUID()),
          taskArn: arn,
          name: containerName,
          image: `local/${request.family}`,
          lastStatus: 'PENDING',
          cpu: '0',
        },
      ],
      createdAt: now,
      enableExecuteCommand: input.enableExecuteCommand ?? false,
      healthStatus: 'UNKNOWN',
      version: 1,
    };
    const tags = input.enableECSManagedTags
      ? [...request.tags, { key: 'aws:ecs:clusterName', value: request.clusterName }]
      : request.tags;
    let markStopped: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => {
      markStopped = resolve;
    });
    const record: TaskRecord = {
      clusterName: request.clusterName,
      family: request.family,
      task,
      tags,
      updatedAt: now,
      process: undefined,
      stopRequested: false,
      stopped,
      markStopped,
    };
    this.#tasks.set(arn, record);
    this.#emit(record);
    return record;
  }

  #start(record: TaskRecord, spec: TaskSpec): void {
    if (record.stopRequested || this.#closed) {
      this.#finish(record, undefined);
      return;
    }
    const arn = record.task.taskArn as string;
    const handlers = {
      onStart: () => this.#markRunning(record),
      onLine: (line: string, stream: 'stdout' | 'stderr') =>
        this.#callback(() => this.#onOutput?.(arn, line, stream)),
    };
    const child = 'kind' in spec ? startSimulatedTask(spec, handlers) : startTaskProcess(spec, handlers);
    record.process = child;
    void child.outcome.then((outcome) => this.#finish(record, outcome));
  }

  #markRunning(record: TaskRecord): void {
    const now = this.#now();
    const { task } = record;
    task.lastStatus = TaskStatus.Running;
    task.connectivity = 'CONNECTED';
    task.connectivityAt = now;
    task.pullStartedAt = now;
    task.pullStoppedAt = now;
    task.startedAt = now;
    for (const container of task.containers ?? []) {
      container.lastStatus = TaskStatus.Running;
    }
    this.#changed(record, now);
  }

  #requestStop(record: TaskRecord, reason: string): void {
    const now = this.#now();
    const { task } = record;
    record.stopRequested = true;
    task.desiredStatus = TaskStatus.Stopped;
    task.stoppingAt = now;
    task.stopCode = StopCode.UserInitiated;
    task.stoppedReason = reason;
    this.#changed(record, now);
  }

  /** The task reached STOPPED; `outcome` is undefined when its process never started. */
  #finish(record: TaskRecord, outcome: TaskProcessOutcome | undefined): void {
    const now = this.#now();
    const { task } = record;
    task.lastStatus = TaskStatus.Stopped;
    task.desiredStatus = TaskStatus.Stopped;
    task.stoppingAt ??= now;
    task.executionStoppedAt = now;
    task.stoppedAt = now;
    for (const container of task.containers ?? []) {
      container.lastStatus = TaskStatus.Stopped;
      if (outcome?.kind === 'exited') {
        container.exitCode = outcome.exitCode;
      } else if (outcome?.kind === 'failedToStart') {
        container.reason = `CannotStartContainerError: ${outcome.error.message}`;
      }
    }
    if (outcome?.kind === 'failedToStart') {
      task.stopCode ??= StopCode.TaskFailedToStart;
      task.stoppedReason ??= `CannotStartContainerError: ${outcome.error.message}`;
    } else {
      task.stopCode ??= StopCode.EssentialContainerExited;
      task.stoppedReason ??= 'Essential container in task exited';
    }
    record.process = undefined;
    this.#changed(record, now);
    record.markStopped();
  }

  #changed(record: TaskRecord, now: Date): void {
    record.task.version = (record.task.version ?? 0) + 1;
    record.updatedAt = now;
    this.#emit(record);
  }

  #emit(record: TaskRecord): void {
    const onStateChange = this.#onStateChange;
    if (onStateChange === undefined) {
      return;
    }
    const event = taskStateChangeEvent(this.#location, this.#describe(record, false), record.updatedAt);
    this.#callback(() => onStateChange(event));
  }

  /** Runs a consumer callback; its failure is reported, never propagated into the control plane. */
  #callback(action: () => void | Promise<void>): void {
    try {
      const result = action();
      if (result instanceof Promise) {
        result.catch((error: unknown) => this.#onCallbackError(error));
      }
    } catch (error) {
      this.#onCallbackError(error);
    }
  }

  #describe(record: TaskRecord, includeTags: boolean): Task {
    const task = deepCopy(record.task);
    return includeTags ? { ...task, tags: record.tags.map((tag) => ({ ...tag })) } : task;
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new ServerError('The local ECS endpoint is shutting down.');
    }
  }

  #assertCluster(clusterName: string, reference: string | undefined): void {
    if (!this.#clusters.has(clusterName)) {
      throw new ClusterNotFoundError(reference ?? clusterName);
    }
  }

  #clusterOf(reference: string | undefined): string {
    const name = clusterNameOf(reference);
    this.#assertCluster(name, reference);
    return name;
  }

  #findTask(clusterName: string, reference: string): TaskRecord | undefined {
    const record = this.#tasks.get(taskArn(this.#location, clusterName, taskIdOf(reference)));
    return record?.clusterName === clusterName ? record : undefined;
  }

  #recordOf(arn: string): TaskRecord {
    const record = this.#tasks.get(arn);
    if (record === undefined) {
      throw new InvalidParameterError(`The referenced task was not found: ${arn}`);
    }
    return record;
  }

  #lastStoppedAt(arns: readonly string[]): Date | undefined {
    let latest: Date | undefined;
    for (const arn of arns) {
      const stoppedAt = this.#tasks.get(arn)?.task.stoppedAt;
      if (stoppedAt === undefined) {
        return undefined;
      }
      latest = latest === undefined || stoppedAt > latest ? stoppedAt : latest;
    }
    return latest;
  }
}

/**
 * A deep copy that keeps `Date`s, so that callers can never mutate a task through an answer.
 * (Not `structuredClone`: its Dates come from another realm under test runners' VM contexts.)
 */
function deepCopy<T>(value: T): T {
  if (value instanceof Date) {
    return new Date(value.getTime()) as T;
  }
  if (Array.isArray(value)) {
    return value.map((item: unknown) => deepCopy(item)) as T;
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, nested]) => [key, deepCopy(nested)])) as T;
  }
  return value;
}

/** ECS task ids are 32 lowercase hex characters. */
function randomHexId(): string {
  return randomUUID().replaceAll('-', '');
}

function paginate(
  items: readonly string[],
  maxResults: number | undefined,
  nextToken: string | undefined,
): { items: string[]; nextToken: string | undefined } {
  const size = maxResults ?? PAGE_SIZE.default;
  if (!Number.isInteger(size) || size < 1 || size > PAGE_SIZE.max) {
    throw new InvalidParameterError(`maxResults must be between 1 and ${PAGE_SIZE.max}.`);
  }
  const start = nextToken === undefined ? 0 : Number(Buffer.from(nextToken, 'base64url').toString('utf8'));
  if (!Number.isInteger(start) || start < 0 || start > items.length) {
    throw new InvalidParameterError('The nextToken is invalid.');
  }
  const end = start + size;
  return {
    items: items.slice(start, end),
    nextToken: end < items.length ? Buffer.from(String(end), 'utf8').toString('base64url') : undefined,
  };
}
