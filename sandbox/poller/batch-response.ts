import type { SQSRecord } from 'aws-lambda';

/** What a function's answer means for the messages of its batch. */
export type BatchVerdict =
  /** Delete every record except the failed ones (which reappear after their visibility timeout). */
  | { readonly kind: 'partial'; readonly failedMessageIds: readonly string[] }
  /** Delete nothing: the whole batch is retried. */
  | { readonly kind: 'batchFailed'; readonly reason: string };

/**
 * Reads a function's answer the way Lambda's SQS event source mapping does with
 * `ReportBatchItemFailures` (Lambda developer guide, "Handling errors for an SQS event source"):
 * an empty or null answer, or an empty or null `batchItemFailures`, is a complete success; an
 * answer that is not an object, or an item whose `itemIdentifier` is missing, empty, or not the
 * id of a record of the batch, fails the whole batch.
 */
export function batchVerdict(records: readonly SQSRecord[], answer: unknown): BatchVerdict {
  if (answer === undefined || answer === null) return { kind: 'partial', failedMessageIds: [] };
  if (typeof answer !== 'object' || Array.isArray(answer)) {
    return { kind: 'batchFailed', reason: 'the function answered something other than a JSON object' };
  }
  const failures = (answer as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'partial', failedMessageIds: [] };
  if (!Array.isArray(failures)) {
    return { kind: 'batchFailed', reason: 'batchItemFailures is not a list' };
  }
  const ids = new Set(records.map((record) => record.messageId));
  const failed: string[] = [];
  for (const failure of failures) {
    const identifier = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof identifier !== 'string' || identifier === '' || !ids.has(identifier)) {
      return {
        kind: 'batchFailed',
        reason: `batchItemFailures names ${JSON.stringify(identifier)}, which is not a message of the batch`,
      };
    }
    failed.push(identifier);
  }
  return { kind: 'partial', failedMessageIds: [...new Set(failed)] };
}
