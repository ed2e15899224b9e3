/** What ECS remembers of a RunTask call made with a `clientToken`. */
export interface ClientTokenEntry {
  /** Canonical form of the request's parameters, to tell a retry from a conflicting reuse. */
  readonly fingerprint: string;
  readonly taskArns: readonly string[];
  readonly createdAt: Date;
}

/** ECS remembers a RunTask client token for at most 24 hours... */
const MAX_TTL_MS = 24 * 60 * 60 * 1000;
/** ...and for at most one hour after its tasks stopped. */
const AFTER_STOP_TTL_MS = 60 * 60 * 1000;

/**
 * RunTask idempotency as ECS documents it ("Ensuring idempotency", API reference): a token is
 * scoped to a cluster, and is honoured for min(24 h, task lifetime + 1 h). The launcher relies on
 * this window as the back-up of its own idempotency store, so the sandbox keeps it honestly.
 */
export class ClientTokenRegistry {
  readonly #entries = new Map<string, ClientTokenEntry>();
  readonly #stoppedAt: (taskArns: readonly string[]) => Date | undefined;

  /**
   * @param stoppedAt - when the last of the given tasks stopped, or `undefined` while any of
   * them still runs
   */
  constructor(stoppedAt: (taskArns: readonly string[]) => Date | undefined) {
    this.#stoppedAt = stoppedAt;
  }

  /** The live entry of `clientToken` in `clusterName`; expired entries are forgotten. */
  find(clusterName: string, clientToken: string, now: Date): ClientTokenEntry | undefined {
    const key = keyOf(clusterName, clientToken);
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      return undefined;
    }
    const stoppedAt = this.#stoppedAt(entry.taskArns);
    const expiresAt = Math.min(
      entry.createdAt.getTime() + MAX_TTL_MS,
      stoppedAt === undefined ? Number.POSITIVE_INFINITY : stoppedAt.getTime() + AFTER_STOP_TTL_MS,
    );
    if (now.getTime() >= expiresAt) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  remember(clusterName: string, clientToken: string, entry: ClientTokenEntry): void {
    this.#entries.set(keyOf(clusterName, clientToken), entry);
  }
}

function keyOf(clusterName: string, clientToken: string): string {
  return JSON.stringify([clusterName, clientToken]);
}
