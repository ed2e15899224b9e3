import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EcsApiError, ServerError } from './errors.js';
import type { LocalEcs } from './local-ecs.js';

/** The `X-Amz-Target` prefix of every ECS operation (service name and API version). */
export const ECS_TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
/** Far above any real ECS request (overrides are capped at 8 KiB), small enough to refuse abuse. */
const MAX_BODY_BYTES = 1024 * 1024;

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
  const target = request.headers['x-amz-target'];
  const operationName =
    typeof target === 'string' && target.startsWith(ECS_TARGET_PREFIX)
      ? target.slice(ECS_TARGET_PREFIX.length)
      : '';
  const operation = OPERATIONS[operationName];
  if (request.method !== 'POST' || operation === undefined) {
    sendRaw(response, 400, 'UnknownOperationException', {
      message: `The local ECS endpoint supports POST with X-Amz-Target ${ECS_TARGET_PREFIX}{${Object.keys(OPERATIONS).join(',')}}; got ${request.method} ${String(target)}.`,
    });
    return;
  }
  const body = await readBody(request);
  if (body === undefined) {
    sendRaw(response, 413, 'SerializationException', {
      message: `Request body exceeds ${MAX_BODY_BYTES} bytes.`,
    });
    return;
  }
  let input: unknown;
  try {
    input = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    sendRaw(response, 400, 'SerializationException', { message: 'The request body is not valid JSON.' });
    return;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    sendRaw(response, 400, 'SerializationException', { message: 'The request body must be a JSON object.' });
    return;
  }
  try {
    const output = await operation(ecs, input as Record<string, unknown>);
    send(response, 200, toWire(output));
  } catch (error) {
    if (!(error instanceof EcsApiError)) {
      throw error;
    }
    sendError(response, error);
  }
}

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
      }
    });
    request.on('end', () =>
      resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')),
    );
    request.on('error', reject);
  });
}

function sendError(response: ServerResponse, error: EcsApiError): void {
  sendRaw(response, error.httpStatusCode, error.errorType, {
    message: error.message,
    ...error.wireMembers(),
  });
}

function sendRaw(
  response: ServerResponse,
  status: number,
  errorType: string,
  members: Record<string, unknown>,
): void {
  send(response, status, { __type: errorType, ...members }, { 'x-amzn-errortype': errorType });
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(text);
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
