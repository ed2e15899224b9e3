import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJsonInput, sendAwsError, sendJson, targetOperation } from '../aws-json-rpc.js';
import { EcsApiError, ServerError } from './errors.js';
import type { LocalEcs } from './local-ecs.js';

/** The `X-Amz-Target` prefix of every ECS operation (service name and API version). */
export const ECS_TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';
/** Far above any real ECS request (overrides are capped at 8 KiB), small enough to refuse abuse. */

type Operation = (ecs: LocalEcs, input: Record<string, unknown>) => Promise<unknown>;

// Inputs are passed on as the SDK types: LocalEcs validates every field it uses.
const OPERATIONS: Readonly<Record<string, Operation>> = {
  RunTask: (ecs, input) => ecs.runTask(input as never),
  DescribeTasks: (ecs, input) => ecs.describeTasks(input as never),
  ListTasks: (ecs, input) => ecs.listTasks(input as never),
  StopTask: (ecs, input) => ecs.stopTask(input as never),
  ListClusters: (ecs, input) => ecs.listClusters(input as never),
  DescribeClusters: (ecs, input) => ecs.describeClusters(input as never),
};

/**
 * A `node:http` request handler speaking the AWS JSON 1.1 protocol of ECS, so that any AWS SDK
 * or the AWS CLI reaches the local control plane through `--endpoint-url` or
 * `AWS_ENDPOINT_URL_ECS`: operations are chosen by `X-Amz-Target`
 * (`AmazonEC2ContainerServiceV20141113.RunTask`), bodies are JSON, timestamps are epoch
 * seconds, and errors are HTTP 400 (500 for `ServerException`) with
 * `{ "__type": "...", "message": "..." }` plus the `x-amzn-ErrorType` header, which is how SDK v3
 * and botocore recognise the exception. Requests are not authenticated: the endpoint listens on
 * loopback only.
 */
export function createEcsJsonProtocolHandler(
  ecs: LocalEcs,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    void handle(ecs, request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        sendError(response, new ServerError('The local ECS endpoint failed to answer.', { cause: error }));
      } else {
        response.destroy(error instanceof Error ? error : undefined);
      }
    });
  };
}

async function handle(ecs: LocalEcs, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const operation = targetOperation(request, response, {
    name: 'ECS',
    targetPrefix: ECS_TARGET_PREFIX,
    operations: OPERATIONS,
  });
  if (operation === undefined) return;
  const input = await readJsonInput(request, response);
  if (input === undefined) return;
  try {
    const output = await operation(ecs, input);
    sendJson(response, 200, toWire(output));
  } catch (error) {
    if (!(error instanceof EcsApiError)) {
      throw error;
    }
    sendError(response, error);
  }
}

function sendError(response: ServerResponse, error: EcsApiError): void {
  sendAwsError(response, error.httpStatusCode, error.errorType, {
    message: error.message,
    ...error.wireMembers(),
  });
}

/** JSON 1.1 sends timestamps as epoch seconds (with fractional milliseconds). */
function toWire(value: unknown): unknown {
  if (value instanceof Date) {
    return value.getTime() / 1000;
  }
  if (Array.isArray(value)) {
    return value.map(toWire);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, nested]) => [key, toWire(nested)]));
  }
  return value;
}
