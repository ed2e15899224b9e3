/** Refill rate and capacity of a {@link TokenBucket}. */
export interface RateLimit {
  /** Tokens added per second (the sustained rate). */
  readonly ratePerSecond: number;
  /** Bucket capacity (the burst). */
  readonly burst: number;
}

/**
 * A token bucket, the way AWS throttles its APIs: `burst` calls at once, then `ratePerSecond`
 * sustained. The sandbox uses it to answer RunTask with `ThrottlingException` so the launcher's
 * transient-error path (backoff through visibility timeout) can be exercised locally.
 */
export class TokenBucket {
  readonly #limit: RateLimit;
  readonly #now: () => number;
  #tokens: number;
  #refilledAt: number;

  /**
   * @param limit - refill rate and capacity; both must be positive
   * @param now - clock in milliseconds, injectable so tests are deterministic
   */
  constructor(limit: RateLimit, now: () => number = Date.now) {
    if (!(limit.ratePerSecond > 0) || !(limit.burst >= 1)) {
      throw new RangeError(
        `A rate limit needs ratePerSecond > 0 and burst >= 1 (got ${limit.ratePerSecond}/s, burst ${limit.burst}).`,
      );
    }
    this.#limit = limit;
    this.#now = now;
    this.#tokens = limit.burst;
    this.#refilledAt = now();
  }

  /** Takes one token; `false` when the bucket is empty, meaning "throttle this call". */
  tryTake(): boolean {
    const now = this.#now();
    const elapsedSeconds = Math.max(0, now - this.#refilledAt) / 1000;
    this.#tokens = Math.min(this.#limit.burst, this.#tokens + elapsedSeconds * this.#limit.ratePerSecond);
    this.#refilledAt = now;
    if (this.#tokens < 1) {
      return false;
    }
    this.#tokens -= 1;
    return true;
  }
}
