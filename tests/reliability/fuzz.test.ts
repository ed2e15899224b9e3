import { RunTaskCommand, type RunTaskCommandInput } from '@aws-sdk/client-ecs';
import {
  ChangeMessageVisibilityCommand,
  SendMessageCommand,
  type SendMessageCommandInput,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { SQSRecord } from 'aws-lambda';
import fc from 'fast-check';
import { REQUEST_ID_PATTERN, TRACE_ID_PATTERN } from '../../src/contract/batch-requested.js';
import { indexCatalog } from '../../src/launcher/catalog-index.js';
import { ErrorCode, PermanentLaunchError } from '../../src/launcher/errors.js';
import { parseLaunchRequest } from '../../src/launcher/launch-request.js';
import { buildLauncher, LOCAL, startIdempotencyStore, taskArnFor } from '../helpers/launch-batch-fixture.js';
import { lambdaContext, sqsEvent, sqsRecord } from '../helpers/sqs-records.js';

/**
 * Fuzzing of the launcher's edge: random message bodies through the parser (checked against an
 * independent reading of contract v1), and random FIFO batches through the real launch-batch
 * pipeline (middy, Powertools idempotency on dynalite, ECS and SQS mocked at the client with
 * random faults), checking that every record ends in exactly one class and FIFO order holds.
 */
// Hundreds of batches against a real (emulated) DynamoDB.
jest.setTimeout(180_000);

const CATALOG = indexCatalog(LOCAL.catalog);
const KNOWN_BATCH_TYPES = new Set(LOCAL.catalog.map((type) => type.batchTypeId));
const DETAIL_KEYS = ['batchTypeId', 'requestId', 'traceId', 'parameters'];

// ---------------------------------------------------------------------------------------------
// Bodies: arbitrary strings, arbitrary JSON, and near-valid envelopes with mutated details.

const unknownField = fc.tuple(
  fc.constantFrom('parameter', 'requestID', 'batchType', 'extra', '__proto__', 'constructor', 'toString'),
  fc.jsonValue({ maxDepth: 1 }),
);

/** `arbitrary` once in `n` draws, else null (`fc.option`'s `freq` is the other way round). */
function onceIn<T>(n: number, arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: n - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary });
}

/** Adds a field (and/or drops one): the mutations of a near-valid object. */
function mutated<T extends object>(value: T, field: [string, unknown] | null, drop: string | null = null): T {
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  if (drop !== null) delete copy[drop];
  if (field === null) return copy as T;
  // defineProperty: a plain assignment of "__proto__" would set the prototype, not a field.
  return Object.defineProperty(copy, field[0], { value: field[1], enumerable: true }) as T;
}

const detailArb = fc
  .tuple(
    fc.record(
      {
        batchTypeId: fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom(1, 2) },
          { weight: 1, arbitrary: fc.constantFrom(0, -1, 3, 99, 1.5, Number.MAX_SAFE_INTEGER, 2 ** 53) },
          { weight: 1, arbitrary: fc.integer({ min: 3, max: 10_000 }) },
          {
            weight: 1,
            arbitrary: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null), fc.boolean()),
          },
        ),
        requestId: fc.oneof(
          { weight: 6, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/) },
          {
            weight: 1,
            arbitrary: fc.oneof(
              fc.string({ maxLength: 80 }),
              fc.constantFrom('', 'x'.repeat(65), 'a b', 'é'),
              fc.integer(),
              fc.constant(null),
            ),
          },
        ),
        traceId: fc.oneof(
          { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 128 }) },
          {
            weight: 1,
            arbitrary: fc.oneof(
              fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
              fc.string({ minLength: 129, maxLength: 140 }),
              fc.constant(''),
              fc.integer(),
            ),
          },
        ),
        parameters: fc.oneof(
          { weight: 3, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })) },
          { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
          {
            weight: 1,
            arbitrary: fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.array(fc.integer(), { maxLength: 3 })),
          },
        ),
      },
      { requiredKeys: ['batchTypeId'] },
    ),
    onceIn(6, unknownField),
    onceIn(12, fc.constant('batchTypeId')),
  )
  .map(([detail, field, drop]) => mutated(detail, field, drop));

const envelopeArb = fc
  .tuple(
    fc.record({
      version: fc.oneof(
        { weight: 8, arbitrary: fc.constant(1) },
        { weight: 1, arbitrary: fc.constantFrom(2, 0, '1', null, 1.5) },
      ),
      detail: fc.oneof(
        { weight: 8, arbitrary: detailArb },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
      ),
    }),
    onceIn(10, unknownField),
    onceIn(10, fc.constantFrom('version', 'detail')),
  )
  .map(([envelope, field, drop]) => JSON.stringify(mutated(envelope, field, drop)));

const bodyArb = fc.oneof(
  { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 100 }) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 8, arbitrary: envelopeArb },
  {
    weight: 1,
    arbitrary: envelopeArb.chain((text) => fc.nat({ max: text.length }).map((end) => text.slice(0, end))),
  },
);

// ---------------------------------------------------------------------------------------------
// The contract, read independently of zod: what the parser must answer for a body.

type Expected =
  | {
      readonly kind: 'parsed';
      readonly batchTypeId: number;
      readonly requestKey: string;
      readonly hasRequestId: boolean;
      readonly traceId: string;
      readonly parameters: string | undefined;
    }
  | { readonly kind: 'rejected'; readonly code: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function expectedParse(body: string, messageId: string): Expected {
  const schemaViolation = { kind: 'rejected', code: ErrorCode.SchemaViolation } as const;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { kind: 'rejected', code: ErrorCode.InvalidJson };
  }
  if (!isObject(json) || Object.keys(json).some((key) => key !== 'version' && key !== 'detail')) {
    return schemaViolation;
  }
  const detail = json.detail;
  if (
    json.version !== 1 ||
    !isObject(detail) ||
    Object.keys(detail).some((key) => !DETAIL_KEYS.includes(key))
  ) {
    return schemaViolation;
  }
  const { batchTypeId, requestId, traceId, parameters } = detail;
  const has = (key: string) => Object.hasOwn(detail, key);
  if (
    !Number.isSafeInteger(batchTypeId) ||
    (batchTypeId as number) < 1 ||
    (has('requestId') && !(typeof requestId === 'string' && REQUEST_ID_PATTERN.test(requestId))) ||
    (has('traceId') && !(typeof traceId === 'string' && TRACE_ID_PATTERN.test(traceId))) ||
    (has('parameters') && !(typeof parameters === 'string' || isObject(parameters)))
  ) {
    return schemaViolation;
  }
  if (!KNOWN_BATCH_TYPES.has(batchTypeId as number)) {
    return { kind: 'rejected', code: ErrorCode.UnknownBatchType };
  }
  const requestKey = has('requestId') ? (requestId as string) : messageId;
  return {
    kind: 'parsed',
    batchTypeId: batchTypeId as number,
    requestKey,
    hasRequestId: has('requestId'),
    traceId: has('traceId') ? (traceId as string) : requestKey,
    parameters: !has('parameters')
      ? undefined
      : typeof parameters === 'string'
        ? parameters
        : JSON.stringify(parameters),
  };
}

function actualParse(body: string, messageId: string): Expected {
  try {
    const request = parseLaunchRequest(body, messageId, CATALOG);
    return {
      kind: 'parsed',
      batchTypeId: request.batchType.batchTypeId,
      requestKey: request.requestKey,
      hasRequestId: request.hasRequestId,
      traceId: request.traceId,
      parameters: request.parameters,
    };
  } catch (error) {
    // Anything else than a classified permanent error escapes and fails the property.
    if (!(error instanceof PermanentLaunchError) || error.message.length === 0) throw error;
    return { kind: 'rejected', code: error.code };
  }
}

describe('parseLaunchRequest (fuzz)', () => {
  it('answers what contract v1 says for 12,000 random bodies, and throws nothing but PermanentLaunchError', () => {
    // Arrange
    const seen = new Map<string, number>();

    // Act + Assert
    fc.assert(
      fc.property(bodyArb, fc.uuid(), (body, messageId) => {
        const expected = expectedParse(body, messageId);
        const outcome = expected.kind === 'parsed' ? 'parsed' : expected.code;
        seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
        expect(actualParse(body, messageId)).toEqual(expected);
      }),
      { numRuns: 12_000 },
    );

    // The generator reached every outcome, each often enough to mean something.
    for (const outcome of [
      'parsed',
      ErrorCode.InvalidJson,
      ErrorCode.SchemaViolation,
      ErrorCode.UnknownBatchType,
    ]) {
      expect({ outcome, enough: (seen.get(outcome) ?? 0) > 300 }).toEqual({ outcome, enough: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Random FIFO batches through the real handler pipeline.

const EcsOutcome = {
  Ok: 'ok',
  Throttled: 'throttled',
  Unplaced: 'unplaced',
  InvalidParameter: 'invalidParameter',
  ServerError: 'serverError',
} as const;
type EcsOutcome = (typeof EcsOutcome)[keyof typeof EcsOutcome];

/**
 * A record's body, given the run number: valid request ids are shared by ten consecutive runs,
 * so later batches meet requests already launched (duplicates, or reused with other parameters).
 */
type BodyOf = (run: number) => string;

const handlerBodyArb: fc.Arbitrary<BodyOf> = fc.oneof(
  {
    // Valid requests from a small pool of ids, so a batch repeats some: duplicates, in progress,
    // or the same requestId with other parameters.
    weight: 6,
    arbitrary: fc
      .record({
        batchTypeId: fc.constantFrom(1, 2),
        slot: fc.nat({ max: 6 }),
        withRequestId: fc.constantFrom(true, true, true, false),
        parameters: fc.option(
          fc.oneof(
            { weight: 4, arbitrary: fc.constantFrom({ day: '2026-12-04' }, { day: '2026-12-05' }, 'ref-1') },
            { weight: 1, arbitrary: fc.constant({ blob: 'x'.repeat(9_000) }) },
          ),
          { freq: 3 },
        ),
      })
      .map((spec) => (run: number) => {
        const detail: Record<string, unknown> = { batchTypeId: spec.batchTypeId };
        if (spec.withRequestId) detail.requestId = `fz${Math.floor(run / 10)}-${spec.slot}`;
        if (spec.parameters !== null) detail.parameters = spec.parameters;
        return JSON.stringify({ version: 1, detail });
      }),
  },
  { weight: 3, arbitrary: envelopeArb.map((text) => () => text) },
  { weight: 1, arbitrary: bodyArb.map((text) => () => text) },
);

const recordSpecArb = fc.record({
  body: handlerBodyArb,
  group: fc.constantFrom('batch-1', 'batch-2', 'unrouted'),
  ecs: fc.constantFrom<EcsOutcome>(
    EcsOutcome.Ok,
    EcsOutcome.Ok,
    EcsOutcome.Ok,
    EcsOutcome.Ok,
    EcsOutcome.Ok,
    EcsOutcome.Throttled,
    EcsOutcome.Unplaced,
    EcsOutcome.InvalidParameter,
    EcsOutcome.ServerError,
  ),
  dlqFails: fc.constantFrom(false, false, false, false, false, false, false, false, false, true),
  receiveCount: fc.integer({ min: 1, max: 3 }),
});

const PERMANENT_AFTER_PARSING = new Set<string>([
  ErrorCode.OverridesTooLarge,
  ErrorCode.RequestIdReused,
  'InvalidParameterException',
]);

function ecsError(name: string, fault: 'client' | 'server'): Error {
  return Object.assign(new Error(`${name} (fuzz)`), { name, $fault: fault, $metadata: {} });
}

describe('launch-batch handler (fuzz)', () => {
  let store: Awaited<ReturnType<typeof startIdempotencyStore>>;
  beforeAll(async () => {
    store = await startIdempotencyStore();
  });
  afterAll(async () => {
    await store?.stop();
  });

  it('classifies every record of 1,000+ random records exactly once, in FIFO order, without throwing', async () => {
    // Arrange
    const counts = new Map<string, number>();
    const count = (name: string) => counts.set(name, (counts.get(name) ?? 0) + 1);
    /** Idempotency keys launched so far, across batches: a duplicate must name one of them. */
    const launchedKeys = new Set<string>();
    let run = 0;
    let records = 0;

    // Act + Assert
    await fc.assert(
      fc.asyncProperty(fc.array(recordSpecArb, { minLength: 1, maxLength: 10 }), async (specs) => {
        run += 1;
        const launcher = buildLauncher(store);
        const batch = specs.map((spec) => {
          const record = sqsRecord({
            body: spec.body(run),
            group: spec.group,
            receiveCount: spec.receiveCount,
          });
          return { spec, record, expected: expectedParse(record.body, record.messageId) };
        });
        records += batch.length;
        const ecsOutcomes = new Map<string, EcsOutcome>();
        for (const { spec, expected } of batch) {
          if (expected.kind === 'parsed' && !ecsOutcomes.has(expected.requestKey)) {
            ecsOutcomes.set(expected.requestKey, spec.ecs);
          }
        }
        const dlqFails = new Set(
          batch.filter(({ spec }) => spec.dlqFails).map(({ record }) => record.messageId),
        );
        launcher.ecs.on(RunTaskCommand).callsFake(async (input: RunTaskCommandInput) => {
          const key = (input.startedBy ?? '').slice('batch-launcher/'.length);
          switch (ecsOutcomes.get(key) ?? EcsOutcome.Ok) {
            case EcsOutcome.Throttled:
              throw ecsError('ThrottlingException', 'client');
            case EcsOutcome.Unplaced:
              return { tasks: [], failures: [{ reason: 'RESOURCE:MEMORY' }] };
            case EcsOutcome.InvalidParameter:
              throw ecsError('InvalidParameterException', 'client');
            case EcsOutcome.ServerError:
              throw ecsError('ServerException', 'server');
            default:
              return { tasks: [{ taskArn: taskArnFor(input) }], failures: [] };
          }
        });
        launcher.sqs.on(SendMessageCommand).callsFake(async (input: SendMessageCommandInput) => {
          if (dlqFails.has(input.MessageDeduplicationId ?? ''))
            throw ecsError('ServiceUnavailable', 'server');
          return { MessageId: `dlq-${input.MessageDeduplicationId}` };
        });

        const response = await launcher.handler(sqsEvent(batch.map(({ record }) => record)), lambdaContext());

        const ids = batch.map(({ record }) => record.messageId);
        const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
        expect(response.batchItemFailures).toHaveLength(failed.size);
        expect([...failed].filter((id) => !ids.includes(id))).toEqual([]);
        const launched = new Map(
          launcher.lifecycle.calls
            .filter((call) => call.kind === 'launched')
            .map((call) => [call.entry.messageId as string, call.entry]),
        );
        for (const entry of launched.values()) launchedKeys.add(`${entry.batchTypeId}:${entry.requestId}`);
        const rejected = new Map(
          launcher.lifecycle.calls
            .filter((call) => call.kind === 'rejected')
            .map((call) => [call.entry.messageId as string, call.entry.errorCode as string]),
        );
        const dlqSends = new Map(
          launcher.sqs
            .commandCalls(SendMessageCommand)
            .map((call) => [
              call.args[0].input.MessageDeduplicationId ?? '',
              call.args[0].input.MessageAttributes?.errorCode?.StringValue,
            ]),
        );
        const deferred = new Set(
          launcher.sqs
            .commandCalls(ChangeMessageVisibilityCommand)
            .map((call) => call.args[0].input.ReceiptHandle ?? ''),
        );

        const groupFailed = new Set<string>();
        for (const { record, expected } of batch) {
          const group = record.attributes.MessageGroupId as string;
          const id = record.messageId;
          const classes = classify(
            record,
            { failed, launched, rejected, dlqSends, deferred, launchedKeys },
            expected,
          );
          expect({ id, body: record.body, classes }).toEqual({
            id,
            body: record.body,
            classes: [expect.any(String)],
          });
          const [klass] = classes as [string];
          count(klass);
          if (groupFailed.has(group)) {
            // AWS's FIFO rule: after a failure, the rest of the group is reported failed, untouched.
            expect({ id, klass }).toEqual({ id, klass: 'skipped' });
          } else {
            expect({ id, klass }).not.toEqual({ id, klass: 'skipped' });
          }
          if (failed.has(id)) groupFailed.add(group);
          if (klass === 'rejected') {
            const code = rejected.get(id) as string;
            // Parsing decides first; after it, only the permanent RunTask-side refusals.
            const allowed = expected.kind === 'rejected' ? [expected.code] : [...PERMANENT_AFTER_PARSING];
            expect({ id, code, allowed: allowed.includes(code) }).toEqual({ id, code, allowed: true });
          }
        }
      }),
      { numRuns: 220 },
    );

    // Assert: enough records, and every class reached.
    expect(records).toBeGreaterThanOrEqual(1_000);
    for (const klass of ['launched', 'duplicate', 'rejected', 'retried', 'skipped']) {
      expect({ klass, seen: (counts.get(klass) ?? 0) > 0 }).toEqual({ klass, seen: true });
    }
  });
});

interface Observed {
  readonly failed: ReadonlySet<string>;
  readonly launched: ReadonlyMap<string, unknown>;
  readonly rejected: ReadonlyMap<string, string>;
  readonly dlqSends: ReadonlyMap<string, string | undefined>;
  readonly deferred: ReadonlySet<string>;
  readonly launchedKeys: ReadonlySet<string>;
}

/**
 * Every class the record's side effects fit; the property wants exactly one.
 * - launched: recorded as launched, nothing sent to the DLQ, acknowledged;
 * - rejected: in the DLQ with an errorCode (the same one the lifecycle recorded), acknowledged;
 * - duplicate: no side effect, acknowledged, its key launched (in this batch or before);
 * - retried: reported failed after a transient error, its redelivery deferred (visibility backoff);
 * - skipped: reported failed without being touched (an earlier record of its group failed).
 */
function classify(record: SQSRecord, observed: Observed, expected: Expected): string[] {
  const id = record.messageId;
  const isLaunched = observed.launched.has(id);
  const isRejected = observed.rejected.has(id);
  const sentToDlq = observed.dlqSends.has(id);
  const isDeferred = observed.deferred.has(record.receiptHandle);
  const untouched = !isLaunched && !isRejected && !sentToDlq && !isDeferred;
  const classes: string[] = [];
  if (observed.failed.has(id)) {
    if (isDeferred && !isLaunched && !isRejected) classes.push('retried');
    if (untouched) classes.push('skipped');
    return classes;
  }
  if (isLaunched && !isRejected && !sentToDlq && !isDeferred) classes.push('launched');
  if (
    isRejected &&
    !isLaunched &&
    !isDeferred &&
    observed.dlqSends.get(id) !== undefined &&
    observed.dlqSends.get(id) === observed.rejected.get(id)
  ) {
    classes.push('rejected');
  }
  if (
    untouched &&
    expected.kind === 'parsed' &&
    observed.launchedKeys.has(`${expected.batchTypeId}:${expected.requestKey}`)
  ) {
    classes.push('duplicate');
  }
  return classes;
}
