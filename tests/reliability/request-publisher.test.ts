import type { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { putRequests } from './support/request-publisher.js';

const SANDBOX = {
  eventBusName: 'batch-requests',
  config: { monolith: { eventSource: 'local.monolith' } },
} as Parameters<typeof putRequests>[1];

/**
 * An EventBridge client that answers each call after its own delay (so calls finish out of
 * order) and notes the clock when each entry arrived.
 */
function recordingEvents() {
  const arrivedAt = new Map<number, number>();
  let calls = 0;
  const events = {
    send: async (command: PutEventsCommand) => {
      const entries = command.input.Entries ?? [];
      for (const entry of entries) arrivedAt.set(JSON.parse(entry.Detail ?? '{}').index, Date.now());
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, (calls * 7) % 13));
      return { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `e${i}` })) };
    },
  };
  return { events: events as unknown as Parameters<typeof putRequests>[0], arrivedAt };
}

describe('putRequests', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('answers each request the time its own call was sent when calls overlap and finish out of order', async () => {
    // Arrange: a clock that moves only with the timers, so "sent" and "arrived" are the same instant.
    jest.useFakeTimers({ now: 0 });
    const { events, arrivedAt } = recordingEvents();
    const requests = Array.from({ length: 60 }, (_, index) => ({ detail: { index } }));

    // Act
    const putting = putRequests(events, SANDBOX, requests, { concurrency: 4, entriesPerCall: 3 });
    await jest.runAllTimersAsync();
    const sentAt = await putting;

    // Assert
    expect(sentAt).toEqual(requests.map((_, index) => arrivedAt.get(index)));
    expect(new Set(sentAt).size).toBeGreaterThan(5);
  });

  it('puts the entries on the sandbox bus as BatchRequested from the monolith source', async () => {
    const sent: PutEventsCommand[] = [];
    const events = {
      send: async (command: PutEventsCommand) => {
        sent.push(command);
        return { FailedEntryCount: 0, Entries: [{ EventId: 'e' }] };
      },
    } as unknown as Parameters<typeof putRequests>[0];

    await putRequests(events, SANDBOX, [{ detail: { batchTypeId: 1 } }]);

    expect(sent[0]?.input.Entries).toEqual([
      {
        EventBusName: 'batch-requests',
        Source: 'local.monolith',
        DetailType: 'BatchRequested',
        Detail: '{"batchTypeId":1}',
      },
    ]);
  });

  it('throws when PutEvents refuses an entry, so a run never loses its input silently', async () => {
    const events = {
      send: async () => ({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] }),
    } as unknown as Parameters<typeof putRequests>[0];

    await expect(putRequests(events, SANDBOX, [{ detail: {} }])).rejects.toThrow('PutEvents refused entries');
  });
});
