import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

/** An event as EventBridge delivers it to rules and targets. */
export interface BusEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  /** ISO 8601, seconds precision, like every EventBridge envelope time. */
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
}

/** PutEvents' per-entry error codes the sandbox answers (PutEventsResultEntry). */
export const EntryErrorCode = {
  InvalidArgument: 'InvalidArgument',
  MalformedDetail: 'MalformedDetail',
  NotAuthorizedForSource: 'NotAuthorizedForSourceException',
  ResourceNotFound: 'ResourceNotFoundException',
} as const;
export type EntryErrorCode = (typeof EntryErrorCode)[keyof typeof EntryErrorCode];

/** PutEvents takes 1 to 10 entries per call. */
export const MAX_ENTRIES_PER_CALL = 10;
/** PutEvents' limit on the total size of a call's entries (EventBridge user guide, "PutEvents"). */
export const MAX_CALL_SIZE_BYTES = 256 * 1024;

export type EntryOutcome =
  | { readonly accepted: true; readonly event: BusEvent }
  | { readonly accepted: false; readonly errorCode: EntryErrorCode; readonly errorMessage: string };

export interface EventEnvelope {
  readonly id: string;
  readonly region: string;
  readonly accountId: string;
  /** When the bus received the entry: the event's time unless the entry sets `Time`. */
  readonly receivedAt: Date;
}

const required = (field: 'Source' | 'DetailType' | 'Detail'): EntryOutcome => ({
  accepted: false,
  errorCode: EntryErrorCode.InvalidArgument,
  errorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
});

/**
 * Turns one PutEvents entry into the event rules see, or the error EventBridge answers for that
 * entry: a missing Source, DetailType or Detail is `InvalidArgument`; a Detail that is not a JSON
 * object is `MalformedDetail`; a source in the `aws.` namespace belongs to AWS services
 * (`NotAuthorizedForSourceException`).
 */
export function eventFromEntry(entry: PutEventsRequestEntry, envelope: EventEnvelope): EntryOutcome {
  if (!entry.Source) return required('Source');
  if (!entry.DetailType) return required('DetailType');
  if (!entry.Detail) return required('Detail');
  const detail = parseDetail(entry.Detail);
  if (detail === undefined) {
    return {
      accepted: false,
      errorCode: EntryErrorCode.MalformedDetail,
      errorMessage: 'Detail is malformed.',
    };
  }
  if (entry.Source.startsWith('aws.')) {
    return {
      accepted: false,
      errorCode: EntryErrorCode.NotAuthorizedForSource,
      errorMessage: `Not authorized for the source "${entry.Source}": the aws. namespace belongs to AWS services.`,
    };
  }
  return {
    accepted: true,
    event: {
      version: '0',
      id: envelope.id,
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: envelope.accountId,
      time: eventTime(entry.Time ?? envelope.receivedAt),
      region: envelope.region,
      resources: [...(entry.Resources ?? [])],
      detail,
    },
  };
}

/**
 * An entry's size as EventBridge counts it against the 256 KB call limit: 14 bytes for `Time`
 * and the UTF-8 bytes of Source, DetailType, Detail and each resource.
 */
export function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (text: string | undefined) => (text === undefined ? 0 : Buffer.byteLength(text, 'utf8'));
  return (
    (entry.Time === undefined ? 0 : 14) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, resource) => sum + bytes(resource), 0)
  );
}

/** `2026-01-31T12:00:00Z`: EventBridge drops the milliseconds. */
export function eventTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function parseDetail(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
