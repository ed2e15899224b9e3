import { randomUUID } from 'node:crypto';
import type { PutEventsRequest, PutEventsResponse, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { compilePattern, type EventPatternMatcher } from '../eventbridge/pattern-matcher.js';
import { DeliveryError, EventsApiError, ValidationError } from './errors.js';
import {
  type BusEvent,
  EntryErrorCode,
  entrySize,
  eventFromEntry,
  MAX_CALL_SIZE_BYTES,
  MAX_ENTRIES_PER_CALL,
} from './put-events-entry.js';

/** The bus every account has, where AWS services (ECS) publish and PutEvents goes by default. */
export const DEFAULT_EVENT_BUS = 'default';

/** What a target learns about the rule that matched, as EventBridge passes it on. */
export interface DeliveryContext {
  readonly ruleName: string;
  readonly ruleArn: string;
  /** When the bus received the event (`<aws.events.event.ingestion-time>`). */
  readonly ingestionTime: Date;
}

/** Where a rule sends the events it matches: a queue, a function, a subscriber. */
export interface RuleTarget {
  /** For logs: `sqs:batch-requests.fifo`, `lambda:track-task`. */
  readonly id: string;
  /** Takes one event; rejecting means "not delivered", and the bus retries. */
  deliver(event: BusEvent, context: DeliveryContext): Promise<void>;
}

/** A rule with one target, as the stack creates them (PutRule + PutTargets). */
export interface BusRule {
  readonly name: string;
  readonly eventBusName: string;
  readonly eventPattern: Readonly<Record<string, unknown>>;
  readonly target: RuleTarget;
  readonly description?: string;
}

/** How an event reached the bus: a PutEvents call, or an AWS service (ECS) publishing it. */
export type EventOrigin = 'PutEvents' | 'service';

export interface DeliveryFailure {
  readonly event: BusEvent;
  readonly ruleName: string;
  readonly targetId: string;
  readonly attempts: number;
  readonly error: unknown;
}

/** Observation points of the bus (the sandbox's journey log hangs here). */
export interface BusObserver {
  onReceived?(event: BusEvent, eventBusName: string, origin: EventOrigin): void;
  /** The event matched no rule of its bus: EventBridge drops it; the sandbox counts it and says so. */
  onUnmatched?(event: BusEvent, eventBusName: string, origin: EventOrigin): void;
  onDeliveryFailed?(failure: DeliveryFailure): void;
}

export interface LocalEventBusOptions {
  readonly region: string;
  readonly accountId: string;
  /** Custom buses besides `default`. */
  readonly eventBusNames: readonly string[];
  readonly rules: readonly BusRule[];
  /**
   * Attempts per target before the delivery counts as failed. EventBridge retries for up to 24 h
   * (185 attempts) and then uses the target's DLQ; the sandbox gives up sooner and says so.
   * @default 3
   */
  readonly maxDeliveryAttempts?: number;
  /** Wait before the first retry; doubled for each further one. @default 200 */
  readonly retryDelayMs?: number;
  readonly observer?: BusObserver;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export interface BusStats {
  /** Events accepted (PutEvents entries without error, plus service events). */
  readonly received: number;
  /** Events that matched at least one rule. */
  readonly matched: number;
  /** Events that matched no rule of their bus. */
  readonly unmatched: number;
  /** Target deliveries that succeeded. */
  readonly delivered: number;
  /** Target deliveries that failed on every attempt. */
  readonly deliveryFailures: number;
}

interface CompiledRule {
  readonly rule: BusRule;
  readonly arn: string;
  readonly matches: EventPatternMatcher;
}

/** What ListRules answers for one rule. */
export interface RuleDescription {
  readonly Name: string;
  readonly Arn: string;
  readonly EventBusName: string;
  readonly EventPattern: string;
  readonly State: 'ENABLED';
  readonly Description?: string;
}

/**
 * A local EventBridge: buses with rules, each rule an event pattern and one target. PutEvents
 * answers per entry as EventBridge does; matched events are delivered to targets asynchronously
 * (PutEvents does not wait for targets), retried on failure, and a delivery that fails on every
 * attempt is counted, reported and kept. Events that match no rule are counted and reported.
 */
export class LocalEventBus {
  readonly #region: string;
  readonly #accountId: string;
  readonly #buses: ReadonlySet<string>;
  readonly #rules: readonly CompiledRule[];
  readonly #maxAttempts: number;
  readonly #retryDelayMs: number;
  readonly #observer: BusObserver;
  readonly #now: () => Date;
  readonly #pending = new Set<Promise<void>>();
  readonly #failures: DeliveryFailure[] = [];
  #stats = { received: 0, matched: 0, unmatched: 0, delivered: 0, deliveryFailures: 0 };
  #closed = false;

  /** @throws InvalidEventPatternError when a rule's pattern is one PutRule would reject */
  constructor(options: LocalEventBusOptions) {
    this.#region = options.region;
    this.#accountId = options.accountId;
    this.#buses = new Set([DEFAULT_EVENT_BUS, ...options.eventBusNames]);
    this.#maxAttempts = options.maxDeliveryAttempts ?? 3;
    this.#retryDelayMs = options.retryDelayMs ?? 200;
    this.#observer = options.observer ?? {};
    this.#now = options.now ?? (() => new Date());
    if (!Number.isInteger(this.#maxAttempts) || this.#maxAttempts < 1) {
      throw new RangeError(`maxDeliveryAttempts must be a positive integer (got ${this.#maxAttempts}).`);
    }
    this.#rules = options.rules.map((rule) => {
      if (!this.#buses.has(rule.eventBusName)) {
        throw new RangeError(
          `Rule "${rule.name}" is on bus "${rule.eventBusName}", which does not exist: add it to eventBusNames.`,
        );
      }
      return { rule, arn: this.ruleArn(rule), matches: compilePattern(rule.eventPattern) };
    });
  }

  /** `arn:aws:events:<region>:<account>:event-bus/<name>` */
  eventBusArn(name: string): string {
    return `arn:aws:events:${this.#region}:${this.#accountId}:event-bus/${name}`;
  }

  /** Rules of the default bus are `rule/<name>`, of a custom bus `rule/<bus>/<name>`. */
  ruleArn(rule: Pick<BusRule, 'name' | 'eventBusName'>): string {
    const path = rule.eventBusName === DEFAULT_EVENT_BUS ? rule.name : `${rule.eventBusName}/${rule.name}`;
    return `arn:aws:events:${this.#region}:${this.#accountId}:rule/${path}`;
  }

  get stats(): BusStats {
    return { ...this.#stats };
  }

  /** Deliveries that failed on every attempt, oldest first. */
  get deliveryFailures(): readonly DeliveryFailure[] {
    return [...this.#failures];
  }

  /** The buses, as ListEventBuses answers them. */
  listEventBuses(): { Name: string; Arn: string }[] {
    return [...this.#buses].map((name) => ({ Name: name, Arn: this.eventBusArn(name) }));
  }

  /**
   * The rules of one bus, as ListRules answers them.
   *
   * @throws EventsApiError `ResourceNotFoundException` for an unknown bus
   */
  listRules(eventBusName?: string): RuleDescription[] {
    const bus = this.#resolveBus(eventBusName);
    if (bus === undefined) {
      throw new EventsApiError('ResourceNotFoundException', `Event bus ${eventBusName} does not exist.`);
    }
    return this.#rules
      .filter(({ rule }) => rule.eventBusName === bus)
      .map(({ rule, arn }) => ({
        Name: rule.name,
        Arn: arn,
        EventBusName: rule.eventBusName,
        EventPattern: JSON.stringify(rule.eventPattern),
        State: 'ENABLED',
        ...(rule.description === undefined ? {} : { Description: rule.description }),
      }));
  }

  /**
   * PutEvents: every valid entry becomes an event on its bus (`EventBusName`: a name, an ARN, or
   * absent for `default`) and is routed; every invalid one is answered with its error, in order.
   *
   * @throws ValidationError when the call itself is invalid (no entries, more than 10, too large)
   * @throws EventsApiError `InternalException` once the bus is closed
   */
  putEvents(input: PutEventsRequest): PutEventsResponse {
    if (this.#closed) {
      throw new EventsApiError('InternalException', 'The local EventBridge endpoint is shutting down.', 500);
    }
    const entries = input.Entries ?? [];
    if (entries.length < 1 || entries.length > MAX_ENTRIES_PER_CALL) {
      throw new ValidationError(
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: ` +
          `Member must have length ${entries.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_ENTRIES_PER_CALL}`}`,
      );
    }
    const size = entries.reduce((sum, entry) => sum + entrySize(entry), 0);
    if (size > MAX_CALL_SIZE_BYTES) {
      throw new ValidationError(
        `Total size of the entries in the request is over the limit (${size} bytes; at most ${MAX_CALL_SIZE_BYTES}).`,
      );
    }
    const receivedAt = this.#now();
    const results: PutEventsResultEntry[] = entries.map((entry) => {
      const bus = this.#resolveBus(entry.EventBusName);
      if (bus === undefined) {
        return {
          ErrorCode: EntryErrorCode.ResourceNotFound,
          ErrorMessage: `Event bus ${entry.EventBusName} does not exist.`,
        };
      }
      const outcome = eventFromEntry(entry, {
        id: randomUUID(),
        region: this.#region,
        accountId: this.#accountId,
        receivedAt,
      });
      if (!outcome.accepted) {
        return { ErrorCode: outcome.errorCode, ErrorMessage: outcome.errorMessage };
      }
      this.#route(outcome.event, bus, 'PutEvents', receivedAt);
      return { EventId: outcome.event.id };
    });
    return {
      FailedEntryCount: results.filter((result) => result.ErrorCode !== undefined).length,
      Entries: results,
    };
  }

  /**
   * An AWS service publishing an event (ECS Task State Change on the default bus): routed like a
   * PutEvents entry, without PutEvents' checks on the source.
   *
   * @throws EventsApiError `InternalException` once the bus is closed
   */
  publishServiceEvent(event: BusEvent, eventBusName: string = DEFAULT_EVENT_BUS): void {
    if (this.#closed) {
      throw new EventsApiError('InternalException', 'The local EventBridge endpoint is shutting down.', 500);
    }
    if (!this.#buses.has(eventBusName)) {
      throw new EventsApiError('ResourceNotFoundException', `Event bus ${eventBusName} does not exist.`);
    }
    this.#route(event, eventBusName, 'service', this.#now());
  }

  /** Resolves once every delivery under way (retries included) has ended. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) {
      await Promise.allSettled([...this.#pending]);
    }
  }

  /**
   * Waits (at most `timeoutMs`) for the deliveries under way, still taking the events they put
   * (track-task's results), then refuses new events.
   */
  async close(timeoutMs = 5_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.idle(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    this.#closed = true;
  }

  #resolveBus(reference: string | undefined): string | undefined {
    if (reference === undefined || reference === '') return DEFAULT_EVENT_BUS;
    const name = reference.startsWith('arn:')
      ? reference.startsWith(this.eventBusArn(''))
        ? reference.slice(this.eventBusArn('').length)
        : undefined
      : reference;
    return name !== undefined && this.#buses.has(name) ? name : undefined;
  }

  #route(event: BusEvent, bus: string, origin: EventOrigin, ingestionTime: Date): void {
    this.#stats.received += 1;
    this.#observer.onReceived?.(event, bus, origin);
    const matched = this.#rules.filter(({ rule, matches }) => rule.eventBusName === bus && matches(event));
    if (matched.length === 0) {
      this.#stats.unmatched += 1;
      this.#observer.onUnmatched?.(event, bus, origin);
      return;
    }
    this.#stats.matched += 1;
    for (const compiled of matched) {
      const delivery = this.#deliver(compiled, event, ingestionTime);
      this.#pending.add(delivery);
      void delivery.finally(() => this.#pending.delete(delivery));
    }
  }

  async #deliver({ rule, arn }: CompiledRule, event: BusEvent, ingestionTime: Date): Promise<void> {
    const context: DeliveryContext = { ruleName: rule.name, ruleArn: arn, ingestionTime };
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt += 1) {
      try {
        await rule.target.deliver(event, context);
        this.#stats.delivered += 1;
        return;
      } catch (error) {
        lastError = error;
        if (attempt < this.#maxAttempts) {
          await new Promise((resolve) => setTimeout(resolve, this.#retryDelayMs * 2 ** (attempt - 1)));
        }
      }
    }
    const failure: DeliveryFailure = {
      event,
      ruleName: rule.name,
      targetId: rule.target.id,
      attempts: this.#maxAttempts,
      error: new DeliveryError(
        `Rule "${rule.name}" could not deliver event ${event.id} to ${rule.target.id} in ${this.#maxAttempts} attempts: ${describe(lastError)}`,
        { cause: lastError },
      ),
    };
    this.#stats.deliveryFailures += 1;
    this.#failures.push(failure);
    this.#observer.onDeliveryFailed?.(failure);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
