/**
 * track-task's failures. Each one fails the invocation on purpose: Lambda retries
 * the event, then hands it to the on-failure destination where ops see it.
 */

export abstract class TrackingError extends Error {}

/** The event does not have the shape of an ECS Task State Change. */
export class TaskStateChangeError extends TrackingError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TaskStateChangeError';
  }
}

/**
 * The result event did not reach the bus (PutEvents threw, or answered 200 with
 * a failed entry). The lifecycle record stays "not yet announced", so the retry
 * publishes it.
 */
export class ResultPublishError extends TrackingError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ResultPublishError';
  }
}
