/**
 * `npm run test:reliability`: the full reliability run through the sandbox (10,000 events by
 * default, `RELIABILITY_EVENTS` to change it): valid requests, 10 % duplicates, 5 % malformed,
 * 20 % placement failures, RunTask at Fargate's 20/s (burst 100), two launcher crashes. Prints
 * the figures; exits 1 when any invariant did not hold. Progress goes to stderr.
 *
 * Not part of `npm test` nor `.ci/run`: at Fargate's rate it takes many minutes (see the README).
 * `tests/reliability/reliability.test.ts` runs the same thing at 400 events in `npm test`.
 */
import { writeResult } from '../bench/report.js';
import { dropLines, EMPTY_METRICS_WARNING } from '../tests/reliability/support/dropped-lines.js';
import { describeReport, runReliability } from '../tests/reliability/support/reliability-run.js';

const events = Number(process.env.RELIABILITY_EVENTS ?? 10_000);
const seed = Number(process.env.RELIABILITY_SEED ?? 7);
// Fargate's documented RunTask limits.
const runTaskRateLimit = { ratePerSecond: 20, burst: 100 };

const quiet = [
  dropLines(process.stdout, [EMPTY_METRICS_WARNING]),
  dropLines(process.stderr, [EMPTY_METRICS_WARNING]),
];
process.stderr.write(`[reliability] ${events.toLocaleString('en')} events, seed ${seed}\n`);
const report = await runReliability({
  events,
  seed,
  runTaskRateLimit,
  // Generous: the run is expected to take minutes; the deadline only catches a stuck run.
  timeoutMs: Number(process.env.RELIABILITY_TIMEOUT_SECONDS ?? 3_600) * 1000,
  progress: (line) => process.stderr.write(`[reliability] ${line}\n`),
});
for (const q of quiet) q.restore();
const lines = describeReport(report);
console.log(lines.join('\n'));
console.log(`wrote ${writeResult('reliability', report)}`);
process.exitCode = report.violations.length === 0 ? 0 : 1;
