import { describe, expect, it } from '@jest/globals';
import { TokenBucket } from '../../../sandbox/ecs/token-bucket.js';

describe('TokenBucket', () => {
  it('grants the burst at once, then refuses until tokens refill at the sustained rate', () => {
    // Arrange
    let now = 0;
    const bucket = new TokenBucket({ ratePerSecond: 20, burst: 100 }, () => now);

    // Act
    const burst = Array.from({ length: 101 }, () => bucket.tryTake());
    now += 50; // 50 ms at 20/s is one token
    const afterOneToken = [bucket.tryTake(), bucket.tryTake()];

    // Assert
    expect(burst.filter(Boolean)).toHaveLength(100);
    expect(burst.at(-1)).toBe(false);
    expect(afterOneToken).toEqual([true, false]);
  });

  it('never holds more than the burst when idle for long', () => {
    let now = 0;
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 2 }, () => now);
    now += 60_000;

    const granted = Array.from({ length: 5 }, () => bucket.tryTake()).filter(Boolean);

    expect(granted).toHaveLength(2);
  });

  it.each([
    [{ ratePerSecond: 0, burst: 1 }],
    [{ ratePerSecond: 1, burst: 0 }],
    [{ ratePerSecond: Number.NaN, burst: 1 }],
  ])('refuses a limit that could never grant a call: %j', (limit) => {
    expect(() => new TokenBucket(limit)).toThrow(RangeError);
  });
});
