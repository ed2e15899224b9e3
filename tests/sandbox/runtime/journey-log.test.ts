import type { SQSRecord } from 'aws-lambda';
import type { BusEvent } from '../../../sandbox/bus/put-events-entry.js';
import type { EcsTaskStateChangeEvent } from '../../../sandbox/ecs/task-state-change-event.js';
import { JourneyLog } from '../../../sandbox/journey-log.js';
import type { QueuedMessage } from '../../../sandbox/sqs/local-sqs.js';

const TASK_ARN = 'arn:aws:ecs:us-east-1:000000000000:task/local/0123456789abcdef0123456789abcdef';
const MESSAGE_ID = 'a1b2c3d4-0000-4000-8000-000000000001';

function journey() {
  const lines: string[] = [];
  const log = new JourneyLog({
    sink: (line) => lines.push(line),
    batchTypeNames: new Map([[1, 'hello']]),
    maxReceiveCount: 3,
    now: () => new Date('2026-03-01T12:00:00.123Z'),
  });
  /** Lines without the time column, spaces collapsed. */
  const text = () => lines.map((line) => line.slice(14).replace(/\s+/g, ' '));
  return { log, lines, text };
}

function busEvent(detail: Record<string, unknown>, overrides: Partial<BusEvent> = {}): BusEvent {
  return {
    version: '0',
    id: 'e0e0e0e0-0000-4000-8000-000000000000',
    'detail-type': 'BatchRequested',
    source: 'local.monolith',
    account: '000000000000',
    time: '2026-03-01T12:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
    ...overrides,
  };
}

function taskEvent(
  requestKey: string,
  lastStatus: string,
  extra: Partial<EcsTaskStateChangeEvent['detail']> = {},
): EcsTaskStateChangeEvent {
  return {
    version: '0',
    id: 'x',
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: '000000000000',
    time: '2026-03-01T12:00:00Z',
    region: 'us-east-1',
    resources: [TASK_ARN],
    detail: {
      taskArn: TASK_ARN,
      clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/local',
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/hello:1',
      lastStatus,
      desiredStatus: lastStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING',
      startedBy: `batch-launcher/${requestKey}`,
      containers: [],
      overrides: { containerOverrides: [] },
      createdAt: '2026-03-01T12:00:00.000Z',
      updatedAt: '2026-03-01T12:00:00.000Z',
      version: 1,
      ...extra,
    },
  };
}

function record(requestId: string | undefined, receiveCount: number, messageId = MESSAGE_ID): SQSRecord {
  return {
    messageId,
    body: JSON.stringify({ version: 1, detail: { batchTypeId: 1, ...(requestId ? { requestId } : {}) } }),
    attributes: { ApproximateReceiveCount: String(receiveCount) },
  } as unknown as SQSRecord;
}

function deadLetter(
  attributes: Record<string, string>,
  overrides: Partial<QueuedMessage> = {},
): QueuedMessage {
  return {
    messageId: 'dead-0000',
    body: '{"version":1,"detail":{"batchTypeId":9,"requestId":"r-9"}}',
    messageAttributes: Object.fromEntries(
      Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
    ),
    approximateReceiveCount: 0,
    sentTimestamp: 0,
    state: 'ready',
    ...overrides,
  };
}

describe('JourneyLog', () => {
  it("tells a request's journey one line per step, from received to its result", () => {
    // Arrange
    const { log, lines, text } = journey();
    const event = busEvent({ batchTypeId: 1, requestId: 'r-1' });

    // Act
    log.received(event, 'batch-requests');
    log.queued({
      event,
      ruleName: 'batch-type-1',
      messageId: MESSAGE_ID,
      messageGroupId: 'batch-1',
      body: '',
    });
    log.taskChanged(taskEvent('r-1', 'PROVISIONING'));
    log.taskChanged(taskEvent('r-1', 'RUNNING'));
    log.taskChanged(taskEvent('r-1', 'RUNNING'));
    log.taskOutput(TASK_ARN, 'TRACE_ID=r-1', 'stdout');
    log.batchProcessed({
      records: [record('r-1', 1)],
      deletedMessageIds: [MESSAGE_ID],
      retriedMessageIds: [],
    });
    log.taskChanged(
      taskEvent('r-1', 'STOPPED', {
        containers: [
          { containerArn: 'c', name: 'app', taskArn: TASK_ARN, lastStatus: 'STOPPED', exitCode: 0 },
        ],
        stoppedReason: 'Essential container in task exited',
      }),
    );
    log.result(busEvent({ requestId: 'r-1', exitCode: 0, runMs: 210 }, { 'detail-type': 'BatchSucceeded' }));

    // Assert
    expect(lines[0]?.startsWith('12:00:00.123  r-1')).toBe(true);
    expect(text()).toEqual([
      'r-1 received BatchRequested type 1 (hello) on batch-requests (event e0e0e0e0)',
      'r-1 queued message a1b2c3d4 in group batch-1 (rule batch-type-1)',
      'r-1 launched task 01234567 (hello) on cluster local',
      'r-1 running task 01234567',
      'r-1 output TRACE_ID=r-1',
      'r-1 stopped exit 0 (Essential container in task exited), task 01234567',
      'r-1 result BatchSucceeded (exit 0, ran 210 ms) published on the bus',
    ]);
  });

  it('names a request without requestId by its message id, as the launcher keys it', () => {
    // Arrange
    const { log, text } = journey();
    const event = busEvent({ batchTypeId: 1 });

    // Act
    log.received(event, 'batch-requests');
    log.queued({
      event,
      ruleName: 'batch-type-1',
      messageId: MESSAGE_ID,
      messageGroupId: 'batch-1',
      body: '',
    });
    log.taskChanged(taskEvent(MESSAGE_ID, 'PROVISIONING'));

    // Assert
    expect(text()).toEqual([
      'event e0e0e0e0 received BatchRequested type 1 (hello) on batch-requests (event e0e0e0e0)',
      'msg a1b2c3d4 queued message a1b2c3d4 in group batch-1 (rule batch-type-1)',
      'msg a1b2c3d4 launched task 01234567 (hello) on cluster local',
    ]);
  });

  it('says when SQS collapsed a repeated request into the message already queued', () => {
    // Arrange
    const { log, text } = journey();
    const event = busEvent({ batchTypeId: 1, requestId: 'r-1' });
    const queued = {
      event,
      ruleName: 'batch-type-1',
      messageId: MESSAGE_ID,
      messageGroupId: 'batch-1',
      body: '',
    };

    // Act
    log.queued(queued);
    log.queued(queued);

    // Assert
    expect(text()[1]).toBe(
      'r-1 duplicate same body as message a1b2c3d4: collapsed by content-based deduplication',
    );
  });

  it('says a record acknowledged without a launch was a duplicate', () => {
    // Arrange
    const { log, text } = journey();
    log.taskChanged(taskEvent('r-1', 'PROVISIONING'));
    log.batchProcessed({
      records: [record('r-1', 1)],
      deletedMessageIds: [MESSAGE_ID],
      retriedMessageIds: [],
    });

    // Act
    log.batchProcessed({
      records: [record('r-1', 1, 'other-message')],
      deletedMessageIds: ['other-message'],
      retriedMessageIds: [],
    });

    // Assert
    expect(text().at(-1)).toBe(
      'r-1 duplicate already launched (task 01234567): acknowledged without a second task',
    );
  });

  it('tells a rejection by its errorCode, and not again as an acknowledgement', () => {
    // Arrange
    const { log, text } = journey();

    // Act
    log.deadLettered(
      deadLetter({
        errorCode: 'UnknownBatchType',
        errorMessage: 'batch type 9 is not in the catalog',
        sourceMessageId: MESSAGE_ID,
        requestId: 'r-9',
      }),
    );
    log.batchProcessed({
      records: [record('r-9', 1)],
      deletedMessageIds: [MESSAGE_ID],
      retriedMessageIds: [],
    });

    // Assert
    expect(text()).toEqual(['r-9 rejected UnknownBatchType: batch type 9 is not in the catalog → DLQ']);
  });

  it('tells a message SQS moved to the DLQ after maxReceiveCount receives', () => {
    // Arrange
    const { log, text } = journey();

    // Act
    log.deadLettered(deadLetter({}, { approximateReceiveCount: 4 }));

    // Assert
    expect(text()).toEqual(['r-9 dlq moved to the DLQ by SQS after 3 receives (maxReceiveCount 3)']);
  });

  it('tells a retried record with its receive count, and the whole-batch error if any', () => {
    // Arrange
    const { log, text } = journey();

    // Act
    log.batchProcessed({
      records: [record('r-1', 1)],
      deletedMessageIds: [],
      retriedMessageIds: [MESSAGE_ID],
    });
    log.batchProcessed({
      records: [record('r-1', 3)],
      deletedMessageIds: [],
      retriedMessageIds: [MESSAGE_ID],
      batchError: new Error('launch-batch timed out'),
    });

    // Assert
    expect(text()).toEqual([
      'r-1 retry not done (receive 1 of 3): back in the queue after its visibility timeout',
      'r-1 retry not done (receive 3 of 3): SQS moves it to the DLQ on its next receive — the whole batch failed: launch-batch timed out',
    ]);
  });

  it('tells why ECS did not start a task', () => {
    // Arrange
    const { log, text } = journey();
    const input = { startedBy: 'batch-launcher/r-1', taskDefinition: 'hello' };

    // Act
    log.runTaskAnswered({
      kind: 'throttled',
      input,
      error: Object.assign(new Error('Rate exceeded'), { errorType: 'ThrottlingException' }) as never,
    });
    log.runTaskAnswered({
      kind: 'unplaced',
      input,
      output: { tasks: [], failures: [{ reason: 'RESOURCE:MEMORY' }] },
    });
    log.runTaskAnswered({
      kind: 'refused',
      input,
      error: Object.assign(new Error('other parameters'), { errorType: 'ConflictException' }),
    });
    log.taskChanged(taskEvent('r-1', 'PROVISIONING'));
    log.runTaskAnswered({ kind: 'started', input, output: { tasks: [{ taskArn: TASK_ARN }] } });
    log.runTaskAnswered({ kind: 'repeated', input, output: { tasks: [{ taskArn: TASK_ARN }] } });

    // Assert
    expect(text()).toEqual([
      'r-1 throttled RunTask answered ThrottlingException',
      'r-1 unplaced RunTask answered failures[] (RESOURCE:MEMORY) and no task',
      'r-1 refused RunTask answered ConflictException: other parameters',
      'r-1 launched task 01234567 (hello) on cluster local',
      'r-1 duplicate same clientToken: ECS answered the original task 01234567',
    ]);
  });

  it('says an unmatched BatchRequested belongs on the batch-requests bus', () => {
    // Arrange
    const { log, text } = journey();

    // Act
    log.unmatched(busEvent({ batchTypeId: 1, requestId: 'r-1' }), 'default');

    // Assert
    expect(text()).toEqual([
      'r-1 unmatched no rule on bus "default" matches source "local.monolith", detail-type "BatchRequested": dropped (1 so far) — put BatchRequested on EventBusName "batch-requests"',
    ]);
  });

  it('tells a failed delivery with the rule, target and reason', () => {
    // Arrange
    const { log, text } = journey();

    // Act
    log.deliveryFailed({
      event: busEvent({ startedBy: 'batch-launcher/r-1' }),
      ruleName: 'track-task',
      targetId: 'lambda:track-task',
      attempts: 3,
      error: new Error('DynamoDB unavailable'),
    });

    // Assert
    expect(text()).toEqual([
      'r-1 failed rule track-task could not deliver to lambda:track-task in 3 attempts: DynamoDB unavailable',
    ]);
  });

  it('ignores tasks it did not launch and events other than BatchRequested', () => {
    // Arrange
    const { log, lines } = journey();

    // Act
    log.taskChanged({
      ...taskEvent('x', 'RUNNING'),
      detail: { ...taskEvent('x', 'RUNNING').detail, startedBy: 'someone' },
    });
    log.received(busEvent({}, { 'detail-type': 'Other' }), 'batch-requests');

    // Assert
    expect(lines).toEqual([]);
  });
});
