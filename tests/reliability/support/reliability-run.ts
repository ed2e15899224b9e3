import { SendMessageBatchCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { RateLimit } from '../../../sandbox/ecs/token-bucket.js';
import { applyInputTransformer } from '../../../sandbox/eventbridge/input-transformer.js';
import { type Sandbox, startSandbox } from '../../../sandbox/sandbox.js';
import { routesFor } from '../../../src/routing/routes.js';
import { SandboxClient } from '../../integration/support/sandbox-client.js';
import { CrashableLauncher } from './crashable-launcher.js';
import { listLaunchedTasks, tasksByRequest } from './launched-tasks.js';
import { putRequests } from './request-publisher.js';
import { buildWorkload, MALFORMED_KINDS, mulberry32, type ValidRequest, type Workload } from './workload.js';

export interface ReliabilityRunOptions {
  /** Events in all (PutEvents entries plus duplicates sent after the dedup window). */
  readonly events: number;
  /** ECS RunTask token bucket (Fargate: 20/s, burst 100). */
  readonly runTaskRateLimit: RateLimit;
  /** Share of RunTask calls answered with `failures[]` and no task. @default 0.2 */
  readonly placementFailureRate?: number;
  /** When to crash the launcher: fractions of the valid requests launched so far. @default [1/3, 2/3] */
  readonly crashAt?: readonly number[];
  /**
   * Receives before SQS dead-letters a message. The local stage's 3 would dead-letter about
   * 0.2³ = 0.8 % of valid requests at a 20 % placement failure rate (prod's 5: 0.03 %), before
   * counting throttles and crashes: raised on the emulated queue with SetQueueAttributes.
   * @default 10
   */
  readonly maxReceiveCount?: number;
  /** The queue's visibility timeout: how long a crash holds its messages (and their groups). @default 10 */
  readonly visibilityTimeoutSeconds?: number;
  /**
   * Cap of the launcher's 15 s × 2ⁿ backoff. The local catalog has two batch types, so two
   * message groups, and a backing-off message holds its whole group: even the launcher's 1 s
   * floor stalls a group about once in four launches at a 20 % failure rate, the pipeline drops
   * to ~5 launches/s and never reaches the 20/s RunTask limit it is meant to be tested against.
   * At 0 a failed message is retried at once (the SDK's own retries still pace throttled
   * calls), and the limit binds.
   * @default 0
   */
  readonly maxVisibilityTimeoutSeconds?: number;
  /** Seed of the workload and of the placement failures. @default 7 */
  readonly seed?: number;
  /** Gives up waiting after this long; what was left undone is reported as violations. */
  readonly timeoutMs: number;
  /** Progress lines (stderr in the script). */
  readonly progress?: (line: string) => void;
}

export interface ReliabilityFigures {
  readonly durationSeconds: number;
  readonly putSeconds: number;
  readonly published: number;
  readonly uniqueValid: number;
  readonly malformed: number;
  readonly duplicatesWithinWindow: number;
  readonly duplicatesAfterWindow: number;
  /** Distinct SQS messages the launcher received. */
  readonly messagesSeen: number;
  readonly tasks: number;
  readonly exactlyOneTask: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly unexpectedTasks: number;
  readonly deadLetters: number;
  readonly malformedDeadLetteredWithCode: number;
  readonly deadLetteredByCode: Readonly<Record<string, number>>;
  readonly validDeadLettered: number;
  readonly deadLetterCopies: number;
  readonly resultEvents: number;
  /** First task created → last task created. */
  readonly launchSeconds: number;
  readonly crashes: number;
  readonly abandonedRecords: number;
  readonly runTask: Sandbox['ecs']['runTaskStats'];
  readonly poller: CrashableLauncher['stats'];
  readonly settings: {
    readonly runTaskRateLimit: RateLimit;
    readonly placementFailureRate: number;
    readonly maxReceiveCount: number;
    readonly visibilityTimeoutSeconds: number;
    readonly maxVisibilityTimeoutSeconds: number;
    readonly seed: number;
  };
}

export interface ReliabilityReport {
  readonly figures: ReliabilityFigures;
  /** Every invariant that did not hold, in words; empty when the run is clean. */
  readonly violations: readonly string[];
}

const DEDUP_WINDOW_SECONDS = 300;

/**
 * The reliability run: through the whole sandbox (real PutEvents, the stack's routing, SQS FIFO
 * with content-based dedup, the real launch-batch handler, the local ECS with simulated tasks,
 * track-task), a workload of valid requests, duplicates and malformed requests, under
 * placement failures, Fargate-like throttling and launcher crashes. Then it checks, through the
 * ECS and SQS APIs: exactly one task per unique valid request, every malformed request in the
 * DLQ with its errorCode, nothing else in the DLQ, nothing left in the queue, one result event
 * per request.
 */
export async function runReliability(options: ReliabilityRunOptions): Promise<ReliabilityReport> {
  const settings = {
    runTaskRateLimit: options.runTaskRateLimit,
    placementFailureRate: options.placementFailureRate ?? 0.2,
    maxReceiveCount: options.maxReceiveCount ?? 10,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 10,
    maxVisibilityTimeoutSeconds: options.maxVisibilityTimeoutSeconds ?? 0,
    seed: options.seed ?? 7,
  };
  const progress = options.progress ?? (() => undefined);
  const started = performance.now();
  const deadline = started + options.timeoutMs;
  const violations: string[] = [];
  const workload = buildWorkload({
    events: options.events,
    seed: settings.seed,
    prefix: `rel-${Date.now().toString(36)}`,
  });

  const sandbox = await startSandbox({
    visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds,
    maxVisibilityTimeoutSeconds: settings.maxVisibilityTimeoutSeconds,
    ecs: {
      taskRunner: 'simulated',
      runTaskRateLimit: settings.runTaskRateLimit,
      placementFailureRate: settings.placementFailureRate,
      random: mulberry32(settings.seed + 1),
    },
    log: () => undefined,
    handlerLogLevel: 'SILENT',
  });
  const client = new SandboxClient(sandbox);
  // The sandbox's own poller cannot crash: ours replaces it before anything is sent.
  await sandbox.poller.stop();
  const { handler } = await import('../../../handlers/launch-batch.js');
  const pollerErrors: unknown[] = [];
  const launcher = new CrashableLauncher({
    sandbox,
    client: client.sqs,
    handler,
    onError: (error) => pollerErrors.push(error),
  });
  const crashes: number[] = [];
  let put = 0;
  let putSeconds = Number.NaN;
  let ticker: NodeJS.Timeout | undefined;
  try {
    await client.sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: sandbox.queueUrl,
        Attributes: {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: sandbox.dlqArn,
            maxReceiveCount: settings.maxReceiveCount,
          }),
        },
      }),
    );
    launcher.start();
    ticker = setInterval(() => {
      const stats = sandbox.ecs.runTaskStats;
      progress(
        `${elapsed(started)} s: put ${put}/${workload.published.length}, launched ${stats.started}/${workload.valid.length}, ` +
          `throttled ${stats.throttled}, unplaced ${stats.unplaced}, retried ${launcher.stats.retried}, crashes ${crashes.length}`,
      );
    }, 10_000);

    const launched = () => sandbox.ecs.runTaskStats.started;
    const publishing = putRequests(client.events, sandbox, workload.published, {
      entriesPerCall: 10,
      concurrency: 4,
      onProgress: (count) => {
        put = count;
      },
    }).then(() => {
      putSeconds = (performance.now() - started) / 1000;
      progress(`${elapsed(started)} s: all ${workload.published.length} events put`);
    });
    const chaos = (async () => {
      let lateSent = false;
      const crashPoints = [...(options.crashAt ?? [1 / 3, 2 / 3])].sort((a, b) => a - b);
      for (const fraction of crashPoints) {
        const target = Math.ceil(fraction * workload.valid.length);
        // Crash mid-batch: once enough was launched and some invocation is under way.
        if (!(await until(() => launched() >= target && launcher.recordsInFlight > 0, deadline, 5))) {
          violations.push(
            `the crash planned at ${Math.round(fraction * 100)} % of the launches never happened`,
          );
          return;
        }
        const crash = await launcher.crash();
        crashes.push(crash.abandonedRecords);
        progress(
          `${elapsed(started)} s: launcher crashed at ${launched()} launches, ${crash.abandonedRecords} records abandoned in flight; restarting`,
        );
        await new Promise((resolve) => setTimeout(resolve, 500));
        launcher.start();
        if (!lateSent && fraction >= 0.5) {
          await sendAfterWindow(client, sandbox, workload.duplicatesAfterWindow);
          lateSent = true;
        }
      }
      if (!lateSent) {
        await until(() => launched() >= workload.valid.length / 2, deadline);
        await sendAfterWindow(client, sandbox, workload.duplicatesAfterWindow);
      }
      progress(
        `${elapsed(started)} s: ${workload.duplicatesAfterWindow.length} duplicates sent after the window`,
      );
    })();
    await Promise.all([publishing, chaos]);

    // Settled: nothing queued or in flight, every delivery made, every task stopped and told.
    let queued = Number.NaN;
    const settled = await until(async () => {
      queued = await client.messagesInQueue();
      if (queued > 0) return false;
      await sandbox.bus.idle();
      return sandbox.resultEvents.length >= sandbox.ecs.runTaskStats.started;
    }, deadline);
    if (!settled) {
      violations.push(
        `did not settle within ${Math.round(options.timeoutMs / 1000)} s: ${queued} messages still in the queue, ` +
          `${sandbox.ecs.runTaskStats.started - sandbox.resultEvents.length} tasks without a result event`,
      );
    }
    await launcher.stop();

    const figures = await verify(workload, sandbox, client, launcher, violations);
    if (putSeconds > DEDUP_WINDOW_SECONDS) {
      violations.push(
        `putting took ${putSeconds.toFixed(0)} s, longer than the ${DEDUP_WINDOW_SECONDS} s dedup window: ` +
          'some "within the window" duplicates were not',
      );
    }
    if (pollerErrors.length > 0)
      progress(`poller errors: ${pollerErrors.slice(0, 3).map(String).join('; ')}`);
    return {
      figures: {
        ...figures,
        durationSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
        putSeconds: Number(putSeconds.toFixed(1)),
        crashes: crashes.length,
        abandonedRecords: crashes.reduce((a, b) => a + b, 0),
        settings,
      },
      violations,
    };
  } finally {
    clearInterval(ticker);
    await launcher.stop();
    client.destroy();
    await sandbox.stop();
  }
}

/**
 * Late duplicates: the body the rule would write, straight to the FIFO queue with a fresh
 * deduplication id, as a re-publish after the 5-minute window would arrive.
 */
async function sendAfterWindow(
  client: SandboxClient,
  sandbox: Sandbox,
  requests: readonly ValidRequest[],
): Promise<void> {
  const routes = new Map(routesFor(sandbox.config).map((route) => [route.batchTypeId, route]));
  for (let from = 0; from < requests.length; from += 10) {
    const entries = requests.slice(from, from + 10).map((request, index) => {
      const route = routes.get(request.detail.batchTypeId);
      if (route === undefined) throw new Error(`no route for batch type ${request.detail.batchTypeId}`);
      return {
        Id: `late${index}`,
        MessageBody: applyInputTransformer(route, { detail: request.detail }),
        MessageGroupId: route.messageGroupId,
        MessageDeduplicationId: `after-window-${from + index}-${request.requestId}`,
      };
    });
    const answer = await client.sqs.send(
      new SendMessageBatchCommand({ QueueUrl: sandbox.queueUrl, Entries: entries }),
    );
    if ((answer.Failed ?? []).length > 0)
      throw new Error(`SendMessageBatch failed: ${JSON.stringify(answer.Failed)}`);
  }
}

async function verify(
  workload: Workload,
  sandbox: Sandbox,
  client: SandboxClient,
  launcher: CrashableLauncher,
  violations: string[],
): Promise<
  Omit<ReliabilityFigures, 'durationSeconds' | 'putSeconds' | 'crashes' | 'abandonedRecords' | 'settings'>
> {
  const tasks = await listLaunchedTasks(client.ecs, [
    ...new Set(sandbox.config.catalog.map((type) => type.cluster)),
  ]);
  const byRequest = tasksByRequest(tasks);
  const validIds = new Set(workload.valid.map((request) => request.requestId));
  let exactlyOne = 0;
  const lost: string[] = [];
  const duplicated: string[] = [];
  for (const id of validIds) {
    const count = byRequest.get(id)?.length ?? 0;
    if (count === 1) exactlyOne += 1;
    else if (count === 0) lost.push(id);
    else duplicated.push(`${id} (${count} tasks)`);
  }
  const unexpected = tasks.filter((task) => !validIds.has(task.requestKey));
  const created = tasks.map((task) => task.createdAt);
  const launchSeconds = tasks.length < 2 ? 0 : (Math.max(...created) - Math.min(...created)) / 1000;

  const deadLetters = await sandbox.deadLetters();
  const byCode: Record<string, number> = {};
  const dlqIds = new Map<string, string[]>();
  for (const letter of deadLetters) {
    const code = letter.messageAttributes.errorCode?.StringValue ?? '(moved by maxReceiveCount)';
    byCode[code] = (byCode[code] ?? 0) + 1;
    const id = requestIdOf(letter.body);
    dlqIds.set(id, [...(dlqIds.get(id) ?? []), code]);
  }
  let malformedWithCode = 0;
  const malformedWrong: string[] = [];
  for (const request of workload.malformed) {
    const codes = dlqIds.get(request.requestId) ?? [];
    if (codes.includes(MALFORMED_KINDS[request.kind])) malformedWithCode += 1;
    else
      malformedWrong.push(
        `${request.requestId}: ${codes.length === 0 ? 'not in the DLQ' : codes.join(', ')}`,
      );
  }
  const validDeadLettered = [...dlqIds.keys()].filter((id) => validIds.has(id));
  const malformedIds = new Set(workload.malformed.map((request) => request.requestId));
  const strangers = [...dlqIds.keys()].filter((id) => !validIds.has(id) && !malformedIds.has(id));
  const copies = [...dlqIds.values()].reduce((extra, codes) => extra + codes.length - 1, 0);
  const results = new Map<string, number>();
  for (const event of sandbox.resultEvents) {
    const id = String(event.detail.requestId);
    results.set(id, (results.get(id) ?? 0) + 1);
  }
  const withoutOneResult = [...validIds].filter((id) => results.get(id) !== 1);
  const queued = await client.messagesInQueue();

  const sample = (items: readonly string[]) =>
    `${items.slice(0, 5).join('; ')}${items.length > 5 ? `; … ${items.length - 5} more` : ''}`;
  if (lost.length > 0) violations.push(`${lost.length} valid requests have no task (lost): ${sample(lost)}`);
  if (duplicated.length > 0)
    violations.push(`${duplicated.length} valid requests have more than one task: ${sample(duplicated)}`);
  if (unexpected.length > 0)
    violations.push(
      `${unexpected.length} tasks belong to no valid request: ${sample(unexpected.map((t) => t.requestKey))}`,
    );
  if (malformedWrong.length > 0)
    violations.push(
      `${malformedWrong.length} malformed requests are not in the DLQ with their errorCode: ${sample(malformedWrong)}`,
    );
  if (validDeadLettered.length > 0)
    violations.push(
      `${validDeadLettered.length} valid requests reached the DLQ: ${sample(validDeadLettered)}`,
    );
  if (copies > 0) violations.push(`the DLQ holds ${copies} extra copies of requests already in it`);
  if (strangers.length > 0)
    violations.push(`${strangers.length} DLQ messages belong to no request of the run: ${sample(strangers)}`);
  if (withoutOneResult.length > 0)
    violations.push(
      `${withoutOneResult.length} valid requests have not exactly one result event: ${sample(withoutOneResult)}`,
    );
  if (queued > 0) violations.push(`${queued} messages are still in the requests queue`);

  return {
    published: workload.published.length,
    uniqueValid: workload.valid.length,
    malformed: workload.malformed.length,
    duplicatesWithinWindow: workload.duplicatesWithinWindow,
    duplicatesAfterWindow: workload.duplicatesAfterWindow.length,
    messagesSeen: launcher.messagesSeen,
    tasks: tasks.length,
    exactlyOneTask: exactlyOne,
    lost: lost.length,
    duplicated: duplicated.length,
    unexpectedTasks: unexpected.length,
    deadLetters: deadLetters.length,
    malformedDeadLetteredWithCode: malformedWithCode,
    deadLetteredByCode: byCode,
    validDeadLettered: validDeadLettered.length,
    deadLetterCopies: copies,
    resultEvents: sandbox.resultEvents.length,
    launchSeconds: Number(launchSeconds.toFixed(1)),
    runTask: sandbox.ecs.runTaskStats,
    poller: launcher.stats,
  };
}

/** The printable figures, one line per fact. */
export function describeReport(report: ReliabilityReport): string[] {
  const f = report.figures;
  const n = (value: number) => value.toLocaleString('en');
  const s = f.settings;
  const admitted = f.runTask.calls - f.runTask.throttled;
  const collapsed =
    f.duplicatesWithinWindow -
    Math.max(0, f.messagesSeen - (f.uniqueValid + f.malformed + f.duplicatesAfterWindow));
  return [
    `events: ${n(f.published + f.duplicatesAfterWindow)} = ${n(f.uniqueValid)} unique valid + ${n(f.malformed)} malformed + ` +
      `${n(f.duplicatesWithinWindow)} duplicates re-published within the dedup window + ${n(f.duplicatesAfterWindow)} duplicates sent after it`,
    `faults: ${s.placementFailureRate * 100} % placement failures, RunTask limited to ${s.runTaskRateLimit.ratePerSecond}/s burst ${s.runTaskRateLimit.burst}, ` +
      `${f.crashes} launcher crashes (${n(f.abandonedRecords)} records abandoned in flight)`,
    `settings: maxReceiveCount ${s.maxReceiveCount}, visibility timeout ${s.visibilityTimeoutSeconds} s, backoff capped at ${s.maxVisibilityTimeoutSeconds} s, seed ${s.seed}`,
    `queue: ${n(f.messagesSeen)} distinct messages reached the launcher; ${n(collapsed)} of ${n(f.duplicatesWithinWindow)} in-window duplicates collapsed by content-based dedup`,
    `tasks: ${n(f.tasks)} for ${n(f.uniqueValid)} unique valid requests: exactly one ${n(f.exactlyOneTask)}, lost ${n(f.lost)}, duplicated ${n(f.duplicated)}, unexpected ${n(f.unexpectedTasks)}`,
    `DLQ: ${n(f.deadLetters)} messages; malformed with their errorCode ${n(f.malformedDeadLetteredWithCode)}/${n(f.malformed)} ` +
      `(${Object.entries(f.deadLetteredByCode)
        .map(([code, count]) => `${code} ${n(count)}`)
        .join(', ')}); valid requests ${n(f.validDeadLettered)}; copies ${n(f.deadLetterCopies)}`,
    `RunTask: ${n(f.runTask.calls)} calls, ${n(f.runTask.started)} started, ${n(f.runTask.unplaced)} unplaced (failures[]), ` +
      `${n(f.runTask.throttled)} throttled, ${n(f.runTask.repeated)} clientToken repeats, ${n(f.runTask.refused)} refused`,
    `RunTask limit: ${n(admitted)} calls admitted (not throttled) over the ${f.launchSeconds} s of launches = ` +
      `${(admitted / Math.max(f.launchSeconds, 1)).toFixed(1)}/s of ${s.runTaskRateLimit.ratePerSecond}/s; ` +
      `${n(f.tasks)} tasks = ${(f.tasks / Math.max(f.launchSeconds, 1)).toFixed(1)} launches/s`,
    `launcher: ${n(f.poller.batches)} batches, ${n(f.poller.records)} records received, ${n(f.poller.retried)} retried through SQS, ${n(f.poller.failedBatches)} batches failed whole (crashes)`,
    `results: ${n(f.resultEvents)} BatchSucceeded/BatchFailed events`,
    `duration: ${f.durationSeconds} s (events put in ${f.putSeconds} s)`,
    report.violations.length === 0
      ? 'invariants: all held'
      : `invariants VIOLATED (${report.violations.length}):\n  - ${report.violations.join('\n  - ')}`,
  ];
}

function requestIdOf(body: string): string {
  try {
    const requestId = (JSON.parse(body) as { detail?: { requestId?: unknown } }).detail?.requestId;
    return typeof requestId === 'string' ? requestId : '(none)';
  } catch {
    return '(not JSON)';
  }
}

/** Polls `condition` every `intervalMs` until it holds (true) or `deadline` passes (false). */
async function until(
  condition: () => boolean | Promise<boolean>,
  deadline: number,
  intervalMs = 250,
): Promise<boolean> {
  for (;;) {
    if (await condition()) return true;
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function elapsed(started: number): string {
  return ((performance.now() - started) / 1000).toFixed(0);
}
