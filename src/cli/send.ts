import { randomUUID } from 'node:crypto';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { z } from 'zod';
import {
  type BatchRequestedDetail,
  batchRequestedDetailSchema,
  DETAIL_TYPE,
} from '../contract/batch-requested.js';
import {
  EventRefusedError,
  errorMessage,
  InvalidEventError,
  OperationFailedError,
  UsageError,
} from './errors.js';
import { fields, type Output } from './output.js';
import type { Target } from './target.js';

export interface SendOptions {
  readonly type: string;
  /** `false` with `--no-request-id`: send without one, as a monolith may. */
  readonly requestId?: string | false;
  readonly traceId?: string;
  readonly param?: readonly string[];
  readonly parametersJson?: string;
  readonly source?: string;
}

/** The option that sets each detail field, so a schema error names what to change. */
const OPTION_OF: Readonly<Record<keyof BatchRequestedDetail, string>> = {
  batchTypeId: '--type',
  requestId: '--request-id',
  traceId: '--trace-id',
  parameters: '--param / --parameters-json',
};

function parseParameters(options: SendOptions): BatchRequestedDetail['parameters'] {
  const pairs = options.param ?? [];
  if (pairs.length > 0 && options.parametersJson !== undefined) {
    throw new UsageError('Use either --param k=v or --parameters-json, not both: they set the same field.');
  }
  if (options.parametersJson !== undefined) {
    try {
      return JSON.parse(options.parametersJson) as BatchRequestedDetail['parameters'];
    } catch (error) {
      throw new InvalidEventError(`--parameters-json is not valid JSON: ${errorMessage(error)}`, {
        cause: error,
      });
    }
  }
  if (pairs.length === 0) return undefined;
  const parameters: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    const key = equals > 0 ? pair.slice(0, equals) : '';
    if (key === '') throw new UsageError(`--param "${pair}" is not key=value`);
    if (Object.hasOwn(parameters, key)) throw new UsageError(`--param ${key} is given twice`);
    parameters[key] = pair.slice(equals + 1);
  }
  return parameters;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = String(issue.path[0] ?? '(detail)');
      const option = OPTION_OF[field as keyof BatchRequestedDetail];
      const path = issue.path.join('.') || '(detail)';
      return `  - ${path}${option === undefined ? '' : ` (${option})`}: ${issue.message}`;
    })
    .join('\n');
}

/**
 * The event's detail from the command line, checked against contract v1: what the
 * launcher would reject is refused here, before anything is sent. Without
 * `--request-id` one is generated (`batchctl-<uuid>`), so the request can be
 * followed with `batchctl status`.
 */
export function buildDetail(options: SendOptions, newId: () => string = randomUUID): BatchRequestedDetail {
  const type = options.type.trim();
  const requestId = options.requestId === false ? undefined : (options.requestId ?? `batchctl-${newId()}`);
  const parameters = parseParameters(options);
  const candidate = {
    batchTypeId: /^-?\d+$/.test(type) ? Number(type) : type,
    ...(requestId === undefined ? {} : { requestId }),
    ...(options.traceId === undefined ? {} : { traceId: options.traceId }),
    ...(parameters === undefined ? {} : { parameters }),
  };
  const parsed = batchRequestedDetailSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new InvalidEventError(
      `The event would violate contract v1; nothing was sent:\n${describeIssues(parsed.error)}`,
    );
  }
  return parsed.data;
}

export interface SendResult {
  readonly eventId: string;
  readonly eventBusName: string;
  readonly source: string;
  readonly detailType: typeof DETAIL_TYPE;
  readonly detail: BatchRequestedDetail;
}

/** PutEvents exactly as the monolith does: its Source, DetailType `BatchRequested`, the batch-requests bus. */
export async function sendBatchRequest(
  target: Target,
  detail: BatchRequestedDetail,
  source?: string,
): Promise<SendResult> {
  const bus = await target.eventBus();
  const eventSource = source ?? target.stage.monolith.eventSource;
  const response = await target.call('events', `put the event on bus ${bus.name}`, () =>
    target.client('events').send(
      new PutEventsCommand({
        Entries: [
          {
            Source: eventSource,
            DetailType: DETAIL_TYPE,
            Detail: JSON.stringify(detail),
            EventBusName: bus.name,
          },
        ],
      }),
    ),
  );
  const entry = response.Entries?.[0];
  if ((response.FailedEntryCount ?? 0) > 0 || entry?.ErrorCode !== undefined) {
    const code = entry?.ErrorCode ?? 'Unknown';
    throw new EventRefusedError(
      code,
      `EventBridge refused the event (${code}: ${entry?.ErrorMessage ?? 'no message'}); nothing was queued.`,
    );
  }
  if (entry?.EventId === undefined) {
    throw new OperationFailedError('EventBridge accepted the call but returned no EventId for the entry.');
  }
  return {
    eventId: entry.EventId,
    eventBusName: bus.name,
    source: eventSource,
    detailType: DETAIL_TYPE,
    detail,
  };
}

/** `batchctl send`: validate, warn about a type the stage's catalog lacks, send, print the EventId. */
export async function runSend(target: Target, output: Output, options: SendOptions): Promise<number> {
  const detail = buildDetail(options);
  const known = target.stage.catalog.some((type) => type.batchTypeId === detail.batchTypeId);
  if (!known) {
    output.warn(
      `batch type ${detail.batchTypeId} is not in stage ${target.stage.stage}'s catalog: ` +
        'the launcher will reject it into the DLQ (UnknownBatchType).',
    );
  }
  const result = await sendBatchRequest(target, detail, options.source);
  output.result('send', { ...result }, () =>
    fields([
      ['eventId', result.eventId],
      ['bus', result.eventBusName],
      ['source', result.source],
      ['batchTypeId', detail.batchTypeId],
      ['requestId', detail.requestId ?? '(none: the SQS message id becomes the idempotency key)'],
      ['traceId', detail.traceId],
      ['parameters', detail.parameters === undefined ? undefined : JSON.stringify(detail.parameters)],
    ]),
  );
  return 0;
}
