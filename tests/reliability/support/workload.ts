import { ErrorCode } from '../../../src/launcher/errors.js';
import type { RequestToPut } from './request-publisher.js';

/** Malformed requests of the mix, each with the errorCode the launcher must dead-letter it with. */
export const MALFORMED_KINDS = {
  /** A typo'd field (`parameter`): routed to its batch type's group, refused by the contract. */
  unknownField: ErrorCode.SchemaViolation,
  /** No `batchTypeId`: routed to `unrouted` by the catch-all rule, refused by the contract. */
  missingBatchTypeId: ErrorCode.SchemaViolation,
  /** A `batchTypeId` the catalog does not have: `unrouted`, refused by the catalog. */
  unknownType: ErrorCode.UnknownBatchType,
  /** Parameters that make RunTask's overrides exceed 8,192 characters. */
  oversizeParameters: ErrorCode.OverridesTooLarge,
} as const;
export type MalformedKind = keyof typeof MALFORMED_KINDS;

export interface ValidRequest {
  readonly requestId: string;
  readonly detail: { readonly batchTypeId: number; readonly requestId: string; readonly parameters: object };
}

export interface MalformedRequest {
  readonly requestId: string;
  readonly kind: MalformedKind;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface Workload {
  /** Unique valid requests: each must end with exactly one task. */
  readonly valid: readonly ValidRequest[];
  readonly malformed: readonly MalformedRequest[];
  /** What the monolith puts, in order: valid, malformed, and duplicates re-published within the dedup window. */
  readonly published: readonly RequestToPut[];
  /** Duplicates re-published within the window (same detail, so the same queued body). */
  readonly duplicatesWithinWindow: number;
  /** Duplicates to send after the dedup window: straight to the queue, with a fresh deduplication id. */
  readonly duplicatesAfterWindow: readonly ValidRequest[];
}

export interface WorkloadOptions {
  /** Events in all: PutEvents entries plus duplicates sent after the window. */
  readonly events: number;
  /** @default 0.10 */
  readonly duplicateShare?: number;
  /** @default 0.05 */
  readonly malformedShare?: number;
  /** Seed of the shuffling, so a failing run can be replayed. */
  readonly seed: number;
  /** Prefix of every requestId, unique per run. */
  readonly prefix: string;
}

/** Parameters big enough that the overrides exceed 8,192 characters, small enough for PutEvents. */
const OVERSIZE_PARAMETERS_LENGTH = 9_000;

/**
 * The reliability mix: `duplicateShare` of the events repeat an earlier valid request (same
 * requestId and detail; half re-published within the dedup window, half after it), and
 * `malformedShare` are malformed, the four kinds in turn; the rest are unique valid requests
 * spread over the catalog's two batch types. Duplicates are published after their original.
 */
export function buildWorkload(options: WorkloadOptions): Workload {
  const random = mulberry32(options.seed);
  const duplicates = Math.round(options.events * (options.duplicateShare ?? 0.1));
  const malformedCount = Math.round(options.events * (options.malformedShare ?? 0.05));
  const validCount = options.events - duplicates - malformedCount;
  const kinds = Object.keys(MALFORMED_KINDS) as MalformedKind[];

  const valid: ValidRequest[] = Array.from({ length: validCount }, (_, index) => {
    const requestId = `${options.prefix}-v${index}`;
    return { requestId, detail: { batchTypeId: 1 + (index % 2), requestId, parameters: { index } } };
  });
  const malformed: MalformedRequest[] = Array.from({ length: malformedCount }, (_, index) => {
    const kind = kinds[index % kinds.length] as MalformedKind;
    const requestId = `${options.prefix}-m${index}-${kind}`;
    return { requestId, kind, detail: malformedDetail(kind, requestId) };
  });

  // Originals in a shuffled order; each duplicate goes somewhere after its original.
  const published: RequestToPut[] = shuffle([...valid, ...malformed], random).map(({ detail }) => ({
    detail,
  }));
  const withinWindow = Math.ceil(duplicates / 2);
  for (let index = 0; index < withinWindow; index += 1) {
    const original = valid[Math.floor(random() * valid.length)] as ValidRequest;
    const position = published.findIndex((request) => request.detail === original.detail);
    const at = position + 1 + Math.floor(random() * (published.length - position));
    published.splice(at, 0, { detail: original.detail });
  }
  // Late duplicates repeat requests published early: by the time they are sent, most of their
  // originals have been launched, as a monolith's retry hours later would find them.
  const byDetail = new Map<unknown, ValidRequest>(valid.map((request) => [request.detail, request]));
  const early = published.slice(0, Math.max(1, Math.floor(published.length * 0.4))).flatMap(({ detail }) => {
    const request = byDetail.get(detail);
    return request === undefined ? [] : [request];
  });
  const afterWindow = Array.from(
    { length: duplicates - withinWindow },
    () => early[Math.floor(random() * early.length)] as ValidRequest,
  );
  return {
    valid,
    malformed,
    published,
    duplicatesWithinWindow: withinWindow,
    duplicatesAfterWindow: afterWindow,
  };
}

function malformedDetail(kind: MalformedKind, requestId: string): Record<string, unknown> {
  switch (kind) {
    case 'unknownField':
      return { batchTypeId: 1, requestId, parameter: { day: '2026-12-04' } };
    case 'missingBatchTypeId':
      return { requestId, parameters: { day: '2026-12-04' } };
    case 'unknownType':
      return { batchTypeId: 99, requestId };
    case 'oversizeParameters':
      return { batchTypeId: 2, requestId, parameters: { blob: 'x'.repeat(OVERSIZE_PARAMETERS_LENGTH) } };
  }
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let index = items.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [items[index], items[other]] = [items[other] as T, items[index] as T];
  }
  return items;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same workload. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
