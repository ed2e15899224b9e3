import { fileURLToPath } from 'node:url';
import type { ContainerOverride } from '@aws-sdk/client-ecs';
import type { SimulatedTaskSpec } from './simulated-task.js';

/** How to start the local process that stands for a task's container. */
export interface TaskSpawnSpec {
  /** Executable to run (no shell is involved). */
  readonly command: string;
  readonly args: readonly string[];
  /** The complete environment of the process: nothing is inherited implicitly. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

/** How a task runs: as a local process, or on timers ({@link SimulatedTaskSpec}). */
export type TaskSpec = TaskSpawnSpec | SimulatedTaskSpec;

/**
 * Decides how a task definition family runs on this machine, given the container override of
 * the RunTask call. Answers `undefined` for a family it does not know: ECS then answers
 * "task definition not found". Injected into `LocalEcs` so the control plane stays testable and
 * knows nothing of what the tasks are.
 */
export type TaskRunner<Spec extends TaskSpec = TaskSpec> = (
  taskDefinitionFamily: string,
  containerOverride: ContainerOverride | undefined,
) => Spec | undefined;

/** The demo batch app that ships with the repository. */
export const DEMO_BATCH_APP_PATH = fileURLToPath(new URL('../../demo/batch-app.mjs', import.meta.url));

export interface NodeScriptTaskRunnerOptions {
  /** Path of the script every task runs. */
  readonly scriptPath: string;
  /**
   * Environment every task starts from, before the container override's variables: pass the
   * few host variables the script needs (typically `PATH`), never the whole host environment,
   * so tasks see what a container would see.
   * @default {}
   */
  readonly baseEnv?: Readonly<Record<string, string>>;
  /**
   * Families this runner accepts; any other family is "not found".
   * @default every family
   */
  readonly families?: readonly string[];
  /**
   * The command of each family's task definition, used when the override has none.
   * @default no arguments
   */
  readonly defaultCommands?: Readonly<Record<string, readonly string[]>>;
  /**
   * The Node.js binary.
   * @default process.execPath, the Node.js running the sandbox
   */
  readonly nodePath?: string;
}

/**
 * A runner that starts every task as `node <script> <command...>`, with the override's
 * environment merged over `baseEnv`: the container's command becomes the script's argv, as an
 * image's entrypoint would receive it.
 */
export function nodeScriptTaskRunner(options: NodeScriptTaskRunnerOptions): TaskRunner<TaskSpawnSpec> {
  const families = options.families === undefined ? undefined : new Set(options.families);
  return (family, override) => {
    if (families !== undefined && !families.has(family)) {
      return undefined;
    }
    const environment = environmentOf(override);
    const command = override?.command ?? options.defaultCommands?.[family] ?? [];
    return {
      command: options.nodePath ?? process.execPath,
      args: [options.scriptPath, ...command],
      env: { ...options.baseEnv, ...environment },
    };
  };
}

/** The local stage's runner: every family runs the demo batch app. */
export function demoBatchAppTaskRunner(
  options: Omit<NodeScriptTaskRunnerOptions, 'scriptPath'> = {},
): TaskRunner<TaskSpawnSpec> {
  return nodeScriptTaskRunner({ ...options, scriptPath: DEMO_BATCH_APP_PATH });
}

export interface SimulatedTaskRunnerOptions
  extends Pick<NodeScriptTaskRunnerOptions, 'families' | 'defaultCommands'> {
  /** Time from RunTask to RUNNING. @default 10 */
  readonly startDelayMs?: number;
  /** Time from RUNNING to STOPPED when the parameters set no `sleepMs`. @default 200, as the demo app */
  readonly runMs?: number;
}

const DEMO_APP_MAX_SLEEP_MS = 600_000;

/**
 * A runner that starts no process: each task runs on timers and ends as the demo batch app
 * would, with the exit code `exitCode` of BATCH_PARAMETERS (an integer in 0..255), else
 * `--exit-code N` of the command, else 0, after `sleepMs` of BATCH_PARAMETERS, else `runMs`.
 * For load: two cores cannot fork thousands of Node.js processes a minute.
 */
export function simulatedTaskRunner(options: SimulatedTaskRunnerOptions = {}): TaskRunner<SimulatedTaskSpec> {
  const families = options.families === undefined ? undefined : new Set(options.families);
  return (family, override) => {
    if (families !== undefined && !families.has(family)) {
      return undefined;
    }
    const parameters = jsonObject(environmentOf(override).BATCH_PARAMETERS);
    const command = override?.command ?? options.defaultCommands?.[family] ?? [];
    const exitCodeIndex = command.indexOf('--exit-code');
    const sleepMs = parameters?.sleepMs;
    return {
      kind: 'simulated',
      startDelayMs: options.startDelayMs ?? 10,
      runMs: integerIn(sleepMs, 0, DEMO_APP_MAX_SLEEP_MS) ? sleepMs : (options.runMs ?? 200),
      exitCode:
        [parameters?.exitCode, exitCodeIndex < 0 ? undefined : Number(command[exitCodeIndex + 1])].find(
          (code): code is number => integerIn(code, 0, 255),
        ) ?? 0,
    };
  };
}

function environmentOf(override: ContainerOverride | undefined): Record<string, string> {
  return Object.fromEntries(
    (override?.environment ?? []).flatMap(({ name, value }) =>
      name === undefined ? [] : [[name, value ?? '']],
    ),
  );
}

function jsonObject(text: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text ?? '');
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function integerIn(value: unknown, min: number, max: number): value is number {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
}
