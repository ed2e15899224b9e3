/**
 * End to end through the local sandbox: BatchRequested put through the EventBridge API → the
 * stack's routing rules → SQS FIFO (fauxqs) → the real launch-batch handler driven like Lambda's
 * event source mapping → RunTask on the local ECS (simulated tasks: no process per task) →
 * track-task. Three phases, each in a fresh process (the handlers bind their endpoints once per
 * process, and a fresh process starts with a full RunTask token bucket):
 *
 * - burst: N events put as fast as they go, no ECS limit: throughput, and latency including
 *   the queueing a backlog causes;
 * - paced: events at a rate the pipeline keeps up with: the latency of the pipeline itself;
 * - fargate: N events put at once, RunTask limited as Fargate limits it (20/s, burst 100): the
 *   sustained launch rate as a fraction of the limit, and how many messages reached the DLQ.
 *
 * Latency is PutEvents sent (just before the call) → the task's `createdAt` as the local ECS
 * recorded it, matched by requestId through `startedBy`. Progress goes to stderr.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { RateLimit } from '../sandbox/ecs/token-bucket.js';
import { startSandbox } from '../sandbox/sandbox.js';
import { SandboxClient } from '../tests/integration/support/sandbox-client.js';
import { dropLines, EMPTY_METRICS_WARNING } from '../tests/reliability/support/dropped-lines.js';
import { listLaunchedTasks, tasksByRequest } from '../tests/reliability/support/launched-tasks.js';
import type { ReliabilityReport } from '../tests/reliability/support/reliability-run.js';
import { putRequests } from '../tests/reliability/support/request-publisher.js';
import { percentile, writeReadmeTable, writeResult } from './report.js';

const EVENTS = Number(process.env.BENCH_E2E_EVENTS ?? 2_000);
const PACED_EVENTS = Number(process.env.BENCH_E2E_PACED_EVENTS ?? Math.min(EVENTS, 300));
const PACED_RATE = Number(process.env.BENCH_E2E_PACED_RATE ?? 10);
const FARGATE: RateLimit = { ratePerSecond: 20, burst: 100 };
/**
 * Caps the launcher's retry backoff (15 s × 2ⁿ, jittered) in the sandbox. With two message
 * groups a throttled message holds its whole group for its backoff; 2 s lets the token bucket
 * refill 40 launches meanwhile instead of stalling the group 7.5-15 s per throttle.
 */
const MAX_VISIBILITY_SECONDS = 2;
/** Gives up waiting when nothing moved for this long (reported as incomplete, never hidden). */
const STALL_MS = 120_000;

type PhaseName = 'burst' | 'paced' | 'fargate';

interface Phase {
  readonly name: PhaseName;
  readonly label: string;
  readonly events: number;
  readonly ratePerSecond?: number;
  readonly runTaskRateLimit?: RateLimit;
}

const PHASES: readonly Phase[] = [
  { name: 'burst', label: 'burst: all put at once', events: EVENTS },
  {
    name: 'paced',
    label: `paced: ${PACED_RATE} events/s`,
    events: PACED_EVENTS,
    ratePerSecond: PACED_RATE,
  },
  { name: 'fargate', label: 'Fargate limit: all put at once', events: EVENTS, runTaskRateLimit: FARGATE },
];

interface PhaseResult {
  readonly phase: PhaseName;
  readonly label: string;
  readonly events: number;
  readonly runTaskRateLimit: RateLimit | null;
  readonly maxVisibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  readonly complete: boolean;
  readonly putSeconds: number;
  readonly launched: number;
  /** Requests with more than one task. */
  readonly duplicated: number;
  readonly deadLettered: number;
  /** Launches ÷ (last launch − first PutEvents). */
  readonly launchesPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly max: number };
  /** Launches per second from the first ThrottlingException (the bucket empty) to the last launch. */
  readonly sustainedPerSecond: number | null;
  readonly sustainedFractionOfLimit: number | null;
  readonly runTask: { calls: number; started: number; throttled: number; unplaced: number; repeated: number };
  /** Records the handler reported failed (retried through SQS), and whole batches retried. */
  readonly poller: { batches: number; records: number; retried: number; failedBatches: number };
  /** fauxqs hands out at most one message per FIFO group per receive: this says how full batches were. */
  readonly recordsPerBatch: number;
}

function progress(line: string): void {
  process.stderr.write(`[end-to-end] ${line}\n`);
}

async function runPhase(phase: Phase): Promise<PhaseResult> {
  const sandbox = await startSandbox({
    ecs: {
      taskRunner: 'simulated',
      ...(phase.runTaskRateLimit === undefined ? {} : { runTaskRateLimit: phase.runTaskRateLimit }),
    },
    maxVisibilityTimeoutSeconds: MAX_VISIBILITY_SECONDS,
    log: () => undefined,
    handlerLogLevel: 'SILENT',
  });
  const client = new SandboxClient(sandbox);
  try {
    const run = Date.now().toString(36);
    const requests = Array.from({ length: phase.events }, (_, index) => ({
      detail: {
        // Both batch types of the local catalog: two message groups, launched side by side.
        batchTypeId: 1 + (index % 2),
        requestId: `e2e-${phase.name}-${run}-${index}`,
        parameters: { index },
      },
    }));
    const keys = requests.map((request) => request.detail.requestId);
    let put = 0;
    const started = performance.now();
    let lastMoved = started;
    let lastSeen = -1;
    let deadLettered = 0;
    // The bucket is empty at the first ThrottlingException: from then on, launches are bounded
    // by the refill rate alone, so that is where the sustained rate is measured from.
    let firstThrottleAt: number | undefined;
    const throttleWatch = setInterval(() => {
      if (firstThrottleAt === undefined && sandbox.ecs.runTaskStats.throttled > 0)
        firstThrottleAt = Date.now();
    }, 50);
    const ticker = setInterval(() => {
      const stats = sandbox.ecs.runTaskStats;
      progress(
        `${phase.name}: ${((performance.now() - started) / 1000).toFixed(0)} s, put ${put}/${phase.events}, ` +
          `launched ${stats.started}, throttled ${stats.throttled}, retried ${sandbox.poller.stats.retried}, DLQ ${deadLettered}`,
      );
    }, 5_000);
    try {
      const putting = putRequests(client.events, sandbox, requests, {
        concurrency: 8,
        ...(phase.ratePerSecond === undefined ? {} : { ratePerSecond: phase.ratePerSecond }),
        onProgress: (count) => {
          put = count;
        },
      });
      const sentAt = await putting;
      const putSeconds = (performance.now() - started) / 1000;
      let complete = false;
      for (;;) {
        const launched = sandbox.ecs.runTaskStats.started;
        deadLettered = (await sandbox.deadLetters()).length;
        if (launched + deadLettered >= phase.events) {
          complete = true;
          break;
        }
        if (launched + deadLettered !== lastSeen) {
          lastSeen = launched + deadLettered;
          lastMoved = performance.now();
        } else if (performance.now() - lastMoved > STALL_MS) {
          progress(`${phase.name}: nothing moved for ${STALL_MS / 1000} s, reporting what happened`);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await sandbox.bus.idle();

      const tasks = tasksByRequest(await listLaunchedTasks(client.ecs, ['local']));
      const createdAt: number[] = [];
      const latencies: number[] = [];
      let duplicated = 0;
      keys.forEach((key, index) => {
        const found = tasks.get(key) ?? [];
        if (found.length > 1) duplicated += 1;
        const first = Math.min(...found.map((task) => task.createdAt));
        if (found.length > 0) {
          createdAt.push(first);
          latencies.push(first - (sentAt[index] as number));
        }
      });
      if (latencies.some((latency) => latency < 0)) {
        throw new Error('A task was created before its PutEvents was sent: the send times are mismatched');
      }
      createdAt.sort((a, b) => a - b);
      const firstSent = Math.min(...sentAt);
      const lastLaunch = createdAt.at(-1) ?? firstSent;
      const throttledFrom = firstThrottleAt;
      const sustained =
        phase.runTaskRateLimit === undefined || throttledFrom === undefined || lastLaunch <= throttledFrom
          ? null
          : createdAt.filter((at) => at > throttledFrom).length / ((lastLaunch - throttledFrom) / 1000);
      const stats = sandbox.ecs.runTaskStats;
      const poller = sandbox.poller.stats;
      return {
        phase: phase.name,
        label: phase.label,
        events: phase.events,
        runTaskRateLimit: phase.runTaskRateLimit ?? null,
        maxVisibilityTimeoutSeconds: MAX_VISIBILITY_SECONDS,
        maxReceiveCount: sandbox.config.launcher.maxReceiveCount,
        complete,
        putSeconds: round(putSeconds, 1),
        launched: createdAt.length,
        duplicated,
        deadLettered,
        launchesPerSecond: round(createdAt.length / ((lastLaunch - firstSent) / 1000), 1),
        latencyMs: {
          p50: Math.round(percentile(latencies, 50)),
          p95: Math.round(percentile(latencies, 95)),
          max: Math.round(Math.max(...latencies)),
        },
        sustainedPerSecond: sustained === null ? null : round(sustained, 1),
        sustainedFractionOfLimit:
          sustained === null || phase.runTaskRateLimit === undefined
            ? null
            : round(sustained / phase.runTaskRateLimit.ratePerSecond, 2),
        runTask: {
          calls: stats.calls,
          started: stats.started,
          throttled: stats.throttled,
          unplaced: stats.unplaced,
          repeated: stats.repeated,
        },
        poller: {
          batches: poller.batches,
          records: poller.records,
          retried: poller.retried,
          failedBatches: poller.failedBatches,
        },
        recordsPerBatch: round(poller.records / Math.max(1, poller.batches), 2),
      };
    } finally {
      clearInterval(ticker);
      clearInterval(throttleWatch);
    }
  } finally {
    client.destroy();
    await sandbox.stop();
  }
}

function round(value: number, digits: number): number {
  return Number.isFinite(value) ? Number(value.toFixed(digits)) : value;
}

/** Runs one phase in a fresh Node.js process and reads its result back. */
async function runPhaseInChild(phase: Phase): Promise<PhaseResult> {
  const out = `bench/results/end-to-end-${phase.name}.tmp.json`;
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
      env: { ...process.env, BENCH_E2E_PHASE: phase.name, BENCH_E2E_OUT: out },
      // The child's stdout (handler logs, if any) joins our progress on stderr.
      stdio: ['ignore', process.stderr, process.stderr],
    });
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`the ${phase.name} phase exited with ${code}`);
  const result = JSON.parse(readFileSync(out, 'utf8')) as PhaseResult;
  rmSync(out);
  return result;
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

function tableOf(results: readonly PhaseResult[], machine: string): string {
  const by = (name: PhaseName) => results.find((result) => result.phase === name);
  const burst = by('burst');
  const paced = by('paced');
  const fargate = by('fargate');
  const rows = results.map((r) => {
    const limit =
      r.runTaskRateLimit === null
        ? 'none'
        : `${r.runTaskRateLimit.ratePerSecond}/s, burst ${r.runTaskRateLimit.burst}`;
    const rate =
      r.runTaskRateLimit === null
        ? `${r.launchesPerSecond}`
        : r.sustainedPerSecond === null
          ? `${r.launchesPerSecond} (never throttled: the limit did not bind)`
          : `${r.launchesPerSecond}; sustained ${r.sustainedPerSecond} = **${r.sustainedFractionOfLimit} × the limit**`;
    return `| ${r.label} | ${r.events.toLocaleString('en')} | ${limit} | ${r.launched.toLocaleString('en')}${r.complete ? '' : ' (stalled)'} | ${r.duplicated} | ${r.deadLettered} | ${rate} | ${seconds(r.latencyMs.p50)} | ${seconds(r.latencyMs.p95)} |`;
  });
  const limits = [
    burst === undefined
      ? undefined
      : `* **Burst throughput (${burst.launchesPerSecond}/s): the emulator and the CPU.** fauxqs hands out one message per FIFO ` +
        'message group per receive and none while one is in flight, so each of the 2 groups launches strictly one request ' +
        'after the other (receive → handler: 2 idempotency writes, RunTask, lifecycle write → delete), all on 2 shared cores ' +
        `(${burst.recordsPerBatch} records per batch). SQS hands up to 10 messages of a group per receive; more batch types (groups), ` +
        'more cores, or real SQS and Lambda move it. The burst latency is queueing: p50 ≈ half the time to drain the backlog.',
    paced === undefined
      ? undefined
      : `* **Paced latency (p50 ${seconds(paced.latencyMs.p50)}): the pipeline itself** at a rate it keeps up with: ` +
        'the long poll picking the message up, then the handler. In AWS add EventBridge → SQS delivery and the Lambda invocation.',
    fargate === undefined
      ? undefined
      : `* **Under Fargate's limit: the token bucket.** ${fargate.sustainedFractionOfLimit ?? '–'} × 20/s sustained once the burst of 100 ` +
        `is spent, ${fargate.deadLettered} in the DLQ: ${fargate.runTask.throttled.toLocaleString('en')} RunTask calls throttled, ` +
        `${fargate.poller.retried.toLocaleString('en')} records retried through SQS (the SDK's own retries absorbed the rest). ` +
        'Only the account quota moves it; latency there is the backlog at 20/s.',
    `* Retry room: maxReceiveCount ${results[0]?.maxReceiveCount} (the local stage's); the launcher's 15 s × 2ⁿ backoff capped ` +
      `at ${MAX_VISIBILITY_SECONDS} s (\`maxVisibilityTimeoutSeconds\`), so a throttled message holds its group 2 s, not 7.5-15 s.`,
    reliabilitySummary(),
  ].filter((line): line is string => line !== undefined);
  return [
    `PutEvents → rule → SQS FIFO (fauxqs) → launch-batch (real handler, Lambda-like poller, concurrency 5) → RunTask on the local ECS with simulated tasks; requests alternate between the local catalog's 2 batch types (2 message groups). One run each, ${machine} (\`npm run bench\`, ${new Date().toISOString().slice(0, 10)}).`,
    '',
    '| phase | events | ECS RunTask limit | launched | duplicated | DLQ | launches/s | PutEvents→RunTask p50 | p95 |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    'What limits each number, and what would move it:',
    '',
    ...limits,
  ].join('\n');
}

/** The last `npm run test:reliability` figures, if it ran on this clone. */
function reliabilitySummary(): string | undefined {
  let saved: { at: string; result: ReliabilityReport };
  try {
    saved = JSON.parse(readFileSync('bench/results/reliability.json', 'utf8'));
  } catch {
    return undefined;
  }
  const f = saved.result.figures;
  const n = (value: number) => value.toLocaleString('en');
  return (
    `* Correctness under faults (\`npm run test:reliability\`, ${saved.at.slice(0, 10)}, ${f.durationSeconds} s): ` +
    `${n(f.uniqueValid + f.malformed + f.duplicatesWithinWindow + f.duplicatesAfterWindow)} events with 10 % duplicates, 5 % malformed, ` +
    `${f.settings.placementFailureRate * 100} % placement failures, RunTask at ${f.settings.runTaskRateLimit.ratePerSecond}/s ` +
    `(burst ${f.settings.runTaskRateLimit.burst}) and ${f.crashes} launcher crashes → ${n(f.exactlyOneTask)}/${n(f.uniqueValid)} ` +
    `requests with exactly one task, ${f.lost} lost, ${f.duplicated} duplicated, ${n(f.malformedDeadLetteredWithCode)}/${n(f.malformed)} ` +
    `malformed in the DLQ with their errorCode, ${f.validDeadLettered} valid ones there; ` +
    `${saved.result.violations.length === 0 ? 'every invariant held' : `${saved.result.violations.length} violations`}.`
  );
}

async function main(): Promise<void> {
  const only = process.env.BENCH_E2E_PHASE as PhaseName | undefined;
  if (only !== undefined) {
    const phase = PHASES.find((candidate) => candidate.name === only);
    if (phase === undefined) throw new Error(`unknown BENCH_E2E_PHASE ${only}`);
    dropLines(process.stdout, [EMPTY_METRICS_WARNING]);
    dropLines(process.stderr, [EMPTY_METRICS_WARNING]);
    const result = await runPhase(phase);
    writeFileSync(
      process.env.BENCH_E2E_OUT ?? `bench/results/end-to-end-${phase.name}.tmp.json`,
      JSON.stringify(result),
    );
    return;
  }
  const results: PhaseResult[] = [];
  for (const phase of PHASES) {
    progress(`phase ${phase.name}: ${phase.events} events (${phase.label})`);
    const result = await runPhaseInChild(phase);
    progress(`phase ${phase.name}: ${JSON.stringify(result)}`);
    results.push(result);
  }
  const path = writeResult('end-to-end', {
    events: EVENTS,
    pacedEvents: PACED_EVENTS,
    pacedRatePerSecond: PACED_RATE,
    maxVisibilityTimeoutSeconds: MAX_VISIBILITY_SECONDS,
    phases: results,
  });
  const table = tableOf(results, `Node ${process.version}, ${cpus().length} CPUs`);
  writeReadmeTable('end-to-end', table);
  console.log(`\n${table}\n\nwrote ${path} and the README table`);
}

await main();
