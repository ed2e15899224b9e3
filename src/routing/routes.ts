import type { BatchType, StageConfig } from '../../config/schema.js';
import { CONTRACT_VERSION, DETAIL_TYPE } from '../contract/batch-requested.js';

/**
 * Turns a stage's catalog into EventBridge routing: the CDK stack makes one rule
 * per route and the local sandbox routes with the very same objects, so the two
 * cannot drift apart.
 */

/** Message group of requests whose `batchTypeId` is unknown, missing or not a number. */
export const UNROUTED_GROUP = 'unrouted' as const;

/** An EventBridge event pattern, as JSON. */
export type EventPattern = Record<string, unknown>;

export interface Route {
  /** Stable name, used for rule ids: `batch-type-<id>` or `unrouted`. */
  readonly name: string;
  /** The batch type this route serves; absent on the catch-all. */
  readonly batchTypeId?: number;
  readonly eventPattern: EventPattern;
  /** Input transformer: what the template may read from the event. */
  readonly inputPathsMap: Readonly<Record<string, string>>;
  readonly inputTemplate: string;
  /** FIFO `MessageGroupId` of every message this route writes. */
  readonly messageGroupId: string;
}

/** FIFO message group of a batch type: requests of one type are launched in order. */
export function messageGroupIdFor(batchTypeId: number): string {
  return `batch-${batchTypeId}`;
}

/**
 * Only the event's detail reaches the queue: no `id`, no `time`, so two
 * PutEvents of one request produce byte-identical bodies and FIFO content-based
 * deduplication collapses them. The whole detail is kept (not field by field)
 * so the launcher can reject unknown fields instead of silently dropping them.
 */
const INPUT_PATHS_MAP = { detail: '$.detail' } as const;
const INPUT_TEMPLATE = `{"version":${CONTRACT_VERSION},"detail":<detail>}`;

function envelope(source: string, detail: Record<string, unknown>): EventPattern {
  return { source: [source], 'detail-type': [DETAIL_TYPE], detail };
}

function typeRoute(source: string, type: BatchType): Route {
  return {
    name: `batch-type-${type.batchTypeId}`,
    batchTypeId: type.batchTypeId,
    eventPattern: envelope(source, { batchTypeId: [type.batchTypeId] }),
    inputPathsMap: INPUT_PATHS_MAP,
    inputTemplate: INPUT_TEMPLATE,
    messageGroupId: messageGroupIdFor(type.batchTypeId),
  };
}

/**
 * Everything the typed routes do not take: an unknown id, a missing one, or one
 * that is not a number (a string "1", null, true). Without it such events would
 * match no rule and vanish; with it they reach the launcher, which rejects them
 * into the DLQ with a reason.
 */
function catchAllRoute(source: string, ids: readonly number[]): Route {
  return {
    name: UNROUTED_GROUP,
    eventPattern: envelope(source, {
      $or: [
        { batchTypeId: [{ 'anything-but': [...ids] }] },
        { batchTypeId: [{ exists: false }] },
        { batchTypeId: [null] },
      ],
    }),
    inputPathsMap: INPUT_PATHS_MAP,
    inputTemplate: INPUT_TEMPLATE,
    messageGroupId: UNROUTED_GROUP,
  };
}

/** The routes of a stage: one per catalog batch type, then the catch-all. */
export function routesFor(config: Pick<StageConfig, 'monolith' | 'catalog'>): Route[] {
  const source = config.monolith.eventSource;
  const ids = config.catalog.map((type) => type.batchTypeId);
  return [...config.catalog.map((type) => typeRoute(source, type)), catchAllRoute(source, ids)];
}
