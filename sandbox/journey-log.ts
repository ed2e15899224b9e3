import { STARTED_BY_PREFIX } from '../src/launcher/run-task-input.js';
import type { DeliveryFailure } from './bus/local-event-bus.js';
import type { BusEvent } from './bus/put-events-entry.js';
import type { QueuedEvent } from './bus/sqs-queue-target.js';
import type { EcsTaskStateChangeEvent } from './ecs/task-state-change-event.js';
import type { RunTaskAnswer } from './observed-local-ecs.js';
import type { BatchOutcome } from './poller/sqs-poller.js';
import type { QueuedMessage } from './sqs/local-sqs.js';

/** Where the sandbox writes its lines (stdout for `npm start`, an array in tests). */
export type LogSink = (line: string) => void;

export interface JourneyLogOptions {
  readonly sink: LogSink;
  /** Batch type names by id, to say `type 1 (hello)`. */
  readonly batchTypeNames: ReadonlyMap<number, string>;
  /** The requests queue's maxReceiveCount, to say how many receives are left. */
  readonly maxReceiveCount: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** The steps a request goes through, in the order they usually appear. */
export const JourneyStep = {
  Received: 'received',
  Unmatched: 'unmatched',
  Queued: 'queued',
  Duplicate: 'duplicate',
  Launched: 'launched',
  Throttled: 'throttled',
  Unplaced: 'unplaced',
  Refused: 'refused',
  Running: 'running',
  Output: 'output',
  Stderr: 'stderr',
  Stopped: 'stopped',
  Result: 'result',
  Retry: 'retry',
  Rejected: 'rejected',
  DeadLettered: 'dlq',
  Failed: 'failed',
} as const;
export type JourneyStep = (typeof JourneyStep)[keyof typeof JourneyStep];

const LABEL_WIDTH = 22;
const STEP_WIDTH = 9;

/**
 * Tells each request's journey one readable line per step, from the sandbox's own observation
 * points: the bus (received, queued, unmatched), ECS (launched, running, the demo app's output,
 * stopped with its exit code), the poller (retries, duplicates), the DLQ (rejected with its
 * errorCode) and the monolith's subscription (result events). The handlers' own JSON logs are
 * not needed to follow a request.
 *
 * A request is named by its `requestId`, else by its SQS message id (`msg 1a2b3c4d`), which is
 * what the launcher uses as its key.
 */
export class JourneyLog {
  readonly #options: JourneyLogOptions;
  readonly #now: () => Date;
  /** Task ARN → request key, learnt from `startedBy`. */
  readonly #taskKeys = new Map<string, string>();
  readonly #taskStatuses = new Map<string, string>();
  /** Launches not yet matched with the acknowledgement of the record that caused them. */
  readonly #unacknowledgedLaunches = new Map<string, number>();
  readonly #launchedTasks = new Map<string, string>();
  readonly #queuedMessages = new Set<string>();
  readonly #deadLetteredSources = new Set<string>();
  #unmatched = 0;

  constructor(options: JourneyLogOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
  }

  /** A free-form line (start-up, warnings), in the same layout. */
  note(text: string): void {
    this.#write('sandbox', '', text);
  }

  /** An event accepted by PutEvents. Only BatchRequested is a journey's first step. */
  received(event: BusEvent, eventBusName: string): void {
    if (event['detail-type'] !== 'BatchRequested') return;
    const typeId = event.detail.batchTypeId;
    this.#write(
      labelOf(requestIdOf(event.detail), undefined, event.id),
      JourneyStep.Received,
      `BatchRequested ${this.#typeText(typeId)} on ${eventBusName} (event ${short(event.id)})`,
    );
  }

  /** An event that matched no rule: EventBridge would drop it without a word. */
  unmatched(event: BusEvent, eventBusName: string): void {
    this.#unmatched += 1;
    const hint =
      eventBusName !== 'batch-requests' && event['detail-type'] === 'BatchRequested'
        ? ' — put BatchRequested on EventBusName "batch-requests"'
        : '';
    this.#write(
      labelOf(requestIdOf(event.detail), undefined, event.id),
      JourneyStep.Unmatched,
      `no rule on bus "${eventBusName}" matches source "${event.source}", detail-type "${event['detail-type']}": ` +
        `dropped (${this.#unmatched} so far)${hint}`,
    );
  }

  /** The rule's SendMessage succeeded; a repeated body within 5 minutes answers the same message. */
  queued(queued: QueuedEvent): void {
    const label = labelOf(requestIdOf(queued.event.detail), queued.messageId);
    if (this.#queuedMessages.has(queued.messageId)) {
      this.#write(
        label,
        JourneyStep.Duplicate,
        `same body as message ${short(queued.messageId)}: collapsed by content-based deduplication`,
      );
      return;
    }
    this.#queuedMessages.add(queued.messageId);
    this.#write(
      label,
      JourneyStep.Queued,
      `message ${short(queued.messageId)} in group ${queued.messageGroupId} (rule ${queued.ruleName})`,
    );
  }

  /** ECS changed a task's status. */
  taskChanged(event: EcsTaskStateChangeEvent): void {
    const { detail } = event;
    const startedBy = detail.startedBy ?? '';
    const key = startedBy.startsWith(STARTED_BY_PREFIX)
      ? startedBy.slice(STARTED_BY_PREFIX.length)
      : undefined;
    if (key === undefined) return;
    this.#taskKeys.set(detail.taskArn, key);
    if (this.#taskStatuses.get(detail.taskArn) === detail.lastStatus) return;
    this.#taskStatuses.set(detail.taskArn, detail.lastStatus);
    const label = keyLabel(key);
    const task = `task ${short(taskIdOf(detail.taskArn))}`;
    switch (detail.lastStatus) {
      case 'PROVISIONING': {
        this.#unacknowledgedLaunches.set(key, (this.#unacknowledgedLaunches.get(key) ?? 0) + 1);
        this.#launchedTasks.set(key, detail.taskArn);
        const family = /task-definition\/([^:]+)/.exec(detail.taskDefinitionArn)?.[1] ?? '?';
        const cluster = detail.clusterArn.slice(detail.clusterArn.lastIndexOf('/') + 1);
        this.#write(label, JourneyStep.Launched, `${task} (${family}) on cluster ${cluster}`);
        return;
      }
      case 'RUNNING':
        this.#write(label, JourneyStep.Running, task);
        return;
      case 'STOPPED': {
        const exitCode = detail.containers[0]?.exitCode;
        const how = exitCode === undefined ? (detail.stopCode ?? 'no exit code') : `exit ${exitCode}`;
        this.#write(
          label,
          JourneyStep.Stopped,
          `${how} (${detail.stoppedReason ?? 'no reason given'}), ${task}`,
        );
        return;
      }
      default:
        this.#write(label, detail.lastStatus.toLowerCase() as JourneyStep, task);
    }
  }

  /** ECS answered a RunTask: throttling, `failures[]` and refusals are why a launch is retried. */
  runTaskAnswered(answer: RunTaskAnswer): void {
    const startedBy = answer.input.startedBy ?? '';
    const label = startedBy.startsWith(STARTED_BY_PREFIX)
      ? keyLabel(startedBy.slice(STARTED_BY_PREFIX.length))
      : `startedBy ${JSON.stringify(startedBy)}`;
    switch (answer.kind) {
      case 'started':
        // Told by its PROVISIONING state change ("launched").
        return;
      case 'repeated': {
        const known = answer.output.tasks?.[0];
        if (known?.taskArn !== undefined) {
          this.#write(
            label,
            JourneyStep.Duplicate,
            `same clientToken: ECS answered the original task ${short(taskIdOf(known.taskArn))}`,
          );
        }
        return;
      }
      case 'unplaced': {
        const reasons = (answer.output.failures ?? []).map((failure) => failure.reason ?? '?').join(', ');
        this.#write(label, JourneyStep.Unplaced, `RunTask answered failures[] (${reasons}) and no task`);
        return;
      }
      case 'throttled':
        this.#write(label, JourneyStep.Throttled, `RunTask answered ${answer.error.errorType}`);
        return;
      case 'refused':
        this.#write(label, JourneyStep.Refused, `RunTask answered ${describeEcsError(answer.error)}`);
        return;
    }
  }

  /** A line the task's process wrote. */
  taskOutput(taskArn: string, line: string, stream: 'stdout' | 'stderr'): void {
    const key = this.#taskKeys.get(taskArn);
    this.#write(
      key === undefined ? `task ${short(taskIdOf(taskArn))}` : keyLabel(key),
      stream === 'stdout' ? JourneyStep.Output : JourneyStep.Stderr,
      line,
    );
  }

  /**
   * A batch the launcher processed. Call it once the DLQ has been looked at, so a rejected record
   * is told as rejected, not as a duplicate.
   */
  batchProcessed(outcome: BatchOutcome): void {
    const deleted = new Set(outcome.deletedMessageIds);
    for (const record of outcome.records) {
      const label = labelOf(requestIdOfBody(record.body), record.messageId);
      const receiveCount = Number(record.attributes.ApproximateReceiveCount);
      if (!deleted.has(record.messageId)) {
        const last = receiveCount >= this.#options.maxReceiveCount;
        this.#write(
          label,
          JourneyStep.Retry,
          `not done (receive ${receiveCount} of ${this.#options.maxReceiveCount}): ` +
            (last
              ? 'SQS moves it to the DLQ on its next receive'
              : 'back in the queue after its visibility timeout') +
            (outcome.batchError === undefined
              ? ''
              : ` — the whole batch failed: ${describe(outcome.batchError)}`),
        );
        continue;
      }
      if (this.#deadLetteredSources.has(record.messageId)) continue;
      const key = requestIdOfBody(record.body) ?? record.messageId;
      const launches = this.#unacknowledgedLaunches.get(key) ?? 0;
      if (launches > 0) {
        this.#unacknowledgedLaunches.set(key, launches - 1);
        continue;
      }
      const task = this.#launchedTasks.get(key);
      this.#write(
        label,
        JourneyStep.Duplicate,
        task === undefined
          ? 'acknowledged without launching a task (already launched earlier)'
          : `already launched (task ${short(taskIdOf(task))}): acknowledged without a second task`,
      );
    }
  }

  /** A message reached the dead-letter queue. */
  deadLettered(message: QueuedMessage): void {
    const attribute = (name: string) => message.messageAttributes[name]?.StringValue;
    const errorCode = attribute('errorCode');
    if (errorCode !== undefined) {
      const source = attribute('sourceMessageId');
      if (source !== undefined) this.#deadLetteredSources.add(source);
      this.#write(
        labelOf(attribute('requestId') ?? requestIdOfBody(message.body), source ?? message.messageId),
        JourneyStep.Rejected,
        `${errorCode}: ${attribute('errorMessage') ?? ''} → DLQ`,
      );
      return;
    }
    this.#write(
      labelOf(requestIdOfBody(message.body), message.messageId),
      JourneyStep.DeadLettered,
      `moved to the DLQ by SQS after ${message.approximateReceiveCount - 1} receives ` +
        `(maxReceiveCount ${this.#options.maxReceiveCount})`,
    );
  }

  /** A result event reached the monolith's subscription. */
  result(event: BusEvent): void {
    const { detail } = event;
    const facts = [
      typeof detail.exitCode === 'number' ? `exit ${detail.exitCode}` : undefined,
      typeof detail.runMs === 'number' ? `ran ${detail.runMs} ms` : undefined,
    ].filter((fact) => fact !== undefined);
    this.#write(
      keyLabel(typeof detail.requestId === 'string' ? detail.requestId : '?'),
      JourneyStep.Result,
      `${event['detail-type']}${facts.length > 0 ? ` (${facts.join(', ')})` : ''} published on the bus`,
    );
  }

  /** A rule could not deliver an event after every attempt. */
  deliveryFailed(failure: DeliveryFailure): void {
    const { event } = failure;
    const key =
      requestIdOf(event.detail) ??
      (typeof event.detail.startedBy === 'string' && event.detail.startedBy.startsWith(STARTED_BY_PREFIX)
        ? event.detail.startedBy.slice(STARTED_BY_PREFIX.length)
        : undefined);
    this.#write(
      key === undefined ? `event ${short(event.id)}` : keyLabel(key),
      JourneyStep.Failed,
      `rule ${failure.ruleName} could not deliver to ${failure.targetId} in ${failure.attempts} attempts: ${describe(failure.error)}`,
    );
  }

  #typeText(typeId: unknown): string {
    if (typeof typeId !== 'number') return `type ${JSON.stringify(typeId) ?? '(missing)'}`;
    const name = this.#options.batchTypeNames.get(typeId);
    return `type ${typeId} (${name ?? 'not in the catalog'})`;
  }

  #write(label: string, step: string, text: string): void {
    const time = this.#now().toISOString().slice(11, 23);
    this.#options.sink(`${time}  ${label.padEnd(LABEL_WIDTH)} ${step.padEnd(STEP_WIDTH)} ${text}`.trimEnd());
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A launcher key is a requestId or, without one, the SQS message id. */
function keyLabel(key: string): string {
  return UUID.test(key) ? `msg ${short(key)}` : key;
}

function labelOf(requestId: string | undefined, messageId?: string, eventId?: string): string {
  if (requestId !== undefined) return requestId;
  if (messageId !== undefined) return `msg ${short(messageId)}`;
  return eventId === undefined ? '?' : `event ${short(eventId)}`;
}

function requestIdOf(detail: Record<string, unknown>): string | undefined {
  return typeof detail.requestId === 'string' && detail.requestId !== '' ? detail.requestId : undefined;
}

/** The queue body is `{"version":1,"detail":{...}}` (the routing module's input template). */
function requestIdOfBody(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { detail?: unknown };
    return typeof parsed.detail === 'object' && parsed.detail !== null
      ? requestIdOf(parsed.detail as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function taskIdOf(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf('/') + 1);
}

function short(id: string): string {
  return id.slice(0, 8);
}

function describeEcsError(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'errorType' in error) {
    return `${String(error.errorType)}: ${(error as { message?: string }).message ?? ''}`;
  }
  return describe(error);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
