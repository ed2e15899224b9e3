import type { QueuedMessage } from './local-sqs.js';

export interface DeadLetterWatcherOptions {
  /** Reads the DLQ without receiving from it (`LocalSqs.peek`). */
  readonly peek: () => Promise<QueuedMessage[]>;
  /** Called once per message that reaches the DLQ, oldest first. */
  readonly onDeadLetter: (message: QueuedMessage) => void;
  /** @default 250 */
  readonly intervalMs?: number;
  readonly onError?: (error: unknown) => void;
}

/**
 * Notices every message that arrives in the dead-letter queue, whether the launcher moved it
 * there at once (with `errorCode` and `errorMessage` attributes) or SQS redrove it after
 * `maxReceiveCount` receives. It looks without receiving, so it changes nothing that ops, tests
 * or a redrive would see.
 */
export class DeadLetterWatcher {
  readonly #options: DeadLetterWatcherOptions;
  readonly #seen = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #lastScan: Promise<void> = Promise.resolve();

  constructor(options: DeadLetterWatcherOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      void this.scan().catch((error: unknown) => this.#options.onError?.(error));
    }, this.#options.intervalMs ?? 250);
  }

  /** Looks at the DLQ now (after any look under way, so what is there now is seen). */
  scan(): Promise<void> {
    const scan = this.#lastScan.catch(() => undefined).then(() => this.#scan());
    this.#lastScan = scan;
    return scan;
  }

  /** Stops looking, after one last look so nothing that already arrived goes unreported. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.scan().catch((error: unknown) => this.#options.onError?.(error));
  }

  async #scan(): Promise<void> {
    for (const message of await this.#options.peek()) {
      if (this.#seen.has(message.messageId)) continue;
      this.#seen.add(message.messageId);
      this.#options.onDeadLetter(message);
    }
  }
}
