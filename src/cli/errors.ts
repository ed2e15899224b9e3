import { ExitCode } from './exit-codes.js';

/**
 * batchctl's errors. Each one knows its exit code and a stable `code` for `--json`,
 * and says in its message what to do next: the reader is an operator at 3 a.m.
 */
export abstract class BatchctlError extends Error {
  abstract readonly exitCode: ExitCode;
  /** Stable identifier for `--json` consumers (`"UsageError"`, `"StackNotDeployed"`, ...). */
  abstract readonly code: string;
}

/** The command line is wrong; nothing was sent anywhere. */
export class UsageError extends BatchctlError {
  readonly exitCode = ExitCode.Usage;
  readonly code: string = 'UsageError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** The event would violate contract v1: refused before PutEvents. */
export class InvalidEventError extends UsageError {
  override readonly code = 'InvalidEvent';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidEventError';
  }
}

/** `dlq purge` without `--yes`. */
export class ConfirmationRequiredError extends UsageError {
  override readonly code = 'ConfirmationRequired';
  constructor(message: string) {
    super(message);
    this.name = 'ConfirmationRequiredError';
  }
}

/** What the command works on does not exist. */
export class NotFoundError extends BatchctlError {
  readonly exitCode = ExitCode.NotFound;
  readonly code: string = 'NotFound';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotFoundError';
  }
}

export class StackNotDeployedError extends NotFoundError {
  override readonly code = 'StackNotDeployed';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StackNotDeployedError';
  }
}

export class EmptyDeadLetterQueueError extends NotFoundError {
  override readonly code = 'EmptyDeadLetterQueue';
  constructor(queueName: string, nothingTo: string) {
    super(`The DLQ ${queueName} is empty: nothing to ${nothingTo}.`);
    this.name = 'EmptyDeadLetterQueueError';
  }
}

/** There is no event archive to replay from (the sandbox has none). */
export class ArchiveUnavailableError extends NotFoundError {
  override readonly code = 'ArchiveUnavailable';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ArchiveUnavailableError';
  }
}

/** AWS or the sandbox refused or failed the operation. */
export class OperationFailedError extends BatchctlError {
  readonly exitCode = ExitCode.OperationFailed;
  readonly code: string = 'OperationFailed';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OperationFailedError';
  }
}

/** PutEvents answered 200 with the entry refused (`FailedEntryCount` > 0). */
export class EventRefusedError extends OperationFailedError {
  override readonly code = 'EventRefused';
  constructor(
    readonly entryErrorCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'EventRefusedError';
  }
}

/** No usable AWS credentials: none in the default chain, or expired or refused ones. */
export class MissingCredentialsError extends BatchctlError {
  readonly exitCode = ExitCode.Unreachable;
  readonly code = 'MissingCredentials';
  /**
   * @param headline "No AWS credentials found" or "AWS refused your credentials"
   * @param detail what was being done and what the SDK said
   */
  constructor(headline: string, detail: string, options?: ErrorOptions) {
    super(
      `${headline}: run \`aws sso login\` or set AWS_PROFILE; for the sandbox use --endpoint-url ` +
        `or the AWS_ENDPOINT_URL_<SERVICE> variables it prints. (${detail})`,
      options,
    );
    this.name = 'MissingCredentialsError';
  }
}

/** The endpoint did not answer, or sandbox mode has no endpoint for a service. */
export class EndpointUnreachableError extends BatchctlError {
  readonly exitCode = ExitCode.Unreachable;
  readonly code = 'EndpointUnreachable';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EndpointUnreachableError';
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);
/** Credentials that exist but are expired or unknown to AWS. */
const CREDENTIAL_ERRORS = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'TokenRefreshRequired',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
]);
const NOT_FOUND_ERRORS = new Set([
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'ResourceNotFoundException',
]);

/**
 * The SDK's error name, or undefined for something that is not an error. Duck-typed:
 * errors from Node's own internals may come from another realm (test VMs), where
 * `instanceof Error` is false.
 */
export function awsErrorName(error: unknown): string | undefined {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : undefined;
}

/** An error's message, duck-typed like `awsErrorName`. */
export function errorMessage(error: unknown): string {
  const message =
    typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : String(error);
}

function networkCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, errors } = error as { code?: unknown; errors?: unknown };
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
  // Node's happy-eyeballs connect wraps one error per address in an AggregateError.
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const found = networkCode(inner);
      if (found !== undefined) return found;
    }
  }
  // The SDK re-wraps what it cannot recognise as an Error, keeping only the text ("connect ECONNREFUSED ...").
  const named = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT|EHOSTUNREACH)\b/.exec(
    errorMessage(error),
  );
  return named?.[1];
}

/** Where a failed call went, for the message: "the sandbox's SQS endpoint http://127.0.0.1:9324". */
export interface CallSite {
  readonly service: string;
  readonly endpoint?: string;
  readonly sandbox: boolean;
}

/** The error and the errors it wraps (`cause`), outermost first: stores wrap SDK errors. */
function* chain(error: unknown): Generator<unknown> {
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 10; depth += 1) {
    yield current;
    current =
      typeof current === 'object' && current !== null ? (current as { cause?: unknown }).cause : undefined;
  }
}

function describe(error: unknown): { name: string; message: string } {
  return { name: awsErrorName(error) ?? 'Error', message: errorMessage(error) };
}

/**
 * Turns whatever an AWS call threw into a batchctl error that names what was being
 * done and what to do about it: credentials and connectivity first (exit 4), then
 * missing resources (exit 3), then everything else as a failed operation (exit 1).
 */
export function explainAwsError(error: unknown, action: string, site: CallSite): BatchctlError {
  if (error instanceof BatchctlError) return error;
  const outer = describe(error);
  for (const link of chain(error)) {
    const { name, message } = describe(link);
    if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
      return new MissingCredentialsError('No AWS credentials found', `${action}: ${message}`, {
        cause: error,
      });
    }
    if (CREDENTIAL_ERRORS.has(name)) {
      return new MissingCredentialsError('AWS refused your credentials', `${action}: ${name}: ${message}`, {
        cause: error,
      });
    }
    const network = networkCode(link) ?? (name === 'TimeoutError' ? 'timeout' : undefined);
    if (network !== undefined) {
      const where =
        site.endpoint === undefined ? `${site.service} in AWS` : `${site.service} at ${site.endpoint}`;
      const hint = site.sandbox
        ? 'is the sandbox running (npm start), and are the AWS_ENDPOINT_URL_* variables the ones it printed?'
        : 'check your network, proxy and region.';
      return new EndpointUnreachableError(`Cannot ${action}: ${where} is unreachable (${network}); ${hint}`, {
        cause: error,
      });
    }
    if (NOT_FOUND_ERRORS.has(name)) {
      return new NotFoundError(`Cannot ${action}: ${name}: ${message}`, { cause: error });
    }
    if (name.startsWith('AccessDenied')) {
      return new OperationFailedError(
        `Cannot ${action}: access denied (${message}); your credentials need that permission in this account.`,
        { cause: error },
      );
    }
  }
  return new OperationFailedError(`Cannot ${action}: ${outer.name}: ${outer.message}`, { cause: error });
}
