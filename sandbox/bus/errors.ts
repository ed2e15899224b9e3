/**
 * Errors the local EventBridge endpoint answers a whole call with (per-entry problems are
 * answered in `Entries[]`, as EventBridge does). Each carries the AWS error type the real service
 * uses, sent as `__type`, so an AWS SDK or the AWS CLI raises the exception it would raise in AWS.
 */
export class EventsApiError extends Error {
  /** The `__type` of the error on the wire. */
  readonly errorType: string;
  readonly httpStatusCode: number;

  constructor(errorType: string, message: string, httpStatusCode = 400, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EventsApiError';
    this.errorType = errorType;
    this.httpStatusCode = httpStatusCode;
  }
}

/** The request breaks a documented constraint (entry count, total size): nothing was put. */
export class ValidationError extends EventsApiError {
  constructor(message: string) {
    super('ValidationException', message);
    this.name = 'ValidationError';
  }
}

/** A target could not take an event after every attempt: counted, logged, kept for inspection. */
export class DeliveryError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DeliveryError';
  }
}
