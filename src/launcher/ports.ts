/**
 * The launcher's ports: what it needs from the outside world, so the record
 * logic stays pure and each adapter (DynamoDB, SQS, ECS) is swappable in tests.
 */

/** What the launcher remembers of a task it started. */
export interface LaunchedTask {
  readonly taskArn: string;
  readonly clusterArn?: string;
}

export interface LaunchOnceResult {
  readonly task: LaunchedTask;
  /** True when an earlier delivery already launched this request: no RunTask was made. */
  readonly duplicate: boolean;
}

/**
 * Runs `launch` at most once per request key. A key seen before answers with the
 * original task and `duplicate: true`; the same key with another fingerprint
 * (other parameters) is refused. Backed by Powertools idempotency on DynamoDB.
 */
export interface LaunchOnce {
  run(
    request: { readonly key: string; readonly fingerprint: string },
    launch: () => Promise<LaunchedTask>,
  ): Promise<LaunchOnceResult>;
}

/** A request's lifecycle as the launcher sees it; `track-task` takes it from RUNNING on. */
export interface LifecycleRecorder {
  launched(entry: {
    readonly requestId: string;
    readonly batchTypeId: number;
    readonly batchType: string;
    readonly traceId: string;
    readonly taskArn: string;
    readonly messageId: string;
    readonly at: Date;
  }): Promise<void>;
  rejected(entry: {
    readonly requestId: string;
    readonly batchTypeId?: number;
    readonly traceId?: string;
    readonly errorCode: string;
    readonly errorMessage: string;
    readonly messageId: string;
    readonly at: Date;
  }): Promise<void>;
}
