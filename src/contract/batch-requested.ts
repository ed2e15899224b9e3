import { z } from 'zod';

/**
 * Contract v1 of the `BatchRequested` event's `detail`: the one place the
 * schema is written. The JSON Schema in `schemas/` is generated from it
 * (`npm run schema:generate`) and a test fails when the two drift.
 */

export const DETAIL_TYPE = 'BatchRequested' as const;
export const CONTRACT_VERSION = 1 as const;

/** `requestId`: the idempotency key; also part of ECS `startedBy`, hence the character set. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** `traceId`: 1–128 printable ASCII characters. */
export const TRACE_ID_PATTERN = /^[\x20-\x7E]{1,128}$/;

export const batchRequestedDetailSchema = z
  .strictObject({
    batchTypeId: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).meta({
      description: 'Which batch to run: an id from the stage batch catalog.',
    }),
    requestId: z.string().regex(REQUEST_ID_PATTERN).optional().meta({
      description:
        'Idempotency key: one task per requestId. Strongly recommended; without it, each SQS message is its own request.',
    }),
    traceId: z.string().regex(TRACE_ID_PATTERN).optional().meta({
      description: 'Passed to the task as TRACE_ID. Defaults to requestId, else the SQS message id.',
    }),
    parameters: z
      .union([z.record(z.string(), z.unknown()), z.string()])
      .optional()
      .meta({ description: 'Passed to the task as BATCH_PARAMETERS (objects as JSON text).' }),
  })
  .meta({
    title: 'BatchRequested detail (contract v1)',
    description: 'The detail of a BatchRequested event put on the batch-requests bus by the monolith.',
  });

export type BatchRequestedDetail = z.output<typeof batchRequestedDetailSchema>;

/**
 * The SQS message body the routing rules' input transformer writes: the event's
 * detail and nothing that changes between two PutEvents of the same request
 * (no event `id`, no `time`), so FIFO content-based deduplication collapses retries.
 */
export const queuedRequestSchema = z.strictObject({
  version: z.literal(CONTRACT_VERSION),
  detail: z.unknown(),
});

/**
 * The JSON Schema of a whole `BatchRequested` event (draft-04: the dialect the
 * EventBridge schema registry accepts), for the monolith's developers and the registry.
 */
export function batchRequestedJsonSchema(): Record<string, unknown> {
  const { $schema: _dialect, ...detail } = z.toJSONSchema(batchRequestedDetailSchema, { target: 'draft-4' });
  return {
    $schema: 'http://json-schema.org/draft-04/schema#',
    title: 'BatchRequested event (contract v1)',
    description:
      'Put on the batch-requests bus with PutEvents; EventBridge fills id, time, account and region.',
    type: 'object',
    required: ['source', 'detail-type', 'detail'],
    properties: {
      source: { type: 'string', description: "The monolith's event source from the stage config." },
      'detail-type': { type: 'string', enum: [DETAIL_TYPE] },
      detail,
    },
  };
}
