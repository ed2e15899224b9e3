/**
 * `npm start`: the whole flow on this machine, 127.0.0.1 only, until Ctrl-C or SIGTERM.
 * Ports: SANDBOX_EVENTS_PORT (4010), SANDBOX_SQS_PORT (4011), SANDBOX_ECS_PORT (4012),
 * SANDBOX_DYNAMODB_PORT (4013); 0 picks a free port.
 */
import { performance } from 'node:perf_hooks';
import { ENDPOINT_VARIABLES, type Sandbox, type Service, startSandbox } from './sandbox.js';

const PORTS = {
  events: { variable: 'SANDBOX_EVENTS_PORT', default: 4010 },
  sqs: { variable: 'SANDBOX_SQS_PORT', default: 4011 },
  ecs: { variable: 'SANDBOX_ECS_PORT', default: 4012 },
  dynamodb: { variable: 'SANDBOX_DYNAMODB_PORT', default: 4013 },
} as const satisfies Record<Service, { variable: string; default: number }>;

/** A stop that takes longer than this is abandoned: the process exits anyway. */
const STOP_DEADLINE_MS = 15_000;
/** Signals closer than this to the first one are the same Ctrl-C, relayed by npm and tsx. */
const REPEATED_SIGNAL_MS = 1_000;
const PARENT_CHECK_MS = 500;

const print = (line = '') => process.stdout.write(`${line}\n`);

function portsFromEnvironment(): Record<Service, number> {
  return Object.fromEntries(
    Object.entries(PORTS).map(([service, { variable, default: fallback }]) => {
      const text = process.env[variable];
      const port = text === undefined || text === '' ? fallback : Number(text);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) {
        throw new Error(
          `${variable}="${text}" is not a port: use an integer from 0 to 65535 (0 = any free port).`,
        );
      }
      return [service, port];
    }),
  ) as Record<Service, number>;
}

function printBanner(sandbox: Sandbox, startMs: number): void {
  const { endpoints, config } = sandbox;
  const types = config.catalog.map((type) => `${type.batchTypeId}=${type.name}`).join(', ');
  const clusters = [...new Set(config.catalog.map((type) => type.cluster))].join(', ');
  print(`ecs-batch-launcher sandbox, stage "${config.stage}": started in ${startMs} ms (127.0.0.1 only)`);
  print();
  print(`  EventBridge  ${endpoints.events}  buses ${sandbox.eventBusName} (routes: ${types}) and default`);
  print(`  SQS          ${endpoints.sqs}  ${sandbox.queueUrl}, DLQ ${sandbox.dlqUrl}`);
  print(`  ECS          ${endpoints.ecs}  cluster ${clusters}; tasks run demo/batch-app.mjs`);
  print(
    `  DynamoDB     ${endpoints.dynamodb}  tables ${sandbox.tables.idempotency}, ${sandbox.tables.lifecycle}`,
  );
  print();
  print('In another shell:');
  print();
  for (const service of ['events', 'ecs', 'sqs', 'dynamodb'] as const) {
    print(`export ${ENDPOINT_VARIABLES[service]}=${endpoints[service]}`);
  }
  const { AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = sandbox.environment;
  // AWS CLI v1 reads only AWS_DEFAULT_REGION.
  print(
    `export AWS_REGION=${AWS_REGION} AWS_DEFAULT_REGION=${AWS_REGION} ` +
      `AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY}`,
  );
  print();
  const hello = config.catalog[0];
  if (hello !== undefined) {
    const detail = JSON.stringify({
      batchTypeId: hello.batchTypeId,
      requestId: 'hello-1',
      parameters: { greeting: 'hi from the monolith' },
    });
    const entries = JSON.stringify([
      {
        EventBusName: sandbox.eventBusName,
        Source: config.monolith.eventSource,
        DetailType: 'BatchRequested',
        Detail: detail,
      },
    ]);
    print(
      `# run the ${hello.name} batch (same requestId again within 5 min: deduplicated; change it to run another)`,
    );
    print(`aws events put-events --endpoint-url ${endpoints.events} --entries '${entries}'`);
    print();
    print('# the task, with its overrides');
    print(
      `aws ecs list-tasks --endpoint-url ${endpoints.ecs} --cluster ${hello.cluster} --desired-status STOPPED`,
    );
    print(
      `aws ecs describe-tasks --endpoint-url ${endpoints.ecs} --cluster ${hello.cluster} --tasks <task ARN>`,
    );
    print();
  }
  print("Each request's journey follows, one line per step. Ctrl-C stops the sandbox.");
  print();
}

async function main(): Promise<void> {
  const started = performance.now();
  const sandbox = await startSandbox({ ports: portsFromEnvironment() });
  printBanner(sandbox, Math.round(performance.now() - started));

  let stopStarted: number | undefined;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopStarted !== undefined) {
      // Ctrl-C reaches npm, tsx and this process at once, and both relay it: only a signal sent
      // well after the first one means "do not wait".
      if (performance.now() - stopStarted > REPEATED_SIGNAL_MS) {
        print(`${signal} again: exiting without waiting.`);
        process.exit(130);
      }
      return;
    }
    stopStarted = performance.now();
    print();
    print(`${signal}: stopping (finishing the batch in flight, stopping tasks)…`);
    const deadline = setTimeout(() => {
      print(`The sandbox did not stop within ${STOP_DEADLINE_MS} ms: exiting anyway.`);
      process.exit(1);
    }, STOP_DEADLINE_MS);
    await sandbox.stop();
    clearTimeout(deadline);
    const bus = sandbox.bus.stats;
    const poller = sandbox.poller.stats;
    print(
      `Stopped in ${Math.round(performance.now() - stopStarted)} ms. Events received ${bus.received}, ` +
        `unmatched ${bus.unmatched}, delivery failures ${bus.deliveryFailures}; batches ${poller.batches}, ` +
        `records ${poller.records}, retried ${poller.retried}.`,
    );
    process.exit(0);
  };
  process.on('SIGINT', (signal) => void stop(signal));
  process.on('SIGTERM', (signal) => void stop(signal));
  // `kill <npm's pid>` ends npm and its shell, which do not pass SIGTERM on: an orphaned sandbox
  // would keep its ports and tasks. Losing the parent counts as SIGTERM.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void stop('SIGTERM');
  }, PARENT_CHECK_MS).unref();
}

main().catch((error: unknown) => {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    const port = (error as { port?: number }).port;
    const taken = Object.values(PORTS).find((entry) => entry.default === port);
    process.stderr.write(
      `Port ${port} is already in use (another sandbox?). Stop it, or choose other ports` +
        `${taken === undefined ? '' : `, e.g. ${taken.variable}=0`} (SANDBOX_EVENTS_PORT, SANDBOX_SQS_PORT, ` +
        'SANDBOX_ECS_PORT, SANDBOX_DYNAMODB_PORT; 0 = any free port).\n',
    );
  } else {
    process.stderr.write(
      `The sandbox could not start: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
  }
  process.exit(1);
});
