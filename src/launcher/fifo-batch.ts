import { GroupShortCircuitError } from './errors.js';

/**
 * Schedules one SQS FIFO batch (DESIGN "FIFO partial batch responses"):
 * message groups run concurrently, the records of a group one after another in
 * record order; after the first failure in a group every later record of that
 * group is reported failed without being processed (AWS's rule for FIFO partial
 * batch responses). Records of other groups are unaffected.
 *
 * Returns exactly one settled result per record, in record order, which is what
 * `@middy/sqs-partial-batch-failure` v6 requires (a shorter array fails them all).
 */
export async function processFifoBatch<R, T>(
  records: readonly R[],
  identify: (record: R) => { groupId: string; messageId: string },
  processRecord: (record: R) => Promise<T>,
): Promise<PromiseSettledResult<T>[]> {
  const results = new Array<PromiseSettledResult<T>>(records.length);
  const groups = new Map<string, number[]>();
  records.forEach((record, index) => {
    const { groupId } = identify(record);
    const members = groups.get(groupId);
    if (members === undefined) groups.set(groupId, [index]);
    else members.push(index);
  });

  await Promise.all(
    [...groups.entries()].map(async ([groupId, indexes]) => {
      let failedMessageId: string | undefined;
      for (const index of indexes) {
        const record = records[index] as R;
        if (failedMessageId !== undefined) {
          results[index] = {
            status: 'rejected',
            reason: new GroupShortCircuitError(groupId, failedMessageId),
          };
          continue;
        }
        try {
          results[index] = { status: 'fulfilled', value: await processRecord(record) };
        } catch (reason) {
          results[index] = { status: 'rejected', reason };
          failedMessageId = identify(record).messageId;
        }
      }
    }),
  );
  return results;
}
