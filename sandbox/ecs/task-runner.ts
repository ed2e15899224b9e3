import { fileURLToPath } from 'node:url';
import type { ContainerOverride } from '@aws-sdk/client-ecs';

/** How to start the local process that stands for a task's container. */
export interface TaskSpawnSpec {
  /** Executable to run (no shell is involved). */
  readonly command: string;
  readonly args: readonly string[];
  /** The complete environment of the process: nothing is inherited implicitly. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

/**
 * Decides how a task definition family runs on this machine, given the container override of
 * the RunTask call. Answers `undefined` for a family it does not know: ECS then answers
 * "task definition not found". Injected into `LocalEcs` so the control plane stays testable and
 * knows nothing of what the tasks are.
 */
export type TaskRunner = (
  taskDefinitionFamily: string,
  containerOverride: ContainerOverride | undefined,
) => TaskSpawnSpec | undefined;

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
export function nodeScriptTaskRunner(options: NodeScriptTaskRunnerOptions): TaskRunner {
  const families = options.families === undefined ? undefined : new Set(options.families);
  return (family, override) => {
    if (families !== undefined && !families.has(family)) {
      return undefined;
    }
    const environment = Object.fromEntries(
      (override?.environment ?? []).flatMap(({ name, value }) =>
        name === undefined ? [] : [[name, value ?? '']],
      ),
    );
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
): TaskRunner {
  return nodeScriptTaskRunner({ ...options, scriptPath: DEMO_BATCH_APP_PATH });
}
