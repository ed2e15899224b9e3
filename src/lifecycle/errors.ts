/** Failures of the lifecycle table. A stale write is not one: it is an expected outcome. */

/** DynamoDB failed or answered something unreadable; the caller decides whether to retry. */
export class LifecycleStoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LifecycleStoreError';
  }
}
