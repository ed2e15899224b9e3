import { Duration } from 'aws-cdk-lib';
import {
  type IEventBus,
  type IRuleTarget,
  Rule,
  RuleTargetInput,
  type RuleTargetInputProperties,
} from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import type { Route } from '../../src/routing/routes.js';
import { ConstructPropsError } from '../errors.js';
import { cdkEventPattern } from './cdk-event-pattern.js';
import type { FifoQueueWithDlq } from './fifo-queue-with-dlq.js';
import type { TargetDeadLetterQueue } from './target-dead-letter-queue.js';

export interface RoutingRulesProps {
  /** The bus the monolith puts its requests on. */
  readonly eventBus: IEventBus;
  /** From `routesFor(config)`: one per catalog batch type, then the catch-all. */
  readonly routes: readonly Route[];
  /** Where every route writes: the FIFO request queue. */
  readonly queue: FifoQueueWithDlq;
  /** Where EventBridge puts what it could not deliver to the queue. */
  readonly deadLetterQueue: TargetDeadLetterQueue;
  /**
   * Delivery retries before an event is dead-lettered (0-185).
   * @default 185
   */
  readonly retryAttempts?: number;
  /**
   * How long EventBridge keeps retrying one event (1 minute to 24 hours).
   * @default Duration.hours(24)
   */
  readonly maxEventAge?: Duration;
}

/**
 * Event fields whose value differs on every PutEvents of one request; a body
 * built from them would defeat FIFO content-based deduplication.
 */
const NON_DETERMINISTIC_PATHS = ['$', '$.id', '$.time'] as const;

/**
 * The input transformer exactly as the routing module wrote it: the CDK's own
 * `RuleTargetInput.fromObject` would re-encode the template, and the local
 * sandbox must send byte-identical bodies.
 */
class RouteInput extends RuleTargetInput {
  constructor(private readonly route: Route) {
    super();
  }

  override bind(): RuleTargetInputProperties {
    return { inputPathsMap: { ...this.route.inputPathsMap }, inputTemplate: this.route.inputTemplate };
  }
}

/**
 * One EventBridge rule per route of the routing module, each sending the
 * transformed request to the FIFO queue under the route's message group, with
 * a retry policy and a standard dead-letter queue for what cannot be delivered.
 */
export class RoutingRules extends Construct {
  /** The rules by route name (`batch-type-<id>`, `unrouted`). */
  public readonly rules: ReadonlyMap<string, Rule>;

  constructor(scope: Construct, id: string, props: RoutingRulesProps) {
    super(scope, id);
    const retryAttempts = props.retryAttempts ?? 185;
    const maxEventAge = props.maxEventAge ?? Duration.hours(24);
    checkProps(this.node.path, props, retryAttempts, maxEventAge);

    const rules = new Map<string, Rule>();
    for (const route of props.routes) {
      const rule = new Rule(this, route.name, {
        eventBus: props.eventBus,
        description:
          route.batchTypeId === undefined
            ? 'BatchRequested with an unknown, missing or non-numeric batchTypeId: to the launcher, which dead-letters it with a reason'
            : `BatchRequested for batchTypeId ${route.batchTypeId}: to the FIFO queue, message group ${route.messageGroupId}`,
        eventPattern: cdkEventPattern(route.eventPattern, `RoutingRules route "${route.name}"`),
      });
      rule.addTarget(queueTarget(route, props, retryAttempts, maxEventAge));
      props.queue.allowDeliveryFrom(rule);
      props.deadLetterQueue.allowDeliveryFrom(rule);
      rules.set(route.name, rule);
    }
    this.rules = rules;
  }
}

function queueTarget(
  route: Route,
  props: RoutingRulesProps,
  retryAttempts: number,
  maxEventAge: Duration,
): IRuleTarget {
  return {
    bind: () => ({
      arn: props.queue.queue.queueArn,
      targetResource: props.queue.queue,
      input: new RouteInput(route),
      sqsParameters: { messageGroupId: route.messageGroupId },
      deadLetterConfig: { arn: props.deadLetterQueue.queue.queueArn },
      retryPolicy: { maximumRetryAttempts: retryAttempts, maximumEventAgeInSeconds: maxEventAge.toSeconds() },
    }),
  };
}

function checkProps(
  path: string,
  props: RoutingRulesProps,
  retryAttempts: number,
  maxEventAge: Duration,
): void {
  const fail = (message: string) => new ConstructPropsError(`RoutingRules ${path}`, message);
  if (props.routes.length === 0) {
    throw fail('routes is empty: pass routesFor(config), which has at least the catch-all route');
  }
  const names = new Set<string>();
  for (const route of props.routes) {
    if (names.has(route.name)) throw fail(`two routes are named "${route.name}": route names must be unique`);
    names.add(route.name);
    if (!/^[\x21-\x7E]{1,128}$/.test(route.messageGroupId)) {
      throw fail(
        `route "${route.name}" has message group "${route.messageGroupId}": use 1-128 printable ASCII characters`,
      );
    }
    const unstable = Object.entries(route.inputPathsMap).find(([, path]) =>
      (NON_DETERMINISTIC_PATHS as readonly string[]).includes(path),
    );
    if (unstable !== undefined || route.inputTemplate.includes('<aws.events.event')) {
      throw fail(
        `route "${route.name}" puts the event's id, time or whole envelope in the message body: ` +
          'content-based deduplication would never collapse a retried PutEvents; map business fields only',
      );
    }
  }
  if (!Number.isInteger(retryAttempts) || retryAttempts < 0 || retryAttempts > 185) {
    throw fail(`retryAttempts ${retryAttempts} is out of range: use an integer from 0 to 185`);
  }
  const age = maxEventAge.toSeconds();
  if (age < 60 || age > 86_400) {
    throw fail(`maxEventAge ${age}s is out of range: use 1 minute to 24 hours`);
  }
}
