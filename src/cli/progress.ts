import type { Io } from './output.js';

/** A progress line on stderr: `[########------------] 8/20 moved 5 · skipped 3 · failed 0`. */
export interface Progress {
  update(done: number, total: number | undefined, detail: string): void;
  /** Ends the line; the result itself is printed by the command. */
  finish(): void;
}

const WIDTH = 24;

function render(label: string, done: number, total: number | undefined, detail: string): string {
  if (total === undefined || total <= 0) return `${label} ${done} ${detail}`;
  const ratio = Math.min(1, done / total);
  const filled = Math.round(ratio * WIDTH);
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${done}/${total} ${detail}`;
}

/**
 * Redraws one line in place on a terminal. Elsewhere (a pipe, CI logs) it stays
 * quiet but for the final state, so logs get one line instead of hundreds.
 */
export function progressLine(io: Io, label: string): Progress {
  let last: string | undefined;
  return {
    update(done, total, detail) {
      last = render(label, done, total, detail);
      if (io.stderrIsTTY) io.stderr(`\r\x1b[2K${last}`);
    },
    finish() {
      if (last === undefined) return;
      io.stderr(io.stderrIsTTY ? '\n' : `${last}\n`);
      last = undefined;
    },
  };
}
