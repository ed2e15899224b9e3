import fc from 'fast-check';
import { GroupShortCircuitError } from '../../src/launcher/errors.js';
import { processFifoBatch } from '../../src/launcher/fifo-batch.js';

interface FakeRecord {
  readonly messageId: string;
  readonly groupId: string;
  readonly fails: boolean;
}

const identify = (r: FakeRecord) => ({ groupId: r.groupId, messageId: r.messageId });

/** Counts how many records are being processed at the same instant. */
function concurrencyProbe(delayMs: number) {
  let inFlight = 0;
  let maxInFlight = 0;
  const processRecord = async (record: FakeRecord) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    inFlight -= 1;
    return record.messageId;
  };
  return { processRecord, max: () => maxInFlight };
}

const records = (groups: string[]): FakeRecord[] =>
  groups.map((groupId, i) => ({ messageId: `m${i}`, groupId, fails: false }));

describe('processFifoBatch', () => {
  it('runs 10 records of 10 groups all at once', async () => {
    const probe = concurrencyProbe(20);
    await processFifoBatch(
      records(Array.from({ length: 10 }, (_, i) => `g${i}`)),
      identify,
      probe.processRecord,
    );
    expect(probe.max()).toBe(10);
  });

  it('runs 10 records of one group one at a time', async () => {
    const probe = concurrencyProbe(2);
    await processFifoBatch(records(Array(10).fill('g')), identify, probe.processRecord);
    expect(probe.max()).toBe(1);
  });

  it('runs as many records at once as there are groups', async () => {
    const probe = concurrencyProbe(5);
    await processFifoBatch(records(['a', 'b', 'a', 'c', 'b', 'a']), identify, probe.processRecord);
    expect(probe.max()).toBe(3);
  });

  it('returns an empty result for an empty batch', async () => {
    await expect(processFifoBatch([], identify, async () => 1)).resolves.toEqual([]);
  });

  it('never processes a record after a failed record of its group, and answers one result per record in order', async () => {
    const batch = fc
      .array(fc.record({ group: fc.integer({ min: 0, max: 4 }), fails: fc.boolean() }), {
        minLength: 0,
        maxLength: 10,
      })
      .map((items) =>
        items.map(
          (item, i): FakeRecord => ({ messageId: `m${i}`, groupId: `g${item.group}`, fails: item.fails }),
        ),
      );
    await fc.assert(
      fc.asyncProperty(
        batch,
        fc.array(fc.nat({ max: 3 }), { minLength: 10, maxLength: 10 }),
        async (recs, delays) => {
          const processed: string[] = [];
          const results = await processFifoBatch(recs, identify, async (record) => {
            processed.push(record.messageId);
            // Random completion order across groups.
            await new Promise((resolve) =>
              setTimeout(resolve, delays[Number(record.messageId.slice(1))] ?? 0),
            );
            if (record.fails) throw new Error(`fail ${record.messageId}`);
            return record.messageId;
          });

          // One result per record, in record order.
          expect(results).toHaveLength(recs.length);
          const failedGroups = new Set<string>();
          recs.forEach((record, i) => {
            const result = results[i];
            if (failedGroups.has(record.groupId)) {
              // After a failure in its group: not processed, short-circuited.
              expect(processed).not.toContain(record.messageId);
              expect(result?.status).toBe('rejected');
              expect((result as PromiseRejectedResult).reason).toBeInstanceOf(GroupShortCircuitError);
              return;
            }
            expect(processed).toContain(record.messageId);
            if (record.fails) {
              failedGroups.add(record.groupId);
              expect(result).toEqual({ status: 'rejected', reason: new Error(`fail ${record.messageId}`) });
            } else {
              expect(result).toEqual({ status: 'fulfilled', value: record.messageId });
            }
          });
          // Within a group, records were started in record order.
          for (const group of new Set(recs.map((r) => r.groupId))) {
            const order = recs.filter((r) => r.groupId === group).map((r) => r.messageId);
            const started = processed.filter((id) => order.includes(id));
            expect(started).toEqual(order.slice(0, started.length));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
