/**
 * Powertools Metrics warns on every invocation that publishes no metric (track-task, on each
 * task state change it has nothing to count for): thousands of identical lines in a load run,
 * burying the progress lines.
 */
export const EMPTY_METRICS_WARNING = 'No application metrics to publish';

/**
 * Drops every write to `stream` that contains one of `patterns` (Powertools writes one line per
 * call) until `restore()`; `dropped` counts them so a run can still say they happened.
 */
export function dropLines(
  stream: NodeJS.WriteStream,
  patterns: readonly string[],
): { readonly dropped: number; restore(): void } {
  const write = stream.write.bind(stream);
  let dropped = 0;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
    if (patterns.some((pattern) => text.includes(pattern))) {
      dropped += 1;
      const callback = rest.find((argument) => typeof argument === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof stream.write;
  return {
    get dropped() {
      return dropped;
    },
    restore() {
      stream.write = write;
    },
  };
}
