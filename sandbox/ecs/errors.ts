/**
 * The errors the local ECS control plane answers with. Each carries the AWS error type the real
 * service uses (`errorType`), which the JSON protocol handler sends as `__type`, so an AWS SDK
 * or the AWS CLI sees exactly the exception it would get from ECS (`ClusterNotFoundException`,
 * `ThrottlingException`, ...), and the launcher's error classification is exercised for real.
 */
export const EcsErrorType = {
  ClusterNotFound: 'ClusterNotFoundException',
  InvalidParameter: 'InvalidParameterException',
  Client: 'ClientException',
  Conflict: 'ConflictException',
  Throttling: 'ThrottlingException',
  Server: 'ServerException',
} as const;
export type EcsErrorType = (typeof EcsErrorType)[keyof typeof EcsErrorType];

/** Base class: an answer of the ECS API that is an error. */
export class EcsApiError extends Error {
  /** The `__type` of the error on the wire. */
  readonly errorType: EcsErrorType;
  /** HTTP status of the error response: 400 for client errors, 500 for ServerException. */
  readonly httpStatusCode: number;

  constructor(errorType: EcsErrorType, message: string, httpStatusCode = 400, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EcsApiError';
    this.errorType = errorType;
    this.httpStatusCode = httpStatusCode;
  }

  /** Members of the error body besides `__type` and `message`. */
  wireMembers(): Record<string, unknown> {
    return {};
  }
}

/** The cluster named in the request does not exist (ECS: "Cluster not found."). */
export class ClusterNotFoundError extends EcsApiError {
  constructor(cluster: string) {
    super(
      EcsErrorType.ClusterNotFound,
      `Cluster not found: "${cluster}" is not one of the sandbox's clusters.`,
    );
    this.name = 'ClusterNotFoundError';
  }
}

/** A request parameter is invalid; retrying the same request cannot succeed. */
export class InvalidParameterError extends EcsApiError {
  constructor(message: string) {
    super(EcsErrorType.InvalidParameter, message);
    this.name = 'InvalidParameterError';
  }
}

/** A client-side problem such as an unknown task definition. */
export class ClientError extends EcsApiError {
  constructor(message: string) {
    super(EcsErrorType.Client, message);
    this.name = 'ClientError';
  }
}

/**
 * The RunTask `clientToken` was already used by a request with other parameters. ECS answers
 * with the ARNs of the tasks that token launched.
 */
export class ConflictError extends EcsApiError {
  readonly resourceIds: readonly string[];

  constructor(clientToken: string, resourceIds: readonly string[]) {
    super(
      EcsErrorType.Conflict,
      `The clientToken "${clientToken}" is already in use with a different RunTask request; ` +
        'run RunTask with a unique clientToken, or with the original parameters.',
    );
    this.name = 'ConflictError';
    this.resourceIds = resourceIds;
  }

  override wireMembers(): Record<string, unknown> {
    return { resourceIds: [...this.resourceIds] };
  }
}

/** The RunTask rate limit (the token bucket) is exhausted. */
export class ThrottlingError extends EcsApiError {
  constructor() {
    super(EcsErrorType.Throttling, 'Rate exceeded');
    this.name = 'ThrottlingError';
  }
}

/** The control plane cannot serve the request (for example, it is shutting down). */
export class ServerError extends EcsApiError {
  constructor(message: string, options?: ErrorOptions) {
    super(EcsErrorType.Server, message, 500, options);
    this.name = 'ServerError';
  }
}
