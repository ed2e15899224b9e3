import type { Route } from '../../src/routing/routes.js';
import { taskStateChangePattern } from '../../src/routing/task-state-rule.js';
import { RESULT_EVENT_SOURCE, ResultDetailType } from '../../src/tracking/result-event.js';
import { type BusRule, DEFAULT_EVENT_BUS, type RuleTarget } from './local-event-bus.js';

/**
 * The rules the stack creates, for the sandbox's bus. The request routes are the routing module's
 * own objects (patterns, input templates, group ids), so the sandbox routes exactly as AWS will.
 */

/** The bus the monolith puts BatchRequested on and subscribes to results from (as the stack names it). */
export const BATCH_REQUESTS_BUS = 'batch-requests';

/** One rule per route on the batch-requests bus, each to its own target (the FIFO queue with its group). */
export function requestRoutingRules(
  routes: readonly Route[],
  targetFor: (route: Route) => RuleTarget,
): BusRule[] {
  return routes.map((route) => ({
    name: route.name,
    eventBusName: BATCH_REQUESTS_BUS,
    eventPattern: route.eventPattern,
    target: targetFor(route),
    description:
      route.batchTypeId === undefined
        ? 'BatchRequested of unknown, missing or non-numeric batch types → the launcher rejects them'
        : `BatchRequested of batch type ${route.batchTypeId}`,
  }));
}

/**
 * ECS Task State Change (RUNNING, STOPPED) of the tasks the launcher started, on the default bus
 * where ECS publishes: the stack's track-task rule.
 */
export function taskStateChangeRule(clusterArns: readonly string[], target: RuleTarget): BusRule {
  return {
    name: 'track-task',
    eventBusName: DEFAULT_EVENT_BUS,
    eventPattern: taskStateChangePattern(clusterArns),
    target,
    description: 'ECS Task State Change (RUNNING, STOPPED) of tasks started by launch-batch',
  };
}

/** Stands for the monolith's subscription to the result events it gets back on the bus. */
export function resultSubscriptionRule(target: RuleTarget): BusRule {
  return {
    name: 'monolith-results',
    eventBusName: BATCH_REQUESTS_BUS,
    eventPattern: {
      source: [RESULT_EVENT_SOURCE],
      'detail-type': [ResultDetailType.Succeeded, ResultDetailType.Failed],
    },
    target,
    description: 'BatchSucceeded / BatchFailed, as the monolith subscribes to them',
  };
}
