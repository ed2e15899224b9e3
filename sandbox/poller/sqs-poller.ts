import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaContext } from '../lambda-context.js';
import { batchVerdict } from './batch-response.js';
import { sqsRecord } from './sqs-event.js';

/** A Lambda handler for SQS batches (launch-batch's). */
export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<unknown>;

/** How one batch ended. */
export interface BatchOutcome {
  readonly records: readonly SQSRecord[];
  /** Deleted from the queue: processed, or handed on (to the DLQ) by the function. */
  readonly deletedMessageIds: readonly string[];
  /** Left in the queue: they reappear after their visibility timeout. */
  readonly retriedMessageIds: readonly string[];
  /** Why the whole batch was retried (the function threw, timed out or answered nonsense). */
  readonly batchError?: unknown;
}

export type PollerPhase = 'receive' | 'delete' | 'observe';

export interface SqsPollerOptions {
  readonly client: Pick<SQSClient, 'send'>;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly region: string;
  readonly accountId: string;
  readonly functionName: string;
  readonly handler: SqsBatchHandler;
  /** The function's timeout: `getRemainingTimeInMillis()` counts down from it; past it, the batch fails. */
  readonly timeoutMs: number;
  /** Messages per batch, 1-10 (the event source mapping's BatchSize for FIFO queues). @default 10 */
  readonly batchSize?: number;
  /**
   * Long-poll wait of each ReceiveMessage, 0-20 s. The event source mapping waits 20 s; a short
   * wait makes `stop()` quick, since a stopping poller lets its current receive finish.
   * @default 1
   */
  readonly waitTimeSeconds?: number;
  /** Pollers receiving and invoking side by side (FIFO: at most one batch per message group). @default 1 */
  readonly concurrency?: number;
  /** Pause after a failed ReceiveMessage. @default 1000 */
  readonly errorBackoffMs?: number;
  /** Called after each batch; awaited before the poller receives again. */
  readonly onBatch?: (outcome: BatchOutcome) => void | Promise<void>;
  /** Called with what went wrong outside the function (receive, delete, onBatch). @default stderr */
  readonly onError?: (error: unknown, phase: PollerPhase) => void;
}

export interface PollerStats {
  readonly batches: number;
  readonly records: number;
  readonly deleted: number;
  /** Records left for redelivery (reported in batchItemFailures, or of a failed batch). */
  readonly retried: number;
  /** Batches retried whole because the function threw, timed out or answered nonsense. */
  readonly failedBatches: number;
}

/**
 * Drives a Lambda SQS handler with the semantics of Lambda's SQS event source mapping with
 * `ReportBatchItemFailures`: long polling, batches of up to 10 received with every system and
 * message attribute, the `SQSEvent` built as Lambda builds it, a Lambda-like context, then
 * DeleteMessageBatch of every record not reported in `batchItemFailures` (nothing when the
 * function throws or times out). Failed records stay in the queue and reappear after their
 * visibility timeout, and the queue's redrive policy counts their receives.
 *
 * `stop()` stops receiving, lets a receive under way finish and finishes the batch in flight, so
 * no message is left invisible; `start()` may be called again afterwards.
 */
export class SqsPoller {
  readonly #options: SqsPollerOptions;
  readonly #batchSize: number;
  readonly #waitTimeSeconds: number;
  readonly #concurrency: number;
  readonly #onError: (error: unknown, phase: PollerPhase) => void;
  #workers: Promise<void>[] = [];
  #stopping = false;
  readonly #wakers = new Set<() => void>();
  #stats = { batches: 0, records: 0, deleted: 0, retried: 0, failedBatches: 0 };

  constructor(options: SqsPollerOptions) {
    this.#batchSize = options.batchSize ?? 10;
    this.#waitTimeSeconds = options.waitTimeSeconds ?? 1;
    this.#concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(this.#batchSize) || this.#batchSize < 1 || this.#batchSize > 10) {
      throw new RangeError(`batchSize must be an integer from 1 to 10 (got ${this.#batchSize}).`);
    }
    if (!Number.isInteger(this.#waitTimeSeconds) || this.#waitTimeSeconds < 0 || this.#waitTimeSeconds > 20) {
      throw new RangeError(`waitTimeSeconds must be an integer from 0 to 20 (got ${this.#waitTimeSeconds}).`);
    }
    if (!Number.isInteger(this.#concurrency) || this.#concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer (got ${this.#concurrency}).`);
    }
    this.#options = options;
    this.#onError =
      options.onError ??
      ((error, phase) =>
        process.stderr.write(`poller ${options.functionName} (${phase}): ${String(error)}\n`));
  }

  get running(): boolean {
    return this.#workers.length > 0 && !this.#stopping;
  }

  get stats(): PollerStats {
    return { ...this.#stats };
  }

  /** Starts `concurrency` pollers. Does nothing when already running. */
  start(): void {
    if (this.#workers.length > 0) {
      if (this.#stopping) throw new Error('The poller is stopping: await stop() before starting it again.');
      return;
    }
    this.#stopping = false;
    this.#workers = Array.from({ length: this.#concurrency }, () => this.#work());
  }

  /** Stops receiving and resolves once every batch in flight has been processed and deleted. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const wake of this.#wakers) wake();
    await Promise.all(this.#workers);
    this.#workers = [];
    this.#stopping = false;
  }

  async #work(): Promise<void> {
    while (!this.#stopping) {
      let messages: Message[];
      try {
        messages = await this.#receive();
      } catch (error) {
        this.#onError(error, 'receive');
        await this.#pause(this.#options.errorBackoffMs ?? 1000);
        continue;
      }
      if (messages.length > 0) {
        await this.#process(messages);
      }
    }
  }

  async #receive(): Promise<Message[]> {
    const received = await this.#options.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.#options.queueUrl,
        MaxNumberOfMessages: this.#batchSize,
        WaitTimeSeconds: this.#waitTimeSeconds,
        AttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    return received.Messages ?? [];
  }

  async #process(messages: readonly Message[]): Promise<void> {
    const { queueArn, region } = this.#options;
    const records = messages.map((message) => sqsRecord(message, { queueArn, region }));
    let verdict: ReturnType<typeof batchVerdict>;
    let batchError: unknown;
    try {
      verdict = batchVerdict(records, await this.#invoke(records));
    } catch (error) {
      verdict = { kind: 'batchFailed', reason: String(error) };
      batchError = error;
    }
    if (verdict.kind === 'batchFailed') {
      batchError ??= new Error(`The batch is retried: ${verdict.reason}`);
    }
    const retried = new Set(
      verdict.kind === 'partial' ? verdict.failedMessageIds : records.map((record) => record.messageId),
    );
    const toDelete = records.filter((record) => !retried.has(record.messageId));
    const deleted = await this.#delete(toDelete);
    this.#stats.batches += 1;
    this.#stats.records += records.length;
    this.#stats.deleted += deleted.length;
    this.#stats.retried += retried.size;
    if (batchError !== undefined) this.#stats.failedBatches += 1;
    try {
      await this.#options.onBatch?.({
        records,
        deletedMessageIds: deleted,
        retriedMessageIds: [...retried],
        ...(batchError === undefined ? {} : { batchError }),
      });
    } catch (error) {
      this.#onError(error, 'observe');
    }
  }

  async #invoke(records: SQSRecord[]): Promise<unknown> {
    const { functionName, timeoutMs, region, accountId } = this.#options;
    const context = lambdaContext({ functionName, timeoutMs, region, accountId });
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.#options.handler({ Records: records }, context),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(
            () => reject(new Error(`${functionName} timed out after ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Deletes the records; answers the ids actually deleted. */
  async #delete(records: readonly SQSRecord[]): Promise<string[]> {
    if (records.length === 0) return [];
    try {
      const answer = await this.#options.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.#options.queueUrl,
          Entries: records.map((record, index) => ({ Id: `m${index}`, ReceiptHandle: record.receiptHandle })),
        }),
      );
      for (const failure of answer.Failed ?? []) {
        this.#onError(
          new Error(`DeleteMessageBatch failed for ${failure.Id}: ${failure.Code} ${failure.Message}`),
          'delete',
        );
      }
      const deleted = new Set((answer.Successful ?? []).map((entry) => entry.Id));
      return records.filter((_record, index) => deleted.has(`m${index}`)).map((record) => record.messageId);
    } catch (error) {
      this.#onError(error, 'delete');
      return [];
    }
  }

  /** Waits `ms`, or less if `stop()` is called meanwhile. */
  async #pause(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#wakers.add(wake);
    });
  }
}
