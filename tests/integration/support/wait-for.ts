export interface WaitForOptions {
  /** @default 20_000 */
  readonly timeoutMs?: number;
  /** @default 100 */
  readonly intervalMs?: number;
}

/**
 * Polls `probe` until it answers `{ done: true }` and returns its value. At the deadline it
 * fails with what was awaited and what the last probe saw, so a failing test says what
 * happened instead of "timeout".
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<{ readonly done: boolean; readonly value: T; readonly seen?: unknown }>,
  options: WaitForOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  let last: unknown = 'nothing yet';
  for (;;) {
    try {
      const result = await probe();
      if (result.done) return result.value;
      last = result.seen ?? result.value;
    } catch (error) {
      last = `the probe failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `Gave up after ${timeoutMs} ms waiting for ${what}. Last seen:\n${JSON.stringify(last, null, 2)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}
