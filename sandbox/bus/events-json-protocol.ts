import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PutEventsRequest, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { readJsonInput, sendAwsError, sendJson, targetOperation } from '../aws-json-rpc.js';
import { EventsApiError } from './errors.js';
import type { LocalEventBus } from './local-event-bus.js';

/** The `X-Amz-Target` prefix of every EventBridge operation. */
export const EVENTS_TARGET_PREFIX = 'AWSEvents.';

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
      sendAwsError(response, 500, 'InternalException', {
        message: `The local EventBridge endpoint failed: ${String(error)}`,
      });
    });
  };
}

async function handle(bus: LocalEventBus, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const operation = targetOperation(request, response, {
    name: 'EventBridge',
    targetPrefix: EVENTS_TARGET_PREFIX,
    operations: OPERATIONS,
  });
  if (operation === undefined) return;
  const input = await readJsonInput(request, response);
  if (input === undefined) return;
  try {
    sendJson(response, 200, operation(bus, input));
  } catch (error) {
    if (!(error instanceof EventsApiError)) throw error;
    sendAwsError(response, error.httpStatusCode, error.errorType, { message: error.message });
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
