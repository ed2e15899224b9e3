import { RunTaskCommand } from '@aws-sdk/client-ecs';
import fc from 'fast-check';
import { buildLauncher, startIdempotencyStore, taskArnFor } from '../helpers/launch-batch-fixture.js';
import { lambdaContext, queuedBody, sqsEvent, sqsRecord } from '../helpers/sqs-records.js';

let store: Awaited<ReturnType<typeof startIdempotencyStore>>;
beforeAll(async () => {
  store = await startIdempotencyStore();
});
afterAll(async () => {
  await store.stop();
});

const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
let run = 0;

describe('launch-batch handler (property)', () => {
  it('never launches a record after a failed record of its group and reports exactly the failed and skipped ones', async () => {
    const batch = fc.array(
      fc.record({
        type: fc.constantFrom(1, 2),
        outcome: fc.constantFrom('ok', 'ok', 'ok', 'throttled', 'invalid'),
      }),
      { minLength: 1, maxLength: 10 },
    );
    await fc.assert(
      fc.asyncProperty(batch, async (items) => {
        // Arrange
        run += 1;
        const launcher = buildLauncher(store);
        const throttledTokens = new Set<string>();
        const records = items.map((item, i) => {
          const requestId = `prop-${run}-${i}`;
          const detail =
            item.outcome === 'invalid'
              ? { batchTypeId: item.type, requestId, unexpected: true }
              : { batchTypeId: item.type, requestId };
          return {
            item,
            requestId,
            record: sqsRecord({ body: queuedBody(detail), group: `batch-${item.type}` }),
          };
        });
        launcher.ecs.on(RunTaskCommand).callsFake(async (input) => {
          if (throttledTokens.has(input.startedBy)) throw throttled();
          return { tasks: [{ taskArn: taskArnFor(input) }] };
        });
        for (const r of records)
          if (r.item.outcome === 'throttled') throttledTokens.add(`batch-launcher/${r.requestId}`);

        // Act
        const response = await launcher.handler(sqsEvent(records.map((r) => r.record)), lambdaContext());

        // Assert: the model of AWS's FIFO rule.
        const expectedFailures: string[] = [];
        const expectedLaunches: string[] = [];
        const blocked = new Set<number>();
        for (const { item, requestId, record } of records) {
          if (blocked.has(item.type)) {
            expectedFailures.push(record.messageId);
            continue;
          }
          if (item.outcome === 'invalid') continue; // to the DLQ, acknowledged
          expectedLaunches.push(`batch-launcher/${requestId}`);
          if (item.outcome === 'throttled') {
            blocked.add(item.type);
            expectedFailures.push(record.messageId);
          }
        }
        expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(expectedFailures);
        const launched = launcher.ecs.commandCalls(RunTaskCommand).map((c) => c.args[0].input.startedBy);
        expect([...launched].sort()).toEqual([...expectedLaunches].sort());
      }),
      { numRuns: 60 },
    );
  });
});
