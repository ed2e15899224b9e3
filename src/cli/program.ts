import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { runDlqList } from './dlq-list.js';
import { runDlqPurge } from './dlq-purge.js';
import { runDlqRedrive } from './dlq-redrive.js';
import { BatchctlError } from './errors.js';
import { ExitCode, HELP_EPILOGUE } from './exit-codes.js';
import { type Io, Output } from './output.js';
import { runReplay } from './replay.js';
import { runSend, type SendOptions } from './send.js';
import type { Environment } from './service-endpoints.js';
import { runStatus } from './status.js';
import { resolveTarget, type Target, type TargetOptions } from './target.js';

export interface BatchctlDeps {
  readonly io: Io;
  /** The environment to read BATCHCTL_STAGE and AWS_ENDPOINT_URL_* from (process.env in main). */
  readonly env: Environment;
  /** Builds the target of one command; tests inject clients here. @default resolveTarget */
  readonly connect?: (options: TargetOptions, env: Environment) => Target;
  /** Waits between move-task polls. @default setTimeout */
  readonly sleep?: (milliseconds: number) => Promise<void>;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export interface Batchctl {
  readonly program: Command;
  /** The exit code of the last command `program` ran. */
  readonly exitCode: number;
  /** Parses `args` (without node and script), runs the command, returns the exit code. */
  run(args: readonly string[]): Promise<number>;
}

interface GlobalOptions {
  readonly stage?: string;
  readonly endpointUrl?: string;
  readonly json?: boolean;
}

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('expected a whole number ≥ 1');
  return Number(value);
}

function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}

/** Commander's "nothing went wrong" exits: help and version. */
const CLEAN_EXITS = new Set(['commander.helpDisplayed', 'commander.version']);

/**
 * The batchctl command line. Every command resolves its target, runs, and turns
 * what it throws into a message on stderr (and a failure document with --json)
 * and an exit code: nothing here calls process.exit, so tests drive it directly.
 */
export function createBatchctl(deps: BatchctlDeps): Batchctl {
  const { io, env } = deps;
  const connect = deps.connect ?? resolveTarget;
  const state = { exitCode: 0 as number };

  const report = (output: Output, command: string, error: unknown): number => {
    if (error instanceof BatchctlError) {
      io.stderr(`batchctl ${command}: ${error.message}\n`);
      output.failure(command, error);
      return error.exitCode;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr(`batchctl ${command}: unexpected failure: ${detail}\n`);
    output.failure(command, {
      code: 'Unexpected',
      message: String(error),
      exitCode: ExitCode.OperationFailed,
    });
    return ExitCode.OperationFailed;
  };

  /** Wraps a command body: target in, exit code out, errors reported, clients closed. */
  const runs =
    <A extends unknown[]>(
      name: string,
      body: (target: Target, output: Output, ...args: A) => Promise<number>,
    ) =>
    async (...args: [...A, Command]): Promise<void> => {
      const command = args.at(-1) as Command;
      const globals = command.optsWithGlobals<GlobalOptions>();
      const output = new Output(io, globals.json === true);
      let target: Target | undefined;
      try {
        target = connect({ stage: globals.stage, endpointUrl: globals.endpointUrl }, env);
        state.exitCode = await body(target, output, ...(args.slice(0, -1) as A));
      } catch (error) {
        state.exitCode = report(output, name, error);
      } finally {
        target?.close();
      }
    };

  const program = new Command('batchctl')
    .description(
      'Operate the ECS batch launcher: send test requests, watch the queues, triage and redrive the DLQ.',
    )
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(batchctl --help for usage)')
    .addOption(
      new Option('--stage <name>', 'stage from config/stages (dev, prod, local)')
        .env('BATCHCTL_STAGE')
        .default(undefined),
    )
    .option(
      '--endpoint-url <url>',
      'one endpoint for every AWS service (the sandbox prints per-service variables)',
    )
    .option('--json', 'print one JSON document on stdout instead of tables')
    .addHelpText('after', HELP_EPILOGUE);

  program
    .command('send')
    .description('put a BatchRequested event on the bus exactly as the monolith does, validated first')
    .requiredOption('--type <id>', 'batchTypeId from the stage catalog')
    .option('--request-id <id>', 'idempotency key (default: batchctl-<uuid>)')
    .option('--no-request-id', 'send without a requestId, as a monolith may')
    .option('--trace-id <id>', 'passed to the task as TRACE_ID')
    .option('--param <key=value>', 'a parameter (repeatable); sent as the parameters object', collect, [])
    .option('--parameters-json <json>', 'parameters as JSON (an object or a string)')
    .option('--source <source>', "event Source (default: the stage's monolith.eventSource)")
    .action(runs('send', (target, output, options: SendOptions) => runSend(target, output, options)));

  program
    .command('status')
    .description(
      'queue depth, in flight, DLQ depth and oldest ages; with a request id, its lifecycle records',
    )
    .argument('[requestId]', 'a requestId to show the lifecycle of')
    .option('--peek', 'also peek the requests queue for its oldest message (counts as a receive)', false)
    .action(
      runs('status', (target, output, requestId: string | undefined, options: { peek: boolean }) =>
        runStatus(target, output, { requestId, peek: options.peek, now: deps.now }),
      ),
    );

  const dlq = program
    .command('dlq')
    .description('triage the FIFO dead-letter queue of requests not launched');
  dlq
    .command('list')
    .description('DLQ messages with errorCode, errorMessage, batch type, requestId and age; left in the DLQ')
    .option('--limit <n>', 'at most this many messages', positiveInteger, 50)
    .action(
      runs('dlq list', (target, output, options: { limit: number }) =>
        runDlqList(target, output, { limit: options.limit, now: deps.now }),
      ),
    );
  dlq
    .command('redrive')
    .description('move DLQ messages back to the requests queue (all: SQS move task; filtered: one by one)')
    .option(
      '--filter <key=value>',
      'errorCode=<code>, type=<batchTypeId> or requestId=<id> (repeat: all must match)',
      collect,
      [],
    )
    .option('--dry-run', 'list what would move; change nothing', false)
    .option('--max <n>', 'move at most this many', positiveInteger)
    .action(
      runs('dlq redrive', (target, output, options: { filter: string[]; dryRun: boolean; max?: number }) =>
        runDlqRedrive(target, output, { ...options, sleep: deps.sleep, now: deps.now }),
      ),
    );
  dlq
    .command('purge')
    .description('delete every DLQ message for good (requires --yes)')
    .option('--yes', 'yes, delete them', false)
    .action(
      runs('dlq purge', (target, output, options: { yes: boolean }) => runDlqPurge(target, output, options)),
    );

  program
    .command('replay')
    .description('replay archived BatchRequested events of a time window onto the bus (EventBridge archive)')
    .requiredOption('--from <time>', 'ISO 8601 start, e.g. 2026-12-04T09:00:00Z')
    .requiredOption('--to <time>', 'ISO 8601 end')
    .action(
      runs('replay', (target, output, options: { from: string; to: string }) =>
        runReplay(target, output, { ...options, now: deps.now }),
      ),
    );

  return {
    program,
    get exitCode() {
      return state.exitCode;
    },
    async run(args) {
      state.exitCode = 0;
      try {
        await program.parseAsync([...args], { from: 'user' });
        return state.exitCode;
      } catch (error) {
        if (error instanceof CommanderError) {
          if (CLEAN_EXITS.has(error.code)) return ExitCode.Ok;
          if (args.includes('--json')) {
            new Output(io, true).failure(undefined, {
              code: 'UsageError',
              message: error.message,
              exitCode: ExitCode.Usage,
            });
          }
          return ExitCode.Usage;
        }
        throw error;
      }
    },
  };
}
