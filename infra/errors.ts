/** Raised while building the stack: the message names the setting and what to change. */
export class InfraError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InfraError';
  }
}

/**
 * A construct was given props it cannot honour (for example a queue whose
 * visibility timeout is shorter than six function timeouts). Thrown from the
 * constructor so synthesis fails before anything reaches CloudFormation.
 */
export class ConstructPropsError extends InfraError {
  constructor(construct: string, message: string, options?: ErrorOptions) {
    super(`${construct}: ${message}`, options);
    this.name = 'ConstructPropsError';
  }
}

/** `--context stage=<name>` is missing or names no stage in `config/stages/`. */
export class StageSelectionError extends InfraError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StageSelectionError';
  }
}
