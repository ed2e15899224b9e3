import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { createInterface } from 'node:readline';
import type { TaskSpawnSpec } from './task-runner.js';

/** How a task's process ended. */
export type TaskProcessOutcome =
  /** It ran and exited; a signal death is reported like Docker does, as 128 + signal number. */
  | { readonly kind: 'exited'; readonly exitCode: number }
  /** It never started (missing executable, bad cwd...). */
  | { readonly kind: 'failedToStart'; readonly error: Error };

export interface TaskProcessHandlers {
  /** The process is running. */
  readonly onStart: () => void;
  /** One line the process wrote, without its line break. */
  readonly onLine: (line: string, stream: 'stdout' | 'stderr') => void;
}

/** A running (or finished) local process standing for a task's container. */
export interface TaskProcess {
  /** Settles once, after every output line has been delivered. */
  readonly outcome: Promise<TaskProcessOutcome>;
  /** The OS process id, once started. */
  readonly pid: number | undefined;
  /**
   * Stops the process like `docker stop`: SIGTERM to its process group, then SIGKILL if it is
   * still alive after `graceMs`. Resolves when it has exited.
   */
  stop(graceMs: number): Promise<void>;
}

/**
 * Starts the process of a task. Its output is read line by line so each line can be labelled
 * with its task; it never inherits the sandbox's stdin.
 *
 * The process leads its own process group (`detached`), as a container has its own PID
 * namespace: Ctrl-C in the terminal of `npm start` signals the sandbox's group only, and the
 * sandbox then stops every task itself, in order (SIGTERM, then SIGKILL). `stop()` signals the
 * task's whole group, so whatever the task started goes with it.
 */
export function startTaskProcess(spec: TaskSpawnSpec, handlers: TaskProcessHandlers): TaskProcess {
  const child = spawn(spec.command, [...spec.args], {
    env: { ...spec.env },
    cwd: spec.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const signal = (name: NodeJS.Signals): void => {
    if (child.pid === undefined || process.platform === 'win32') {
      child.kill(name);
      return;
    }
    try {
      process.kill(-child.pid, name);
    } catch {
      // ESRCH: the group is gone already.
    }
  };
  let settle: (outcome: TaskProcessOutcome) => void = () => undefined;
  const outcome = new Promise<TaskProcessOutcome>((resolve) => {
    settle = resolve;
  });
  let started = false;
  let settled = false;
  const spawned = new Promise<boolean>((resolve) => {
    child.once('spawn', () => resolve(true));
    void outcome.then(() => resolve(false));
  });
  const finish = (result: TaskProcessOutcome): void => {
    if (!settled) {
      settled = true;
      settle(result);
    }
  };

  for (const [stream, readable] of [
    ['stdout', child.stdout],
    ['stderr', child.stderr],
  ] as const) {
    createInterface({ input: readable, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) =>
      handlers.onLine(line, stream),
    );
  }
  child.once('spawn', () => {
    started = true;
    handlers.onStart();
  });
  child.once('error', (error) => {
    if (!started) {
      finish({ kind: 'failedToStart', error });
    }
  });
  // 'close' comes after both output streams ended: every line has been delivered by then.
  child.once('close', (code, signal) => {
    if (started) {
      finish({ kind: 'exited', exitCode: code ?? 128 + signalNumber(signal) });
    }
  });

  return {
    outcome,
    get pid() {
      return child.pid;
    },
    async stop(graceMs) {
      if (!(await spawned) || settled) {
        await outcome;
        return;
      }
      signal('SIGTERM');
      const escalation = setTimeout(() => signal('SIGKILL'), graceMs);
      try {
        await outcome;
      } finally {
        clearTimeout(escalation);
      }
    },
  };
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === null ? 0 : (constants.signals[signal] ?? 0);
}
