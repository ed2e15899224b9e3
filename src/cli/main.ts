import { createBatchctl } from './program.js';

/** `batchctl` as a process: real streams and environment; the exit code is set, never forced. */
const batchctl = createBatchctl({
  io: {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
  },
  env: process.env,
});
process.exitCode = await batchctl.run(process.argv.slice(2));
