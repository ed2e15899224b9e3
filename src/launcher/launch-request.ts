import type { z } from 'zod';
import type { BatchType } from '../../config/schema.js';
import { batchRequestedDetailSchema, queuedRequestSchema } from '../contract/batch-requested.js';
import type { CatalogIndex } from './catalog-index.js';
import { ErrorCode, PermanentLaunchError } from './errors.js';

/** One validated request, resolved against the catalog: everything RunTask needs from the event. */
export interface LaunchRequest {
  readonly batchType: BatchType;
  /** `requestId` from the event, else the SQS message id: the idempotency key. */
  readonly requestKey: string;
  /** True when the monolith gave a requestId (the key survives redrives and re-publishes). */
  readonly hasRequestId: boolean;
  readonly traceId: string;
  /** `parameters` as the task receives them (objects as JSON text); absent when not given. */
  readonly parameters?: string;
}

function describeIssues(error: z.ZodError, prefix: string): string {
  return error.issues
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].join('.');
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * Parses and validates one SQS body written by the routing rules' input
 * transformer, and resolves its batch type. Every failure here is permanent and
 * says what was wrong, where, and what was expected.
 */
export function parseLaunchRequest(body: string, messageId: string, catalog: CatalogIndex): LaunchRequest {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new PermanentLaunchError(
      ErrorCode.InvalidJson,
      `message body is not JSON (${(error as Error).message}); expected {"version":1,"detail":{...}} from the routing rule`,
      { cause: error },
    );
  }
  const envelope = queuedRequestSchema.safeParse(json);
  if (!envelope.success) {
    throw new PermanentLaunchError(
      ErrorCode.SchemaViolation,
      `message body is not a queued BatchRequested: ${describeIssues(envelope.error, 'body')}`,
    );
  }
  const detail = batchRequestedDetailSchema.safeParse(envelope.data.detail);
  if (!detail.success) {
    throw new PermanentLaunchError(
      ErrorCode.SchemaViolation,
      `BatchRequested detail violates contract v1: ${describeIssues(detail.error, 'detail')}`,
    );
  }
  const { batchTypeId, requestId, traceId, parameters } = detail.data;
  const batchType = catalog.get(batchTypeId);
  if (batchType === undefined) {
    throw new PermanentLaunchError(
      ErrorCode.UnknownBatchType,
      `detail.batchTypeId ${batchTypeId} is not in this stage's batch catalog; known ids: ${[...catalog.keys()].join(', ')}`,
    );
  }
  const requestKey = requestId ?? messageId;
  return {
    batchType,
    requestKey,
    hasRequestId: requestId !== undefined,
    traceId: traceId ?? requestKey,
    ...(parameters === undefined
      ? {}
      : { parameters: typeof parameters === 'string' ? parameters : JSON.stringify(parameters) }),
  };
}
