import { RunTaskCommand } from '@aws-sdk/client-ecs';
import { jest } from '@jest/globals';
import { buildLauncher, startIdempotencyStore } from '../helpers/launch-batch-fixture.js';
import { lambdaContext, queuedBody, sqsEvent, sqsRecord } from '../helpers/sqs-records.js';

let store: Awaited<ReturnType<typeof startIdempotencyStore>>;
beforeAll(async () => {
  store = await startIdempotencyStore();
});
afterAll(async () => {
  await store.stop();
});

/** The structured JSON lines the Powertools Logger writes while `act` runs. */
async function logLines(act: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  };
  // Powertools writes INFO to stdout, WARN and ERROR to stderr.
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(capture),
    jest.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  try {
    await act();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return written
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.startsWith('{') && line.includes('"level"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('launch-batch logging', () => {
  it('puts messageId, requestId, traceId and batchTypeId on every line about a record', async () => {
    // Arrange: one launch, one throttled retry, one rejection.
    const launcher = buildLauncher(store, { logLevel: 'INFO' });
    launcher.ecs
      .on(RunTaskCommand, { startedBy: 'batch-launcher/log-throttled' })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const records = [
      sqsRecord({
        body: queuedBody({ batchTypeId: 1, requestId: `log-ok-${Date.now()}`, traceId: 't-1' }),
        group: 'batch-1',
      }),
      sqsRecord({ body: queuedBody({ batchTypeId: 2, requestId: 'log-throttled' }), group: 'batch-2' }),
      sqsRecord({ body: queuedBody({ batchTypeId: 7, requestId: 'log-unknown' }), group: 'unrouted' }),
    ];

    // Act
    const lines = await logLines(() => launcher.handler(sqsEvent(records), lambdaContext()));

    // Assert
    const aboutRecords = lines.filter((line) => line.messageId !== undefined);
    expect(aboutRecords.map((line) => line.message)).toEqual(
      expect.arrayContaining([
        'launched',
        'transient failure: will be retried',
        'rejected: moved to the DLQ',
      ]),
    );
    for (const line of aboutRecords) {
      if (line.message === 'rejected: moved to the DLQ') {
        // Parsing failed (unknown type): only the message id is known for sure.
        expect(line).toMatchObject({ messageId: records[2]?.messageId, errorCode: 'UnknownBatchType' });
        continue;
      }
      expect(line).toEqual(
        expect.objectContaining({
          messageId: expect.any(String),
          requestId: expect.any(String),
          traceId: expect.any(String),
          batchTypeId: expect.any(Number),
          service: 'launch-batch',
          function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
        }),
      );
    }
    expect(
      lines.filter((line) => line.level === 'WARN' || line.level === 'INFO').length,
    ).toBeGreaterThanOrEqual(3);
  });
});
