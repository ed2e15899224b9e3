import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ConfigError } from '../../config/errors.js';
import type { StageConfig } from '../../config/schema.js';
import { loadStageConfig } from '../../config/stages.js';
import { EndpointUnreachableError, explainAwsError, UsageError } from './errors.js';
import {
  type Endpoints,
  type Environment,
  endpointsFrom,
  hasEndpoints,
  Service,
  type ServiceKey,
} from './service-endpoints.js';
import { queueNameOf, readStackOutputs } from './stack-outputs.js';

/**
 * Where batchctl points: a deployed stage (real AWS, names from the stack's
 * outputs) or the sandbox (loopback endpoints, the stack's fixed names). Commands
 * ask the target for clients and names and never care which one it is.
 */

/** The names the sandbox gives the stack's resources (sandbox/sqs, sandbox/dynamodb; a test keeps them equal). */
export const SANDBOX_NAMES = {
  eventBus: 'batch-requests',
  queue: 'batch-requests.fifo',
  deadLetterQueue: 'batch-requests-dlq.fifo',
  lifecycleTable: 'batch-launcher-lifecycle',
} as const;

/** The sandbox checks that requests are signed, not by whom. */
const SANDBOX_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export type TargetMode = 'aws' | 'sandbox';

export interface QueueRef {
  readonly name: string;
  readonly url: string;
}

export interface Queues {
  readonly requests: QueueRef;
  readonly deadLetter: QueueRef;
}

export interface EventBusRef {
  readonly name: string;
  /** Known for a deployed stage (a stack output); the sandbox has none to offer. */
  readonly arn?: string;
}

export interface Clients {
  readonly sqs: SQSClient;
  readonly events: EventBridgeClient;
  readonly dynamodb: DynamoDBClient;
  readonly cloudformation: CloudFormationClient;
}

export interface Target {
  readonly stage: StageConfig;
  readonly mode: TargetMode;
  /** "stage dev (AWS eu-west-1, stack EcsBatchLauncher-dev)", for humans. */
  readonly description: string;
  /**
   * ReceiveMessage wait when scanning a queue to its end: long enough on AWS for
   * an empty answer to mean empty; 0 in the sandbox, whose emulator answers exactly.
   */
  readonly scanWaitSeconds: number;
  client<K extends keyof Clients>(service: K): Clients[K];
  /** Runs one AWS call, turning what it throws into a batchctl error that names `action`. */
  call<T>(service: ServiceKey, action: string, run: () => Promise<T>): Promise<T>;
  eventBus(): Promise<EventBusRef>;
  queues(): Promise<Queues>;
  lifecycleTableName(): Promise<string>;
  /** Releases the clients' sockets so the process can exit. */
  close(): void;
}

export interface TargetOptions {
  readonly stage?: string;
  readonly endpointUrl?: string;
}

/** The CloudFormation stack of a stage (infra/launcher-app.ts `stackNameFor`). */
export function stackNameFor(stage: string): string {
  return `EcsBatchLauncher-${stage}`;
}

/** The stage named by `--stage`, else `BATCHCTL_STAGE`, else `local`; an unknown one lists the known ones. */
export function selectStage(option: string | undefined, env: Environment): StageConfig {
  const name = option ?? env.BATCHCTL_STAGE ?? 'local';
  try {
    return loadStageConfig(name);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

function memo<T>(make: () => T): () => T {
  let value: { current: T } | undefined;
  return () => {
    value ??= { current: make() };
    return value.current;
  };
}

interface TargetParts {
  readonly stage: StageConfig;
  readonly mode: TargetMode;
  readonly endpoints: Endpoints;
  /** Makes one client; only called for a service that is used. */
  readonly makeClient: <K extends keyof Clients>(service: K) => Clients[K];
}

const SERVICE_NAMES: Readonly<Record<ServiceKey, string>> = {
  sqs: 'SQS',
  events: 'EventBridge',
  dynamodb: 'DynamoDB',
  cloudformation: 'CloudFormation',
};

/**
 * A target from its parts: tests inject clients (aws-sdk-client-mock, emulators)
 * through `makeClient`; `resolveTarget` builds real ones.
 */
export function createTarget(parts: TargetParts): Target {
  const { stage, mode, endpoints } = parts;
  const made = new Map<keyof Clients, Clients[keyof Clients]>();
  const client = <K extends keyof Clients>(service: K): Clients[K] => {
    const existing = made.get(service) as Clients[K] | undefined;
    if (existing !== undefined) return existing;
    if (mode === 'sandbox' && endpoints[service] === undefined) {
      // Never fall through to real AWS from sandbox mode.
      throw new EndpointUnreachableError(
        `Sandbox mode has no ${SERVICE_NAMES[service]} endpoint: set AWS_ENDPOINT_URL_${Service[service]} ` +
          '(npm start prints it) or pass --endpoint-url.',
      );
    }
    const created = parts.makeClient(service);
    made.set(service, created);
    return created;
  };
  const call = async <T>(service: ServiceKey, action: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw explainAwsError(error, action, {
        service: SERVICE_NAMES[service],
        endpoint: endpoints[service],
        sandbox: mode === 'sandbox',
      });
    }
  };

  if (mode === 'aws') {
    const stackName = stackNameFor(stage.stage);
    const outputs = memo(() =>
      call('cloudformation', `read the outputs of stack ${stackName}`, () =>
        readStackOutputs(client('cloudformation'), {
          stackName,
          stage: stage.stage,
          account: stage.account,
          region: stage.region,
        }),
      ),
    );
    return {
      stage,
      mode,
      description: `stage ${stage.stage} (AWS ${stage.region}, stack ${stackName})`,
      scanWaitSeconds: 1,
      client,
      call,
      eventBus: async () => {
        const { EventBusName, EventBusArn } = await outputs();
        return { name: EventBusName, arn: EventBusArn };
      },
      queues: async () => {
        const { QueueUrl, DeadLetterQueueUrl } = await outputs();
        return {
          requests: { name: queueNameOf(QueueUrl), url: QueueUrl },
          deadLetter: { name: queueNameOf(DeadLetterQueueUrl), url: DeadLetterQueueUrl },
        };
      },
      lifecycleTableName: async () => (await outputs()).LifecycleTableName,
      close: () => {
        for (const each of made.values()) each.destroy();
      },
    };
  }

  const queueUrl = async (name: string): Promise<QueueRef> => {
    const { QueueUrl } = await call('sqs', `find queue ${name}`, () =>
      client('sqs').send(new GetQueueUrlCommand({ QueueName: name })),
    );
    if (QueueUrl === undefined)
      throw new EndpointUnreachableError(`The SQS endpoint answered no URL for ${name}`);
    return { name, url: QueueUrl };
  };
  const queues = memo(async () => ({
    requests: await queueUrl(SANDBOX_NAMES.queue),
    deadLetter: await queueUrl(SANDBOX_NAMES.deadLetterQueue),
  }));
  const shown = (['events', 'sqs', 'dynamodb'] as const)
    .map((service) => `${SERVICE_NAMES[service]} ${endpoints[service] ?? '(not set)'}`)
    .join(', ');
  return {
    stage,
    mode,
    description: `stage ${stage.stage} (sandbox: ${shown})`,
    scanWaitSeconds: 0,
    client,
    call,
    eventBus: async () => ({ name: SANDBOX_NAMES.eventBus }),
    queues,
    lifecycleTableName: async () => SANDBOX_NAMES.lifecycleTable,
    close: () => {
      for (const each of made.values()) each.destroy();
    },
  };
}

/**
 * The target of a command line: sandbox mode when the stage is `local` or any
 * endpoint is configured (nothing then reaches AWS), a deployed stage otherwise.
 */
export function resolveTarget(options: TargetOptions, env: Environment): Target {
  const stage = selectStage(options.stage, env);
  const endpoints = endpointsFrom(env, options.endpointUrl);
  const mode: TargetMode = stage.stage === 'local' || hasEndpoints(endpoints) ? 'sandbox' : 'aws';
  const region = stage.region;
  const config = (service: ServiceKey) =>
    mode === 'sandbox'
      ? { region, endpoint: endpoints[service], credentials: SANDBOX_CREDENTIALS }
      : { region };
  const constructors: { readonly [K in keyof Clients]: (config: object) => Clients[K] } = {
    sqs: (c) => new SQSClient(c),
    events: (c) => new EventBridgeClient(c),
    dynamodb: (c) => new DynamoDBClient(c),
    cloudformation: (c) => new CloudFormationClient(c),
  };
  return createTarget({
    stage,
    mode,
    endpoints,
    makeClient: (service) => constructors[service](config(service)),
  });
}
