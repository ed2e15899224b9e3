import { describe, expect, it } from '@jest/globals';
import { ClientTokenRegistry } from '../../../sandbox/ecs/client-token-registry.js';

const HOUR = 60 * 60 * 1000;
const created = new Date('2024-05-01T00:00:00.000Z');
const entry = { fingerprint: '{}', taskArns: ['arn:task/1'], createdAt: created };

function at(offsetMs: number): Date {
  return new Date(created.getTime() + offsetMs);
}

describe('ClientTokenRegistry', () => {
  it('remembers a token of a running task for 24 hours, not longer', () => {
    const registry = new ClientTokenRegistry(() => undefined);
    registry.remember('local', 'token', entry);

    expect(registry.find('local', 'token', at(24 * HOUR - 1))).toBe(entry);
    expect(registry.find('local', 'token', at(24 * HOUR))).toBeUndefined();
  });

  it('forgets a token one hour after its tasks stopped', () => {
    const registry = new ClientTokenRegistry(() => at(2 * HOUR));
    registry.remember('local', 'token', entry);

    expect(registry.find('local', 'token', at(3 * HOUR - 1))).toBe(entry);
    expect(registry.find('local', 'token', at(3 * HOUR))).toBeUndefined();
  });

  it('keeps tokens of different clusters apart', () => {
    const registry = new ClientTokenRegistry(() => undefined);
    registry.remember('local', 'token', entry);

    expect(registry.find('other', 'token', created)).toBeUndefined();
  });
});
