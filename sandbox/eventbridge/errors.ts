/**
 * Errors of the local EventBridge emulation. They mirror what the real service answers
 * (PutRule's `InvalidEventPatternException`, PutTargets' `ValidationException`) so that a
 * mistake in a pattern or an input template fails in the sandbox exactly where it would fail
 * on deployment, instead of silently routing nothing.
 */
export class EventBridgeSandboxError extends Error {
  /** The AWS error type the real service would answer with. */
  readonly awsErrorType: string;

  constructor(awsErrorType: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EventBridgeSandboxError';
    this.awsErrorType = awsErrorType;
  }
}

/** A pattern that PutRule would reject with `InvalidEventPatternException`. */
export class InvalidEventPatternError extends EventBridgeSandboxError {
  constructor(message: string, options?: ErrorOptions) {
    super('InvalidEventPatternException', `Event pattern is not valid. Reason: ${message}`, options);
    this.name = 'InvalidEventPatternError';
  }
}

/** An input transformer that PutTargets would reject, or that cannot be applied to an event. */
export class InvalidInputTransformerError extends EventBridgeSandboxError {
  constructor(message: string, options?: ErrorOptions) {
    super('ValidationException', `Input transformer is not valid: ${message}`, options);
    this.name = 'InvalidInputTransformerError';
  }
}
