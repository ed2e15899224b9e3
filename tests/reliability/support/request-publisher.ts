import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Sandbox } from '../../../sandbox/sandbox.js';

/** One BatchRequested to put: `detail` goes on the bus as is. */
export interface RequestToPut {
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface PublishOptions {
  /** Entries per PutEvents call (1-10). @default 1, one request per call as a monolith sends them */
  readonly entriesPerCall?: number;
  /** PutEvents calls under way at once. @default 8 */
  readonly concurrency?: number;
  /** Pace: at most this many entries per second; unpaced when absent. */
  readonly ratePerSecond?: number;
  /** Called with the number of entries put so far, at most once a call. */
  readonly onProgress?: (put: number) => void;
}

/**
 * Puts BatchRequested events on the sandbox's bus through the EventBridge API, as the monolith
 * does, and answers when each was sent (epoch ms, taken just before its PutEvents call), in the
 * order given. A refused entry throws: a load run must not silently lose its input.
 */
export async function putRequests(
  events: Pick<EventBridgeClient, 'send'>,
  sandbox: Pick<Sandbox, 'eventBusName' | 'config'>,
  requests: readonly RequestToPut[],
  options: PublishOptions = {},
): Promise<number[]> {
  const perCall = options.entriesPerCall ?? 1;
  const sentAt = new Array<number>(requests.length);
  const started = performance.now();
  let next = 0;
  let put = 0;
  const worker = async (): Promise<void> => {
    while (next < requests.length) {
      const from = next;
      const to = Math.min(requests.length, from + perCall);
      next = to;
      if (options.ratePerSecond !== undefined) {
        const due = started + (from / options.ratePerSecond) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      const batch = requests.slice(from, to);
      const at = Date.now();
      const answer = await events.send(
        new PutEventsCommand({
          Entries: batch.map((request) => ({
            EventBusName: sandbox.eventBusName,
            Source: sandbox.config.monolith.eventSource,
            DetailType: 'BatchRequested',
            Detail: JSON.stringify(request.detail),
          })),
        }),
      );
      if (answer.FailedEntryCount !== 0) {
        throw new Error(`PutEvents refused entries: ${JSON.stringify(answer.Entries)}`);
      }
      sentAt.fill(at, from, to);
      put += batch.length;
      options.onProgress?.(put);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return sentAt;
}
