/**
 * Polls `probe` until it reports done, or fails after `timeoutMs` saying what it
 * waited for and what it last saw: the sandbox is asynchronous, tests wait on facts.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<{ done: boolean; value: T }>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    const { done, value } = await probe();
    if (done) return value;
    last = value;
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
