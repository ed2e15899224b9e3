import type { Context } from 'aws-lambda';
import { lambdaContext } from '../lambda-context.js';
import type { DeliveryContext, RuleTarget } from './local-event-bus.js';
import type { BusEvent } from './put-events-entry.js';

/** A Lambda handler taking EventBridge events, such as track-task's. */
export type EventHandler = (event: never, context: Context) => Promise<unknown>;

export interface LambdaFunctionTargetOptions {
  readonly functionName: string;
  readonly handler: EventHandler;
  /** The function's timeout: an invocation still running after it counts as failed. */
  readonly timeoutMs: number;
  readonly region: string;
  readonly accountId: string;
  /** Called with what each successful invocation returned. */
  readonly onInvoked?: (event: BusEvent, result: unknown, context: DeliveryContext) => void;
}

/** The function did not return within its timeout. */
export class InvocationTimeoutError extends Error {
  constructor(functionName: string, timeoutMs: number) {
    super(`${functionName} timed out after ${timeoutMs} ms`);
    this.name = 'InvocationTimeoutError';
  }
}

/**
 * A Lambda function as a rule target: each event is one invocation with a Lambda-like context; a
 * thrown error or a timeout fails the delivery, and the bus retries it, as EventBridge and
 * Lambda's asynchronous invocation do.
 */
export function lambdaFunctionTarget(options: LambdaFunctionTargetOptions): RuleTarget {
  return {
    id: `lambda:${options.functionName}`,
    async deliver(event: BusEvent, delivery: DeliveryContext): Promise<void> {
      const context = lambdaContext({
        functionName: options.functionName,
        timeoutMs: options.timeoutMs,
        region: options.region,
        accountId: options.accountId,
      });
      let timer: NodeJS.Timeout | undefined;
      try {
        const result = await Promise.race([
          options.handler(event as never, context),
          new Promise<never>((_resolve, reject) => {
            timer = setTimeout(
              () => reject(new InvocationTimeoutError(options.functionName, options.timeoutMs)),
              options.timeoutMs,
            );
          }),
        ]);
        options.onInvoked?.(event, result, delivery);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
