import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PutEventsRequest, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EventsApiError } from './errors.js';
import type { LocalEventBus } from './local-event-bus.js';

/** The `X-Amz-Target` prefix of every EventBridge operation. */
export const EVENTS_TARGET_PREFIX = 'AWSEvents.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
/** PutEvents calls are at most 256 KB of entries; leave room for the JSON around them. */
const MAX_BODY_BYTES = 1024 * 1024;

type Operation = (bus: LocalEventBus, input: Record<string, unknown>) => unknown;

const OPERATIONS: Readonly<Record<string, Operation>> = {
  PutEvents: (bus, input) => bus.putEvents(putEventsRequest(input)),
  ListRules: (bus, input) => {
    const prefix = typeof input.NamePrefix === 'string' ? input.NamePrefix : '';
    const busName = typeof input.EventBusName === 'string' ? input.EventBusName : undefined;
    return { Rules: bus.listRules(busName).filter((rule) => rule.Name.startsWith(prefix)) };
  },
  ListEventBuses: (bus) => ({ EventBuses: bus.listEventBuses() }),
};

/**
 * A `node:http` request handler speaking EventBridge's AWS JSON 1.1 protocol, so any AWS SDK or
 * the AWS CLI (`aws events put-events --endpoint-url ...`) reaches the local bus: the operation
 * is chosen by `X-Amz-Target` (`AWSEvents.PutEvents`), timestamps travel as epoch seconds, and
 * errors are `{ "__type", "message" }` with the `x-amzn-ErrorType` header. Requests are not
 * authenticated: the endpoint listens on loopback only.
 */
export function createEventsJsonProtocolHandler(
  bus: LocalEventBus,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    void handle(bus, request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy(error instanceof Error ? error : undefined);
        return;
      }
      sendError(
        response,
        500,
        'InternalException',
        `The local EventBridge endpoint failed: ${String(error)}`,
      );
    });
  };
}

async function handle(bus: LocalEventBus, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const target = request.headers['x-amz-target'];
  const operationName =
    typeof target === 'string' && target.startsWith(EVENTS_TARGET_PREFIX)
      ? target.slice(EVENTS_TARGET_PREFIX.length)
      : '';
  const operation = OPERATIONS[operationName];
  if (request.method !== 'POST' || operation === undefined) {
    sendError(
      response,
      400,
      'UnknownOperationException',
      `The local EventBridge endpoint supports POST with X-Amz-Target ${EVENTS_TARGET_PREFIX}{${Object.keys(OPERATIONS).join(',')}}; got ${request.method} ${String(target)}.`,
    );
    return;
  }
  const body = await readBody(request);
  if (body === undefined) {
    sendError(response, 413, 'SerializationException', `Request body exceeds ${MAX_BODY_BYTES} bytes.`);
    return;
  }
  let input: unknown;
  try {
    input = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    sendError(response, 400, 'SerializationException', 'The request body is not valid JSON.');
    return;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    sendError(response, 400, 'SerializationException', 'The request body must be a JSON object.');
    return;
  }
  try {
    send(response, 200, operation(bus, input as Record<string, unknown>));
  } catch (error) {
    if (!(error instanceof EventsApiError)) throw error;
    sendError(response, error.httpStatusCode, error.errorType, error.message);
  }
}

/** The wire form of PutEvents with `Time` (epoch seconds, or an ISO string) as a `Date`. */
function putEventsRequest(input: Record<string, unknown>): PutEventsRequest {
  const entries = Array.isArray(input.Entries) ? (input.Entries as Record<string, unknown>[]) : undefined;
  return {
    ...(input as unknown as PutEventsRequest),
    Entries: entries?.map((entry) => {
      const { Time, ...rest } = entry;
      const time =
        typeof Time === 'number'
          ? new Date(Time * 1000)
          : typeof Time === 'string'
            ? new Date(Time)
            : undefined;
      return {
        ...(rest as PutEventsRequestEntry),
        ...(time === undefined || Number.isNaN(time.getTime()) ? {} : { Time: time }),
      };
    }),
  };
}

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () =>
      resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')),
    );
    request.on('error', reject);
  });
}

function sendError(response: ServerResponse, status: number, errorType: string, message: string): void {
  send(response, status, { __type: errorType, message }, { 'x-amzn-errortype': errorType });
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
