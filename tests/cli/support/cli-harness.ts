import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadStageConfig } from '../../../config/stages.js';
import { createBatchctl } from '../../../src/cli/program.js';
import type { Endpoints, Environment } from '../../../src/cli/service-endpoints.js';
import { type Clients, createTarget, type Target, type TargetMode } from '../../../src/cli/target.js';

export const NOW = new Date('2026-12-04T12:00:00.000Z');
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** Real SDK clients (to mock with aws-sdk-client-mock, or pointed at emulators). */
export function clientsFor(region: string, endpoints: Endpoints = {}): Clients {
  const config = (endpoint: string | undefined) => ({ region, credentials: CREDENTIALS, endpoint });
  return {
    sqs: new SQSClient(config(endpoints.sqs)),
    events: new EventBridgeClient(config(endpoints.events)),
    dynamodb: new DynamoDBClient(config(endpoints.dynamodb)),
    cloudformation: new CloudFormationClient(config(endpoints.cloudformation)),
  };
}

/**
 * A target whose clients are given. The program closes a target after each
 * command, so `clients` is called per command for fresh ones.
 */
export function targetWith(options: {
  stage?: string;
  mode?: TargetMode;
  endpoints?: Endpoints;
  clients: () => Clients;
}): () => Target {
  return () => {
    const stage = loadStageConfig(options.stage ?? 'local');
    const mode = options.mode ?? 'sandbox';
    const clients = options.clients();
    return createTarget({
      stage,
      mode,
      endpoints: options.endpoints ?? {
        sqs: 'http://127.0.0.1:1',
        events: 'http://127.0.0.1:1',
        dynamodb: 'http://127.0.0.1:1',
      },
      makeClient: (service) => clients[service],
    });
  };
}

export interface Run {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as the one JSON document of --json. */
  json<T = Record<string, unknown>>(): T;
}

/** Runs one batchctl command line through its commander program, capturing both streams. */
export async function batchctl(
  args: readonly string[],
  options: { target?: () => Target; env?: Environment; stderrIsTTY?: boolean } = {},
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const cli = createBatchctl({
    io: {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
      stderrIsTTY: options.stderrIsTTY ?? false,
    },
    env: options.env ?? {},
    ...(options.target === undefined ? {} : { connect: options.target }),
    sleep: async () => {},
    now: () => NOW,
  });
  const exitCode = await cli.run(args);
  return {
    exitCode,
    stdout,
    stderr,
    json: <T>() => JSON.parse(stdout) as T,
  };
}
