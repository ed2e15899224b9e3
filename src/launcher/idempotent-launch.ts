import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { ErrorCode, LaunchError, PermanentLaunchError, TransientLaunchError } from './errors.js';
import type { LaunchedTask, LaunchOnce, LaunchOnceResult } from './ports.js';

/**
 * Stable prefix of idempotency keys. Powertools defaults to the function's name,
 * which changes with every redeploy under a new name and would forget every launch.
 */
export const IDEMPOTENCY_KEY_PREFIX = 'launch-batch';

export interface IdempotentLaunchOptions {
  readonly tableName: string;
  /** How long a request stays "already launched". */
  readonly expiresAfterSeconds: number;
  readonly client?: DynamoDBClient;
}

type StoredLaunch = LaunchedTask & { duplicate?: boolean };

/**
 * Exactly one launch per request key, with Powertools idempotency on DynamoDB
 * (conditional writes, in-progress records expiring with the Lambda's remaining
 * time). A stored result is marked `duplicate` by the response hook, which
 * Powertools calls only when it answers from the store instead of launching.
 */
export class IdempotentLaunch implements LaunchOnce {
  readonly #config: IdempotencyConfig;
  readonly #launchOnce: (
    payload: { key: string; fingerprint: string },
    launch: () => Promise<LaunchedTask>,
  ) => Promise<StoredLaunch>;

  constructor(options: IdempotentLaunchOptions) {
    this.#config = new IdempotencyConfig({
      eventKeyJmesPath: 'key',
      payloadValidationJmesPath: 'fingerprint',
      throwOnNoIdempotencyKey: true,
      expiresAfterSeconds: options.expiresAfterSeconds,
      responseHook: (response) => ({ ...(response as object), duplicate: true }),
    });
    const persistenceStore = new DynamoDBPersistenceLayer({
      tableName: options.tableName,
      ...(options.client === undefined ? {} : { awsSdkV3Client: options.client }),
    });
    this.#launchOnce = makeIdempotent(
      async (_payload: { key: string; fingerprint: string }, launch: () => Promise<LaunchedTask>) => {
        const task = await launch();
        return { ...task };
      },
      { persistenceStore, config: this.#config, keyPrefix: IDEMPOTENCY_KEY_PREFIX, dataIndexArgument: 0 },
    );
  }

  /** In-progress records then expire with this invocation's remaining time, not the full expiry. */
  registerLambdaContext(context: Context): void {
    this.#config.registerLambdaContext(context);
  }

  async run(
    request: { readonly key: string; readonly fingerprint: string },
    launch: () => Promise<LaunchedTask>,
  ): Promise<LaunchOnceResult> {
    try {
      const { duplicate, ...task } = await this.#launchOnce(
        { key: request.key, fingerprint: request.fingerprint },
        launch,
      );
      return { task, duplicate: duplicate === true };
    } catch (error) {
      throw toLaunchError(error, request.key);
    }
  }
}

function toLaunchError(error: unknown, key: string): LaunchError {
  if (error instanceof LaunchError) return error;
  if (error instanceof IdempotencyValidationError) {
    return new PermanentLaunchError(
      ErrorCode.RequestIdReused,
      `request ${key} was already launched with other parameters; a requestId names one request: ` +
        'use a new requestId for a new request',
      { cause: error },
    );
  }
  if (error instanceof IdempotencyAlreadyInProgressError) {
    return new TransientLaunchError(
      ErrorCode.LaunchInProgress,
      `another delivery of request ${key} is being launched right now; this one is retried later`,
      { cause: error },
    );
  }
  return new TransientLaunchError(
    ErrorCode.IdempotencyStoreUnavailable,
    `the idempotency store failed (${(error as Error).name}: ${(error as Error).message})`,
    { cause: error },
  );
}
