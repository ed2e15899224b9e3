import type { SQSClient } from '@aws-sdk/client-sqs';
import { type PollerStats, type SqsBatchHandler, SqsPoller } from '../../../sandbox/poller/sqs-poller.js';
import type { Sandbox } from '../../../sandbox/sandbox.js';

export interface CrashableLauncherOptions {
  readonly sandbox: Pick<Sandbox, 'queueUrl' | 'queueArn' | 'region' | 'accountId' | 'config'>;
  readonly client: Pick<SQSClient, 'send'>;
  /** The real launch-batch handler. */
  readonly handler: SqsBatchHandler;
  /** @default 1 */
  readonly waitTimeSeconds?: number;
  readonly onError?: (error: unknown) => void;
}

/** What one crash left behind. */
export interface Crash {
  /** Records of invocations under way when it crashed, or received by the dying poller after. */
  readonly abandonedRecords: number;
}

const CRASHED = 'launch-batch crashed (simulated): the invocation is abandoned, nothing is deleted';

/** One execution environment: its invocations fail together when it crashes. */
interface Generation {
  crashed: boolean;
  inFlight: number;
  readonly crash: (error: Error) => void;
  readonly signal: Promise<never>;
}

/**
 * The launcher's event source mapping, as a Lambda that can crash: each generation is a fresh
 * `SqsPoller` (the sandbox's own, with the stage's concurrency) driving the real handler.
 * `crash()` makes every invocation under way fail at once, as if the function's process had
 * died: the poller deletes nothing (a failed invocation retries its whole batch), so the
 * messages stay in flight until their visibility timeout and come back with one more receive.
 * The poller of that generation is then stopped and a new one started, as Lambda starts a new
 * execution environment.
 *
 * What it cannot do in one process: stop the dead invocation's code. The real handler keeps
 * running in the background and its last writes (RunTask, the idempotency record, a DLQ send, a
 * visibility change) still happen; only its answer is lost. So a crash here is "the function
 * died after some of its work and before the poller deleted anything", at whatever point each
 * record had reached.
 */
export class CrashableLauncher {
  readonly #options: CrashableLauncherOptions;
  readonly #seen = new Set<string>();
  readonly #finished: PollerStats[] = [];
  #poller: SqsPoller | undefined;
  #generation: Generation | undefined;
  #abandoned = 0;

  constructor(options: CrashableLauncherOptions) {
    this.#options = options;
  }

  /** Distinct SQS messages the launcher received: the queue's view of the input. */
  get messagesSeen(): number {
    return this.#seen.size;
  }

  /** Records in the running generation's invocations under way. */
  get recordsInFlight(): number {
    return this.#generation?.inFlight ?? 0;
  }

  /** Every generation's poller statistics, added up. */
  get stats(): PollerStats {
    const all = [...this.#finished, ...(this.#poller === undefined ? [] : [this.#poller.stats])];
    return {
      batches: sum(all, 'batches'),
      records: sum(all, 'records'),
      deleted: sum(all, 'deleted'),
      retried: sum(all, 'retried'),
      failedBatches: sum(all, 'failedBatches'),
    };
  }

  /** Starts a new generation: a new poller, a new "execution environment". */
  start(): void {
    if (this.#poller !== undefined) throw new Error('The launcher is running: crash() or stop() it first.');
    let crash: (error: Error) => void = () => undefined;
    const signal = new Promise<never>((_resolve, reject) => {
      crash = reject;
    });
    // Only the race observes it; a rejection nobody awaits must not be reported as unhandled.
    signal.catch(() => undefined);
    const generation: Generation = { crashed: false, inFlight: 0, crash, signal };
    this.#generation = generation;
    const { sandbox } = this.#options;
    this.#poller = new SqsPoller({
      client: this.#options.client,
      queueUrl: sandbox.queueUrl,
      queueArn: sandbox.queueArn,
      region: sandbox.region,
      accountId: sandbox.accountId,
      functionName: 'launch-batch',
      handler: (event, context) => this.#invoke(generation, event, context),
      timeoutMs: sandbox.config.launcher.timeoutSeconds * 1000,
      concurrency: sandbox.config.launcher.maxConcurrency,
      waitTimeSeconds: this.#options.waitTimeSeconds ?? 1,
      onError: (error) => this.#options.onError?.(error),
    });
    this.#poller.start();
  }

  /** Crashes the running generation, then stops its poller. Start a new one with `start()`. */
  async crash(): Promise<Crash> {
    const generation = this.#generation;
    if (generation === undefined) throw new Error('Nothing to crash: start() first.');
    const before = this.#abandoned;
    this.#abandoned += generation.inFlight;
    generation.crashed = true;
    generation.crash(new Error(CRASHED));
    await this.#retire();
    return { abandonedRecords: this.#abandoned - before };
  }

  /** Stops receiving, finishing the batches under way (a clean shutdown, not a crash). */
  async stop(): Promise<void> {
    await this.#retire();
  }

  async #retire(): Promise<void> {
    const poller = this.#poller;
    if (poller === undefined) return;
    await poller.stop();
    this.#finished.push(poller.stats);
    this.#poller = undefined;
    this.#generation = undefined;
  }

  async #invoke(generation: Generation, ...[event, context]: Parameters<SqsBatchHandler>): Promise<unknown> {
    for (const record of event.Records) this.#seen.add(record.messageId);
    if (generation.crashed) {
      // Received by the dying poller after the crash: never reaches a live function.
      this.#abandoned += event.Records.length;
      throw new Error(CRASHED);
    }
    generation.inFlight += event.Records.length;
    const work = this.#options.handler(event, context).finally(() => {
      generation.inFlight -= event.Records.length;
    });
    // The dead invocation's code keeps running; nobody hears its answer.
    work.catch(() => undefined);
    return Promise.race([work, generation.signal]);
  }
}

function sum(stats: readonly PollerStats[], key: keyof PollerStats): number {
  return stats.reduce((total, item) => total + item[key], 0);
}
