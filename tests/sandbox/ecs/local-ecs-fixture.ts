import type { KeyValuePair, RunTaskCommandInput } from '@aws-sdk/client-ecs';
import { LocalEcs, type LocalEcsOptions } from '../../../sandbox/ecs/local-ecs.js';
import type { TaskRunner } from '../../../sandbox/ecs/task-runner.js';
import { demoBatchAppTaskRunner } from '../../../sandbox/ecs/task-runner.js';
import type { EcsTaskStateChangeEvent } from '../../../sandbox/ecs/task-state-change-event.js';

/** Families the tests run: the demo app's, plus inline scripts for the odd cases. */
export const SCRIPTS = {
  // Writes "ready <pid>" once its SIGTERM handler is installed, then never exits on SIGTERM.
  'ignores-sigterm':
    "process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('ready ' + process.pid); setInterval(() => {}, 1000);",
  // Writes "ready <pid>", then runs until stopped.
  'runs-forever': "console.log('ready ' + process.pid); setInterval(() => {}, 1000);",
} as const;

/**
 * The demo batch app for `hello` and `always-fails` (as in the local stage), inline scripts for
 * the families of {@link SCRIPTS}, and a missing executable for `broken`.
 */
export const testTaskRunner: TaskRunner = (family, override) => {
  if (family in SCRIPTS) {
    return { command: process.execPath, args: ['-e', SCRIPTS[family as keyof typeof SCRIPTS]], env: {} };
  }
  if (family === 'broken') {
    return { command: '/nonexistent/batch-app', args: [], env: {} };
  }
  return demoBatchAppTaskRunner({ families: ['hello', 'always-fails'] })(family, override);
};

export interface RecordingEcs {
  readonly ecs: LocalEcs;
  readonly events: EcsTaskStateChangeEvent[];
  readonly lines: { taskArn: string; line: string; stream: string }[];
  readonly callbackErrors: unknown[];
}

/** A LocalEcs on cluster `local` that records its events, output lines and callback errors. */
export function recordingEcs(options: Partial<LocalEcsOptions> = {}): RecordingEcs {
  const events: EcsTaskStateChangeEvent[] = [];
  const lines: RecordingEcs['lines'] = [];
  const callbackErrors: unknown[] = [];
  const ecs = new LocalEcs({
    clusters: ['local'],
    taskRunner: testTaskRunner,
    onStateChange: (event) => {
      events.push(event);
    },
    onOutput: (taskArn, line, stream) => {
      lines.push({ taskArn, line, stream });
    },
    onCallbackError: (error) => {
      callbackErrors.push(error);
    },
    ...options,
  });
  return { ecs, events, lines, callbackErrors };
}

export function environment(variables: Record<string, string>): KeyValuePair[] {
  return Object.entries(variables).map(([name, value]) => ({ name, value }));
}

/** A RunTask input shaped like the launcher's, for the `hello` batch type. */
export function runTaskInput(overrides: Partial<RunTaskCommandInput> = {}): RunTaskCommandInput {
  return {
    cluster: 'local',
    taskDefinition: 'hello',
    count: 1,
    launchType: 'FARGATE',
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: ['subnet-00000000'],
        securityGroups: ['sg-00000000'],
        assignPublicIp: 'DISABLED',
      },
    },
    overrides: {
      containerOverrides: [
        {
          name: 'app',
          command: ['hello'],
          environment: environment({
            TRACE_ID: 'trace-1',
            BATCH_TYPE_ID: '1',
            BATCH_REQUEST_ID: 'req-1',
            BATCH_PARAMETERS: '{"sleepMs":0}',
          }),
        },
      ],
    },
    startedBy: 'batch-launcher/req-1',
    tags: [
      { key: 'batch-launcher:batch-type', value: 'hello' },
      { key: 'batch-launcher:request-id', value: 'req-1' },
    ],
    ...overrides,
  };
}

/** The pids the inline scripts reported with their "ready <pid>" line. */
export function readyPids(lines: RecordingEcs['lines']): number[] {
  return lines.flatMap(({ line }) => {
    const match = /^ready (\d+)$/.exec(line);
    return match === null ? [] : [Number(match[1])];
  });
}

/** Whether a process with this id still exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls until `predicate` holds; fails the test after `timeoutMs`. */
export async function eventually(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A clock the test moves by hand. */
export function manualClock(start = new Date('2024-05-01T10:00:00.000Z')): {
  now: () => Date;
  advance: (ms: number) => void;
} {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance: (ms) => {
      current += ms;
    },
  };
}
