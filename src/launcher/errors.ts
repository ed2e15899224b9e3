/**
 * The launcher's failure classes (DESIGN "Failure classes"). A failure class is
 * a type: the record processor branches on `instanceof`, never on strings.
 */

/** Codes the launcher itself assigns; ECS rejections keep ECS's own exception name. */
export const ErrorCode = {
  InvalidJson: 'InvalidJson',
  SchemaViolation: 'SchemaViolation',
  UnknownBatchType: 'UnknownBatchType',
  OverridesTooLarge: 'OverridesTooLarge',
  RequestIdReused: 'RequestIdReused',
  EcsNoTask: 'EcsNoTask',
  EcsUnavailable: 'EcsUnavailable',
  LaunchInProgress: 'LaunchInProgress',
  IdempotencyStoreUnavailable: 'IdempotencyStoreUnavailable',
  DlqUnavailable: 'DlqUnavailable',
  PreviousRecordFailed: 'PreviousRecordFailed',
  /** A bug, not a class of failure: retried, then moved to the DLQ by SQS, and logged with its stack. */
  Unexpected: 'Unexpected',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base of every error the launcher classifies. `code` lands in the DLQ's `errorCode` attribute. */
export abstract class LaunchError extends Error {
  abstract readonly failureClass: 'permanent' | 'transient';
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Retrying cannot help (bad input, unknown batch type, ECS refusing the request):
 * the message goes to the DLQ at once so it does not block its message group.
 */
export class PermanentLaunchError extends LaunchError {
  readonly failureClass = 'permanent' as const;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = 'PermanentLaunchError';
  }
}

/** May succeed later (throttling, capacity, a store or queue unavailable): SQS redelivers it. */
export class TransientLaunchError extends LaunchError {
  readonly failureClass = 'transient' as const;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = 'TransientLaunchError';
  }
}

/** A later record of a message group whose earlier record failed: not processed, reported failed. */
export class GroupShortCircuitError extends TransientLaunchError {
  constructor(groupId: string, failedMessageId: string) {
    super(
      ErrorCode.PreviousRecordFailed,
      `A previous record (${failedMessageId}) of message group "${groupId}" failed. ` +
        'This record was not processed to keep the group in order; SQS will deliver it again.',
    );
    this.name = 'GroupShortCircuitError';
  }
}

/**
 * ECS exceptions that no retry can fix. Everything else from ECS (throttling,
 * 5xx, network, unknown) is transient: retried, then moved to the DLQ by SQS.
 */
const PERMANENT_ECS_ERRORS = new Set([
  'InvalidParameterException',
  'ClientException',
  'AccessDeniedException',
  'ConflictException',
  'ClusterNotFoundException',
  'PlatformUnknownException',
  'PlatformTaskDefinitionIncompatibilityException',
  'UnsupportedFeatureException',
  'BlockedException',
]);

/** Turns whatever a RunTask call threw into a classified launch error. */
export function classifyEcsError(error: unknown): LaunchError {
  if (error instanceof LaunchError) return error;
  const name = error instanceof Error ? error.name : 'UnknownError';
  const message = error instanceof Error ? error.message : String(error);
  if (PERMANENT_ECS_ERRORS.has(name)) {
    const hint =
      name === 'ConflictException'
        ? 'a task was already launched for this request with other parameters (same clientToken)'
        : 'ECS refused the request; fix the catalog entry or the request, then redrive';
    return new PermanentLaunchError(name, `ecs:RunTask failed with ${name}: ${message} (${hint})`, {
      cause: error,
    });
  }
  return new TransientLaunchError(ErrorCode.EcsUnavailable, `ecs:RunTask failed with ${name}: ${message}`, {
    cause: error,
  });
}
