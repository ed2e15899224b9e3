import type { Context } from 'aws-lambda';
import type { StageConfig } from '../config/schema.js';
import { loadStageConfig } from '../config/stages.js';
import { routesFor } from '../src/routing/routes.js';
import { createEventsJsonProtocolHandler } from './bus/events-json-protocol.js';
import { lambdaFunctionTarget } from './bus/lambda-function-target.js';
import {
  BATCH_REQUESTS_BUS,
  requestRoutingRules,
  resultSubscriptionRule,
  taskStateChangeRule,
} from './bus/launcher-rules.js';
import { LocalEventBus } from './bus/local-event-bus.js';
import type { BusEvent } from './bus/put-events-entry.js';
import { sqsQueueTarget } from './bus/sqs-queue-target.js';
import { startLocalDynamoDb, TableName } from './dynamodb/local-dynamodb.js';
import { clusterArn } from './ecs/ecs-arn.js';
import { createEcsJsonProtocolHandler } from './ecs/ecs-json-protocol.js';
import { demoBatchAppTaskRunner, simulatedTaskRunner } from './ecs/task-runner.js';
import type { RateLimit } from './ecs/token-bucket.js';
import { JourneyLog, type LogSink } from './journey-log.js';
import { listenOnLoopback } from './loopback-server.js';
import { ObservedLocalEcs } from './observed-local-ecs.js';
import { type SqsBatchHandler, SqsPoller } from './poller/sqs-poller.js';
import { DeadLetterWatcher } from './sqs/dead-letter-watcher.js';
import { type QueuedMessage, QueueName, startLocalSqs } from './sqs/local-sqs.js';

/** The sandbox's four endpoints. */
export type Service = 'events' | 'sqs' | 'ecs' | 'dynamodb';
export type Endpoints = Readonly<Record<Service, string>>;

/** Credentials the sandbox signs with and expects (the emulators check that requests are signed, not by whom). */
export const SANDBOX_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** The SDKs' per-service endpoint variables, by sandbox service. */
export const ENDPOINT_VARIABLES = {
  events: 'AWS_ENDPOINT_URL_EVENTBRIDGE',
  ecs: 'AWS_ENDPOINT_URL_ECS',
  sqs: 'AWS_ENDPOINT_URL_SQS',
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
} as const satisfies Record<Service, string>;

const FUNCTION_NAME = { launchBatch: 'launch-batch', trackTask: 'track-task' } as const;
/** The stack's track-task timeout (`infra/constructs/track-task-function.ts`). */
const TRACK_TASK_TIMEOUT_MS = 30_000;

export interface SandboxEcsOptions {
  /**
   * Throttle RunTask with a token bucket answering `ThrottlingException`
   * (Fargate: `{ ratePerSecond: 20, burst: 100 }`).
   * @default no throttling
   */
  readonly runTaskRateLimit?: RateLimit;
  /** Share (0..1) of RunTask calls answered with `failures[]` and no task. @default 0 */
  readonly placementFailureRate?: number;
  /** Randomness behind `placementFailureRate`; inject a sequence for deterministic tests. @default Math.random */
  readonly random?: () => number;
  /**
   * How tasks run: `'process'` starts the demo batch app as a child process per task;
   * `'simulated'` starts none and runs each task on timers (RUNNING after 10 ms, STOPPED 200 ms
   * later or after the parameters' `sleepMs`, exit code chosen as the demo app chooses it), with
   * the same state change events. For load runs: thousands of tasks, no thousands of processes.
   * @default 'process'
   */
  readonly taskRunner?: 'process' | 'simulated';
}

export interface SandboxPollerOptions {
  /** Pollers side by side. @default the stage's `launcher.maxConcurrency` */
  readonly concurrency?: number;
  /** Long-poll wait per receive, 0-20 s; `stop()` waits at most this long for a receive. @default 1 */
  readonly waitTimeSeconds?: number;
  /** @default 10 */
  readonly batchSize?: number;
}

export interface SandboxOptions {
  /** Which stage config to run. @default 'local' */
  readonly stage?: string;
  /**
   * Loopback ports; 0 (the default) picks free ones. A second sandbox in the same process reuses
   * the first one's ports: the handlers read their endpoints once, at import.
   */
  readonly ports?: Partial<Record<Service, number>>;
  /** The requests queue's VisibilityTimeout. @default 6 × the stage's `launcher.timeoutSeconds`, as the stack */
  readonly visibilityTimeoutSeconds?: number;
  /**
   * Caps every visibility timeout clients ask SQS for, compressing the launcher's 15 s × 2ⁿ retry
   * backoff (a test knob). @default no cap
   */
  readonly maxVisibilityTimeoutSeconds?: number;
  readonly ecs?: SandboxEcsOptions;
  readonly poller?: SandboxPollerOptions;
  /** Where the journey lines go. @default stdout */
  readonly log?: LogSink;
  /**
   * `POWERTOOLS_LOG_LEVEL` of the handlers (their JSON logs go to stdout).
   * @default the variable's current value, else 'WARN'
   */
  readonly handlerLogLevel?: string;
}

export interface Sandbox {
  readonly endpoints: Endpoints;
  readonly region: string;
  readonly accountId: string;
  readonly config: StageConfig;
  /** The bus the monolith puts BatchRequested on. */
  readonly eventBusName: typeof BATCH_REQUESTS_BUS;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
  readonly tables: { readonly idempotency: string; readonly lifecycle: string };
  readonly bus: LocalEventBus;
  /** The local ECS; `runTaskStats` counts its RunTask answers (started, unplaced, throttled, refused). */
  readonly ecs: ObservedLocalEcs;
  readonly poller: SqsPoller;
  /** The variables a shell or an SDK needs to reach the sandbox. */
  readonly environment: Readonly<Record<string, string>>;
  /** Result events (BatchSucceeded / BatchFailed) received by the monolith's subscription, oldest first. */
  readonly resultEvents: readonly BusEvent[];
  /** The DLQ's messages, without receiving them. */
  deadLetters(): Promise<QueuedMessage[]>;
  /**
   * Stops the poller (finishing its batch), every task (SIGTERM, then SIGKILL), the deliveries
   * under way, then the endpoints. Leaves no child process. Idempotent.
   */
  stop(): Promise<void>;
}

interface LoadedHandlers {
  readonly endpoints: Endpoints;
  readonly launchBatch: SqsBatchHandler;
  readonly trackTask: (event: never, context: Context) => Promise<unknown>;
}

/** The handlers are modules that read their environment once: one binding per process. */
let loaded: LoadedHandlers | undefined;

/**
 * Starts the whole flow on 127.0.0.1: SQS (fauxqs) with the stack's FIFO queue and DLQ, DynamoDB
 * (dynalite) with the stack's tables, ECS running tasks as local processes of the demo batch app,
 * an EventBridge endpoint routing with the stack's own rules, and a poller driving the real
 * `launch-batch` handler like Lambda's event source mapping; `track-task` runs on ECS Task State
 * Change like a rule's Lambda target. The handlers run unchanged and reach the emulators through
 * `AWS_ENDPOINT_URL_<SERVICE>`, which this sets in the process environment.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const config = loadStageConfig(options.stage ?? 'local');
  const { region, account: accountId } = config;
  const sink = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const journey = new JourneyLog({
    sink,
    batchTypeNames: new Map(config.catalog.map((type) => [type.batchTypeId, type.name])),
    maxReceiveCount: config.launcher.maxReceiveCount,
  });
  const cleanup: (() => Promise<void>)[] = [];
  const unwind = async () => {
    for (const close of cleanup.reverse()) await close().catch(() => undefined);
  };
  try {
    const ports = portsFor(options.ports);
    const eventsServer = await listenOnLoopback(ports.events);
    cleanup.push(() => eventsServer.close());
    const ecsServer = await listenOnLoopback(ports.ecs);
    cleanup.push(() => ecsServer.close());
    const [sqs, dynamodb] = await Promise.all([
      startLocalSqs({
        port: ports.sqs,
        region,
        credentials: SANDBOX_CREDENTIALS,
        visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 6 * config.launcher.timeoutSeconds,
        maxReceiveCount: config.launcher.maxReceiveCount,
        deadLetterRetentionDays: config.retention.dlqDays,
        maxVisibilityTimeoutSeconds: options.maxVisibilityTimeoutSeconds,
      }),
      startLocalDynamoDb({ port: ports.dynamodb, region, credentials: SANDBOX_CREDENTIALS }),
    ]);
    cleanup.push(
      () => sqs.stop(),
      () => dynamodb.stop(),
    );
    const endpoints: Endpoints = {
      events: eventsServer.url,
      sqs: sqs.endpoint,
      ecs: ecsServer.url,
      dynamodb: dynamodb.endpoint,
    };
    const environment = {
      ...Object.fromEntries(
        Object.entries(ENDPOINT_VARIABLES).map(([service, variable]) => [
          variable,
          endpoints[service as Service],
        ]),
      ),
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: SANDBOX_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: SANDBOX_CREDENTIALS.secretAccessKey,
    };
    const handlers = await loadHandlers(endpoints, {
      ...environment,
      STAGE: config.stage,
      SOURCE_QUEUE_URL: sqs.queueUrl,
      DLQ_URL: sqs.dlqUrl,
      IDEMPOTENCY_TABLE: TableName.Idempotency,
      LIFECYCLE_TABLE: TableName.Lifecycle,
      EVENT_BUS_NAME: BATCH_REQUESTS_BUS,
      POWERTOOLS_LOG_LEVEL: options.handlerLogLevel ?? process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    });

    const resultEvents: BusEvent[] = [];
    const location = { region, accountId };
    const clusters = [...new Set(config.catalog.map((type) => type.cluster))];
    const bus = new LocalEventBus({
      region,
      accountId,
      eventBusNames: [BATCH_REQUESTS_BUS],
      rules: [
        ...requestRoutingRules(routesFor(config), (route) =>
          sqsQueueTarget({
            client: sqs.client,
            queueUrl: sqs.queueUrl,
            messageGroupId: route.messageGroupId,
            inputTransformer: { inputPathsMap: route.inputPathsMap, inputTemplate: route.inputTemplate },
            onQueued: (queued) => journey.queued(queued),
          }),
        ),
        taskStateChangeRule(
          clusters.map((cluster) => clusterArn(location, cluster)),
          lambdaFunctionTarget({
            functionName: FUNCTION_NAME.trackTask,
            handler: handlers.trackTask,
            timeoutMs: TRACK_TASK_TIMEOUT_MS,
            region,
            accountId,
          }),
        ),
        resultSubscriptionRule({
          id: 'monolith-subscription',
          deliver: async (event) => {
            resultEvents.push(event);
            journey.result(event);
          },
        }),
      ],
      observer: {
        onReceived: (event, busName, origin) => {
          if (origin === 'PutEvents') journey.received(event, busName);
        },
        // ECS publishes every status change; the rules take RUNNING and STOPPED. Those are
        // counted in `bus.stats.unmatched`; only what someone put is worth a line.
        onUnmatched: (event, busName, origin) => {
          if (origin === 'PutEvents') journey.unmatched(event, busName);
        },
        onDeliveryFailed: (failure) => journey.deliveryFailed(failure),
      },
    });
    cleanup.push(() => bus.close(3_000));

    const catalogTasks = {
      families: config.catalog.map((type) => type.taskDefinitionFamily),
      defaultCommands: Object.fromEntries(
        config.catalog.map((type) => [type.taskDefinitionFamily, type.command]),
      ),
    };
    const ecs = new ObservedLocalEcs({
      clusters,
      region,
      accountId,
      taskRunner:
        options.ecs?.taskRunner === 'simulated'
          ? simulatedTaskRunner(catalogTasks)
          : demoBatchAppTaskRunner({
              ...catalogTasks,
              baseEnv: process.env.PATH === undefined ? {} : { PATH: process.env.PATH },
            }),
      onStateChange: (event) => {
        journey.taskChanged(event);
        bus.publishServiceEvent(event as unknown as BusEvent);
      },
      onOutput: (taskArn, line, stream) => journey.taskOutput(taskArn, line, stream),
      onRunTask: (answer) => journey.runTaskAnswered(answer),
      onCallbackError: (error) => journey.note(`local ECS: a callback failed: ${String(error)}`),
      runTaskRateLimit: options.ecs?.runTaskRateLimit,
      placementFailureRate: options.ecs?.placementFailureRate,
      random: options.ecs?.random,
    });
    cleanup.push(() => ecs.close());

    const deadLetters = new DeadLetterWatcher({
      peek: () => sqs.peek(QueueName.DeadLetter),
      onDeadLetter: (message) => journey.deadLettered(message),
      onError: (error) => journey.note(`cannot look at the DLQ: ${String(error)}`),
    });
    const poller = new SqsPoller({
      client: sqs.client,
      queueUrl: sqs.queueUrl,
      queueArn: sqs.queueArn,
      region,
      accountId,
      functionName: FUNCTION_NAME.launchBatch,
      handler: handlers.launchBatch,
      timeoutMs: config.launcher.timeoutSeconds * 1000,
      batchSize: options.poller?.batchSize,
      waitTimeSeconds: options.poller?.waitTimeSeconds,
      concurrency: options.poller?.concurrency ?? config.launcher.maxConcurrency,
      onBatch: async (outcome) => {
        await deadLetters.scan();
        journey.batchProcessed(outcome);
      },
      onError: (error, phase) => journey.note(`poller (${phase}): ${String(error)}`),
    });

    eventsServer.serve(createEventsJsonProtocolHandler(bus));
    ecsServer.serve(createEcsJsonProtocolHandler(ecs));
    deadLetters.start();
    poller.start();
    cleanup.push(
      () => deadLetters.stop(),
      () => poller.stop(),
    );

    let stopping: Promise<void> | undefined;
    return {
      endpoints,
      region,
      accountId,
      config,
      eventBusName: BATCH_REQUESTS_BUS,
      queueUrl: sqs.queueUrl,
      queueArn: sqs.queueArn,
      dlqUrl: sqs.dlqUrl,
      dlqArn: sqs.dlqArn,
      tables: { idempotency: TableName.Idempotency, lifecycle: TableName.Lifecycle },
      bus,
      ecs,
      poller,
      environment,
      get resultEvents() {
        return [...resultEvents];
      },
      deadLetters: () => sqs.peek(QueueName.DeadLetter),
      stop: () => {
        // Reverse start order: poller (finishes its batch), DLQ watcher, ECS tasks (their
        // STOPPED events still reach track-task), bus deliveries, then the endpoints.
        stopping ??= unwind();
        return stopping;
      },
    };
  } catch (error) {
    await unwind();
    throw error;
  }
}

/** Requested ports, or those of the handlers already loaded in this process. */
function portsFor(requested: SandboxOptions['ports'] = {}): Record<Service, number> {
  const services: Service[] = ['events', 'sqs', 'ecs', 'dynamodb'];
  return Object.fromEntries(
    services.map((service) => {
      const bound = loaded === undefined ? undefined : Number(new URL(loaded.endpoints[service]).port);
      const port = requested[service] ?? 0;
      if (bound !== undefined && port !== 0 && port !== bound) {
        throw new Error(
          `The handlers in this process already reach ${service} on port ${bound}: they read their ` +
            `endpoints once, at import. Run another sandbox on other ports in another process.`,
        );
      }
      return [service, port === 0 ? (bound ?? 0) : port];
    }),
  ) as Record<Service, number>;
}

/**
 * Imports the unchanged Lambda handlers once their environment is set: they build their SDK
 * clients at import, from `AWS_ENDPOINT_URL_<SERVICE>`.
 */
async function loadHandlers(
  endpoints: Endpoints,
  environment: Record<string, string>,
): Promise<LoadedHandlers> {
  Object.assign(process.env, environment);
  if (loaded === undefined) {
    // One after the other: jest's ESM runtime cannot link two graphs sharing modules at once.
    const launchBatch = await import('../handlers/launch-batch.js');
    const trackTask = await import('../handlers/track-task.js');
    loaded = {
      endpoints,
      launchBatch: launchBatch.handler,
      trackTask: trackTask.handler as LoadedHandlers['trackTask'],
    };
  }
  return loaded;
}
