import type { TaskProcess, TaskProcessHandlers, TaskProcessOutcome } from './task-process.js';

/** Exit code of a simulated task stopped by StopTask: SIGTERM (15) as Docker reports it, 128 + 15. */
const SIGTERM_EXIT_CODE = 143;

/**
 * A task that runs on timers instead of as a process: PROVISIONING for `startDelayMs`, RUNNING
 * for `runMs`, then STOPPED with `exitCode`. It goes through the same statuses and state change
 * events as a process task, so load tests can launch thousands of tasks without forking
 * thousands of Node.js processes.
 */
export interface SimulatedTaskSpec {
  readonly kind: 'simulated';
  /** Time between RunTask and RUNNING (image pull, ENI attachment). */
  readonly startDelayMs: number;
  /** Time between RUNNING and STOPPED. */
  readonly runMs: number;
  readonly exitCode: number;
}

/**
 * Starts a simulated task. It writes one line when it ends, and StopTask ends it at once with
 * 143, as the demo batch app does on SIGTERM.
 */
export function startSimulatedTask(spec: SimulatedTaskSpec, handlers: TaskProcessHandlers): TaskProcess {
  let settle: (outcome: TaskProcessOutcome) => void = () => undefined;
  const outcome = new Promise<TaskProcessOutcome>((resolve) => {
    settle = resolve;
  });
  let timer: NodeJS.Timeout | undefined;
  let settled = false;
  const exit = (exitCode: number, line: string): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    handlers.onLine(line, 'stdout');
    settle({ kind: 'exited', exitCode });
  };
  timer = setTimeout(() => {
    handlers.onStart();
    timer = setTimeout(
      () => exit(spec.exitCode, `simulated task: done after ${spec.runMs} ms, exiting with ${spec.exitCode}`),
      spec.runMs,
    );
  }, spec.startDelayMs);

  return {
    outcome,
    pid: undefined,
    async stop() {
      exit(SIGTERM_EXIT_CODE, 'simulated task: received SIGTERM, stopping');
      await outcome;
    },
  };
}
