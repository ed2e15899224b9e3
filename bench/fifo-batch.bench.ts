/**
 * FIFO batch scheduling: ours against Powertools' SqsFifoPartialProcessorAsync
 * (FIFO-correct, sequential) and a plain Promise.allSettled (parallel, NOT
 * FIFO-correct), in the same run, on batches of 10 records spread over 1, 2, 5
 * and 10 message groups, every record costing one fake RunTask of fixed latency.
 * The ideal is (largest group's size) × latency.
 */
import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { SQSRecord } from 'aws-lambda';
import { processFifoBatch } from '../src/launcher/fifo-batch.js';
import { lambdaContext, sqsEvent, sqsRecord } from '../tests/helpers/sqs-records.js';
import { median, writeReadmeTable, writeResult } from './report.js';

const LATENCY_MS = 50;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const GROUP_COUNTS = [1, 2, 5, 10] as const;

/** A fake ECS client: every RunTask takes LATENCY_MS. */
const fakeRunTask = (_record: SQSRecord) =>
  new Promise<string>((resolve) => setTimeout(() => resolve('task'), LATENCY_MS));

function batchOf(groups: number): SQSRecord[] {
  return Array.from({ length: 10 }, (_, i) => sqsRecord({ body: '{}', group: `batch-${i % groups}` }));
}

const strategies = {
  ours: (records: SQSRecord[]) =>
    processFifoBatch(
      records,
      (r) => ({ groupId: r.attributes.MessageGroupId ?? '', messageId: r.messageId }),
      fakeRunTask,
    ),
  powertools: (records: SQSRecord[]) =>
    processPartialResponse(sqsEvent(records), fakeRunTask, new SqsFifoPartialProcessorAsync(), {
      context: lambdaContext(),
      skipGroupOnError: true,
    }),
  allSettled: (records: SQSRecord[]) => Promise.allSettled(records.map(fakeRunTask)),
} as const;

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const rows: Record<string, number | string>[] = [];
for (const groups of GROUP_COUNTS) {
  const ideal = Math.ceil(10 / groups) * LATENCY_MS;
  const samples: Record<keyof typeof strategies, number[]> = { ours: [], powertools: [], allSettled: [] };
  for (let run = 0; run < RUNS; run++) {
    // Interleave the strategies so machine noise hits all of them alike.
    for (const name of Object.keys(strategies) as (keyof typeof strategies)[]) {
      samples[name].push(await time(() => strategies[name](batchOf(groups))));
    }
  }
  const ours = median(samples.ours);
  const powertools = median(samples.powertools);
  const allSettled = median(samples.allSettled);
  rows.push({
    groups,
    idealMs: ideal,
    oursMs: Math.round(ours),
    powertoolsMs: Math.round(powertools),
    allSettledMs: Math.round(allSettled),
    oursVsIdeal: +(ours / ideal).toFixed(2),
    powertoolsVsOurs: +(powertools / ours).toFixed(2),
    allSettledVsOurs: +(allSettled / ours).toFixed(2),
  });
  console.log(
    `groups=${groups}: ideal ${ideal} ms, ours ${ours.toFixed(0)} ms, powertools ${powertools.toFixed(0)} ms, allSettled ${allSettled.toFixed(0)} ms`,
  );
}

const path = writeResult('fifo-batch', { latencyMs: LATENCY_MS, runs: RUNS, recordsPerBatch: 10, rows });
const table = [
  `10 records per batch, fake RunTask ${LATENCY_MS} ms, median of ${RUNS} runs each (\`npm run bench\`, ${new Date().toISOString().slice(0, 10)}).`,
  '',
  '| groups | ideal | ours | Powertools FIFO | allSettled (not FIFO-safe) | ours ÷ ideal | Powertools ÷ ours |',
  '|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.groups} | ${r.idealMs} ms | ${r.oursMs} ms | ${r.powertoolsMs} ms | ${r.allSettledMs} ms | ${r.oursVsIdeal} | ${r.powertoolsVsOurs}× |`,
  ),
].join('\n');
writeReadmeTable('fifo-batch', table);
console.log(`\n${table}\n\nwrote ${path} and the README table`);
