import { STARTED_BY_PREFIX } from '../launcher/run-task-input.js';
import { TASK_STATE_CHANGE_DETAIL_TYPE, TASK_STATE_CHANGE_SOURCE } from '../tracking/task-state-change.js';
import type { EventPattern } from './routes.js';

/** The task states track-task acts on: RUNNING moves the record on, STOPPED ends it. */
export const TRACKED_TASK_STATUSES = ['RUNNING', 'STOPPED'] as const;

/**
 * The pattern of track-task's rule on the account's default bus, where ECS
 * publishes: state changes of the tasks this system started (startedBy prefix)
 * in the catalog's clusters, and only those. The stack and the sandbox both
 * build their rule from it.
 */
export function taskStateChangePattern(clusterArns: readonly string[]): EventPattern {
  return {
    source: [TASK_STATE_CHANGE_SOURCE],
    'detail-type': [TASK_STATE_CHANGE_DETAIL_TYPE],
    detail: {
      startedBy: [{ prefix: STARTED_BY_PREFIX }],
      clusterArn: [...clusterArns],
      lastStatus: [...TRACKED_TASK_STATUSES],
    },
  };
}
