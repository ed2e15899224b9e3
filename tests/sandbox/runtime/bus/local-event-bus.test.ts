import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { loadStageConfig } from '../../../../config/stages.js';
import { ValidationError } from '../../../../sandbox/bus/errors.js';
import { BATCH_REQUESTS_BUS, requestRoutingRules } from '../../../../sandbox/bus/launcher-rules.js';
import {
  type BusRule,
  DEFAULT_EVENT_BUS,
  type DeliveryContext,
  LocalEventBus,
  type LocalEventBusOptions,
  type RuleTarget,
} from '../../../../sandbox/bus/local-event-bus.js';
import type { BusEvent } from '../../../../sandbox/bus/put-events-entry.js';
import { routesFor } from '../../../../src/routing/routes.js';

const NOW = new Date('2026-03-01T12:34:56.789Z');
const config = loadStageConfig('local');

interface Delivered {
  readonly target: string;
  readonly event: BusEvent;
  readonly context: DeliveryContext;
}

/** A target that records what it gets and fails its first `failures` deliveries. */
function recordingTarget(id: string, delivered: Delivered[], failures = 0): RuleTarget {
  let calls = 0;
  return {
    id,
    deliver: async (event, context) => {
      calls += 1;
      if (calls <= failures) throw new Error(`${id} is down (call ${calls})`);
      delivered.push({ target: id, event, context });
    },
  };
}

function busWith(rules: BusRule[], options: Partial<LocalEventBusOptions> = {}): LocalEventBus {
  return new LocalEventBus({
    region: 'us-east-1',
    accountId: '000000000000',
    eventBusNames: [BATCH_REQUESTS_BUS],
    rules,
    now: () => NOW,
    retryDelayMs: 1,
    ...options,
  });
}

function request(detail: unknown, overrides: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry {
  return {
    EventBusName: BATCH_REQUESTS_BUS,
    Source: 'local.monolith',
    DetailType: 'BatchRequested',
    Detail: JSON.stringify(detail),
    ...overrides,
  };
}

describe('LocalEventBus', () => {
  describe('putEvents', () => {
    it('answers each entry in order with an EventId or the error EventBridge gives', () => {
      // Arrange
      const bus = busWith([]);

      // Act
      const answer = bus.putEvents({
        Entries: [
          request({ batchTypeId: 1 }),
          { DetailType: 'BatchRequested', Detail: '{}' },
          { Source: 'local.monolith', Detail: '{}' },
          { Source: 'local.monolith', DetailType: 'BatchRequested' },
          request(undefined, { Detail: '{"batchTypeId":' }),
          request(undefined, { Detail: '[1,2]' }),
          request({}, { Source: 'aws.ecs' }),
          request({}, { EventBusName: 'nope' }),
        ],
      });

      // Assert
      expect(answer.FailedEntryCount).toBe(7);
      expect(answer.Entries).toEqual([
        { EventId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
        {
          ErrorCode: 'InvalidArgument',
          ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.',
        },
        {
          ErrorCode: 'InvalidArgument',
          ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
        },
        {
          ErrorCode: 'InvalidArgument',
          ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.',
        },
        { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
        { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
        { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: expect.stringContaining('aws.ecs') },
        { ErrorCode: 'ResourceNotFoundException', ErrorMessage: 'Event bus nope does not exist.' },
      ]);
      expect(bus.stats.received).toBe(1);
    });

    it.each([
      [0, 'greater than or equal to 1'],
      [11, 'less than or equal to 10'],
    ])('refuses the whole call with ValidationException for %i entries', (count, reason) => {
      // Arrange
      const bus = busWith([]);
      const entries = Array.from({ length: count }, () => request({ batchTypeId: 1 }));

      // Act
      const call = () => bus.putEvents({ Entries: entries });

      // Assert
      expect(call).toThrow(ValidationError);
      expect(call).toThrow(reason);
      expect(bus.stats.received).toBe(0);
    });

    it('refuses the whole call when its entries exceed 256 KB', () => {
      // Arrange
      const bus = busWith([]);
      const big = request({ text: 'x'.repeat(140 * 1024) });

      // Act
      const call = () => bus.putEvents({ Entries: [big, big] });

      // Assert
      expect(call).toThrow('Total size of the entries in the request is over the limit');
    });

    it('builds the event EventBridge delivers: envelope, parsed detail, time without milliseconds', async () => {
      // Arrange
      const delivered: Delivered[] = [];
      const bus = busWith([
        {
          name: 'everything',
          eventBusName: BATCH_REQUESTS_BUS,
          eventPattern: { source: ['local.monolith'] },
          target: recordingTarget('recorder', delivered),
        },
      ]);

      // Act
      const answer = bus.putEvents({
        Entries: [request({ batchTypeId: 1, requestId: 'r-1' }, { Resources: ['arn:aws:s3:::bucket'] })],
      });
      await bus.idle();

      // Assert
      expect(delivered).toHaveLength(1);
      expect(delivered[0]?.event).toEqual({
        version: '0',
        id: answer.Entries?.[0]?.EventId,
        'detail-type': 'BatchRequested',
        source: 'local.monolith',
        account: '000000000000',
        time: '2026-03-01T12:34:56Z',
        region: 'us-east-1',
        resources: ['arn:aws:s3:::bucket'],
        detail: { batchTypeId: 1, requestId: 'r-1' },
      });
      expect(delivered[0]?.context).toEqual({
        ruleName: 'everything',
        ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/batch-requests/everything',
        ingestionTime: NOW,
      });
    });

    it("uses the entry's Time as the event time", async () => {
      // Arrange
      const delivered: Delivered[] = [];
      const bus = busWith([
        {
          name: 'all',
          eventBusName: BATCH_REQUESTS_BUS,
          eventPattern: { source: ['local.monolith'] },
          target: recordingTarget('recorder', delivered),
        },
      ]);

      // Act
      bus.putEvents({ Entries: [request({}, { Time: new Date('2025-01-02T03:04:05.678Z') })] });
      await bus.idle();

      // Assert
      expect(delivered[0]?.event.time).toBe('2025-01-02T03:04:05Z');
    });

    it.each([
      ['its name', BATCH_REQUESTS_BUS, BATCH_REQUESTS_BUS],
      ['its ARN', BATCH_REQUESTS_BUS, 'arn:aws:events:us-east-1:000000000000:event-bus/batch-requests'],
      ['no EventBusName', DEFAULT_EVENT_BUS, undefined],
      ['an empty EventBusName', DEFAULT_EVENT_BUS, ''],
    ])('puts an entry with %s on bus "%s"', async (_how, expected, eventBusName) => {
      // Arrange
      const seen: string[] = [];
      const bus = busWith([], { observer: { onReceived: (_event, busName) => seen.push(busName) } });

      // Act
      bus.putEvents({ Entries: [request({}, { EventBusName: eventBusName })] });

      // Assert
      expect(seen).toEqual([expected]);
    });

    it("refuses an ARN of another account's bus", () => {
      // Arrange
      const bus = busWith([]);

      // Act
      const answer = bus.putEvents({
        Entries: [
          request({}, { EventBusName: 'arn:aws:events:us-east-1:111111111111:event-bus/batch-requests' }),
        ],
      });

      // Assert
      expect(answer.Entries?.[0]?.ErrorCode).toBe('ResourceNotFoundException');
    });
  });

  describe('routing with the stage’s routes', () => {
    function routedBus(delivered: Delivered[]) {
      return busWith(
        requestRoutingRules(routesFor(config), (route) => recordingTarget(route.messageGroupId, delivered)),
      );
    }

    it.each([
      [{ batchTypeId: 1 }, 'batch-1'],
      [{ batchTypeId: 2 }, 'batch-2'],
      [{ batchTypeId: 99 }, 'unrouted'],
      [{ requestId: 'no-type' }, 'unrouted'],
      [{ batchTypeId: '1' }, 'unrouted'],
      [{ batchTypeId: null }, 'unrouted'],
    ])('sends %j to exactly one target: %s', async (detail, group) => {
      // Arrange
      const delivered: Delivered[] = [];
      const bus = routedBus(delivered);

      // Act
      bus.putEvents({ Entries: [request(detail)] });
      await bus.idle();

      // Assert
      expect(delivered.map((delivery) => delivery.target)).toEqual([group]);
    });

    it('counts and reports an event no rule matches, without delivering it', async () => {
      // Arrange
      const delivered: Delivered[] = [];
      const unmatched: string[] = [];
      const bus = busWith(
        requestRoutingRules(routesFor(config), (route) => recordingTarget(route.messageGroupId, delivered)),
        {
          observer: {
            onUnmatched: (event, busName, origin) => unmatched.push(`${busName}:${event.source}:${origin}`),
          },
        },
      );

      // Act
      bus.putEvents({
        Entries: [
          request({ batchTypeId: 1 }, { EventBusName: undefined }),
          request({}, { Source: 'someone.else' }),
        ],
      });
      await bus.idle();

      // Assert
      expect(delivered).toEqual([]);
      expect(unmatched).toEqual([
        'default:local.monolith:PutEvents',
        'batch-requests:someone.else:PutEvents',
      ]);
      expect(bus.stats).toMatchObject({ received: 2, matched: 0, unmatched: 2 });
    });
  });

  describe('delivery', () => {
    const rule = (target: RuleTarget): BusRule => ({
      name: 'all',
      eventBusName: BATCH_REQUESTS_BUS,
      eventPattern: { source: ['local.monolith'] },
      target,
    });

    it('retries a failing target and delivers once it recovers', async () => {
      // Arrange
      const delivered: Delivered[] = [];
      const bus = busWith([rule(recordingTarget('flaky', delivered, 2))], { maxDeliveryAttempts: 3 });

      // Act
      bus.putEvents({ Entries: [request({})] });
      await bus.idle();

      // Assert
      expect(delivered).toHaveLength(1);
      expect(bus.stats).toMatchObject({ delivered: 1, deliveryFailures: 0 });
    });

    it('counts, reports and keeps a delivery that fails on every attempt', async () => {
      // Arrange
      const failures: string[] = [];
      const bus = busWith([rule(recordingTarget('down', [], 10))], {
        maxDeliveryAttempts: 3,
        observer: { onDeliveryFailed: (failure) => failures.push(`${failure.targetId}:${failure.attempts}`) },
      });

      // Act
      bus.putEvents({ Entries: [request({})] });
      await bus.idle();

      // Assert
      expect(failures).toEqual(['down:3']);
      expect(bus.stats).toMatchObject({ delivered: 0, deliveryFailures: 1 });
      expect(String(bus.deliveryFailures[0]?.error)).toContain('down is down (call 3)');
    });

    it('routes a service event on the default bus without PutEvents’ source check', async () => {
      // Arrange
      const delivered: Delivered[] = [];
      const bus = busWith([
        {
          name: 'ecs',
          eventBusName: DEFAULT_EVENT_BUS,
          eventPattern: { source: ['aws.ecs'] },
          target: recordingTarget('track', delivered),
        },
      ]);
      const event: BusEvent = {
        version: '0',
        id: 'e-1',
        'detail-type': 'ECS Task State Change',
        source: 'aws.ecs',
        account: '000000000000',
        time: '2026-03-01T12:34:56Z',
        region: 'us-east-1',
        resources: [],
        detail: { lastStatus: 'RUNNING' },
      };

      // Act
      bus.publishServiceEvent(event);
      await bus.idle();

      // Assert
      expect(delivered.map((delivery) => delivery.event)).toEqual([event]);
      expect(delivered[0]?.context.ruleArn).toBe('arn:aws:events:us-east-1:000000000000:rule/ecs');
    });

    it('waits for deliveries under way on close, then refuses new events', async () => {
      // Arrange
      const delivered: Delivered[] = [];
      let release: () => void = () => undefined;
      const slow: RuleTarget = {
        id: 'slow',
        deliver: (event, context) =>
          new Promise((resolve) => {
            release = () => {
              delivered.push({ target: 'slow', event, context });
              resolve();
            };
          }),
      };
      const bus = busWith([rule(slow)]);
      bus.putEvents({ Entries: [request({})] });

      // Act
      const closing = bus.close(5_000);
      release();
      await closing;

      // Assert
      expect(delivered).toHaveLength(1);
      expect(() => bus.putEvents({ Entries: [request({})] })).toThrow('shutting down');
    });
  });

  it('refuses at construction a rule whose pattern PutRule would refuse, or on an unknown bus', () => {
    // Arrange
    const target = recordingTarget('t', []);

    // Act / Assert
    expect(() =>
      busWith([{ name: 'bad', eventBusName: BATCH_REQUESTS_BUS, eventPattern: { source: [] }, target }]),
    ).toThrow('Empty arrays are not allowed');
    expect(() =>
      busWith([{ name: 'lost', eventBusName: 'elsewhere', eventPattern: { source: ['x'] }, target }]),
    ).toThrow('does not exist');
  });

  it('lists its buses and the rules of a bus as ListRules does', () => {
    // Arrange
    const bus = busWith(requestRoutingRules(routesFor(config), () => recordingTarget('t', [])));

    // Act
    const rules = bus.listRules(BATCH_REQUESTS_BUS);

    // Assert
    expect(bus.listEventBuses().map((entry) => entry.Name)).toEqual(['default', 'batch-requests']);
    expect(rules.map((entry) => entry.Name)).toEqual(['batch-type-1', 'batch-type-2', 'unrouted']);
    expect(JSON.parse(rules[0]?.EventPattern ?? '')).toEqual(routesFor(config)[0]?.eventPattern);
    expect(bus.listRules()).toEqual([]);
    expect(() => bus.listRules('nope')).toThrow('Event bus nope does not exist.');
  });
});
