#!/usr/bin/env node
/**
 * The demo batch app the local sandbox runs for every task (plain Node.js, no dependencies).
 *
 * It shows what a containerised batch receives from the launcher (the four environment
 * variables and the catalog's command as argv) and lets a request choose how the task ends, so
 * the whole flow, failures included, can be exercised without a real batch:
 * - exit code: `exitCode` of BATCH_PARAMETERS when it is a JSON object with an integer exitCode
 *   in 0..255, else `--exit-code N` from argv (the `always-fails` catalog entry passes
 *   `--exit-code 3`), else 0;
 * - duration: `sleepMs` of BATCH_PARAMETERS (0..600000), else 200 ms.
 * SIGTERM (ECS StopTask) ends it at once with 143, like a container stopped by `docker stop`.
 */

const DEFAULT_SLEEP_MS = 200;
const MAX_SLEEP_MS = 600_000;

const environment = {
  TRACE_ID: process.env.TRACE_ID,
  BATCH_TYPE_ID: process.env.BATCH_TYPE_ID,
  BATCH_REQUEST_ID: process.env.BATCH_REQUEST_ID,
  BATCH_PARAMETERS: process.env.BATCH_PARAMETERS,
};
const argv = process.argv.slice(2);

for (const [name, value] of Object.entries(environment)) {
  console.log(`${name}=${value ?? ''}`);
}
console.log(`argv=${JSON.stringify(argv)}`);

const parameters = parseParameters(environment.BATCH_PARAMETERS);
const exitCode = exitCodeFrom(parameters) ?? exitCodeFromArgv(argv) ?? 0;
const sleepMs = sleepMsFrom(parameters) ?? DEFAULT_SLEEP_MS;

process.on('SIGTERM', () => {
  console.log('received SIGTERM, stopping');
  process.exit(143);
});

console.log(`working for ${sleepMs} ms`);
setTimeout(() => {
  console.log(`done, exiting with ${exitCode}`);
  process.exitCode = exitCode;
}, sleepMs);

/** BATCH_PARAMETERS as a JSON object, or undefined when it is absent, a plain string or not JSON. */
function parseParameters(text) {
  if (text === undefined || text === '') {
    return undefined;
  }
  try {
    const value = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function exitCodeFrom(parameters) {
  const value = parameters?.exitCode;
  if (value === undefined) {
    return undefined;
  }
  if (Number.isInteger(value) && value >= 0 && value <= 255) {
    return value;
  }
  console.error(`ignoring exitCode ${JSON.stringify(value)}: it must be an integer between 0 and 255`);
  return undefined;
}

function exitCodeFromArgv(args) {
  const index = args.indexOf('--exit-code');
  if (index < 0) {
    return undefined;
  }
  const value = Number(args[index + 1]);
  if (Number.isInteger(value) && value >= 0 && value <= 255) {
    return value;
  }
  console.error(`ignoring --exit-code ${args[index + 1] ?? ''}: it must be an integer between 0 and 255`);
  return undefined;
}

function sleepMsFrom(parameters) {
  const value = parameters?.sleepMs;
  if (value === undefined) {
    return undefined;
  }
  if (Number.isInteger(value) && value >= 0 && value <= MAX_SLEEP_MS) {
    return value;
  }
  console.error(
    `ignoring sleepMs ${JSON.stringify(value)}: it must be an integer between 0 and ${MAX_SLEEP_MS}`,
  );
  return undefined;
}
