import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export interface LambdaContextOptions {
  readonly functionName: string;
  /** The function's configured timeout: `getRemainingTimeInMillis()` counts down from it. */
  readonly timeoutMs: number;
  readonly region: string;
  readonly accountId: string;
  /** @default 1024 */
  readonly memoryLimitInMB?: number;
  /** Clock in milliseconds. @default Date.now */
  readonly now?: () => number;
}

/**
 * The `context` Lambda passes to one invocation, so handlers that read it (Powertools logger,
 * idempotency's in-progress expiry, track-task's publication claim) behave locally as in AWS.
 * The deadline starts when the context is made: make one per invocation.
 */
export function lambdaContext(options: LambdaContextOptions): Context {
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  const requestId = randomUUID();
  const unsupported = (name: string) => () => {
    throw new Error(`context.${name}() is the legacy callback API; the sandbox's handlers are async`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${options.region}:${options.accountId}:function:${options.functionName}`,
    memoryLimitInMB: String(options.memoryLimitInMB ?? 1024),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: `sandbox/[$LATEST]${requestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}
