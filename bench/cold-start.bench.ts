/**
 * Cold start: the synthesised launch-batch asset (exactly what CDK deploys) against
 * a minimal middy + ECS-client handler bundled with the same esbuild options:
 * bundle size, and the time to import each in a fresh Node process (median of
 * RUNS runs, the two interleaved so machine noise hits both alike).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { median, writeReadmeTable, writeResult } from './report.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const STAGE_DIR = 'cdk.out/local';

function launchBatchAsset(): string {
  const template = join(STAGE_DIR, 'EcsBatchLauncher-local.template.json');
  if (!existsSync(template)) {
    console.log('synthesising the local stage (cdk synth -c stage=local)…');
    execFileSync('npx', ['cdk', 'synth', '-c', 'stage=local', '-o', STAGE_DIR, '--quiet'], {
      stdio: 'inherit',
    });
  }
  const resources = JSON.parse(readFileSync(template, 'utf8')).Resources as Record<
    string,
    {
      Type: string;
      Properties: { Environment?: { Variables?: Record<string, string> }; Code?: { S3Key?: string } };
    }
  >;
  const fn = Object.values(resources).find(
    (r) =>
      r.Type === 'AWS::Lambda::Function' &&
      r.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'launch-batch',
  );
  const hash = fn?.Properties.Code?.S3Key?.replace(/\.zip$/, '');
  if (hash === undefined) throw new Error(`no launch-batch function in ${template}: run npm run synth`);
  return resolve(STAGE_DIR, `asset.${hash}`, 'index.mjs');
}

async function baselineBundle(): Promise<string> {
  const outfile = resolve('bench/.build/minimal/index.mjs');
  await build({
    entryPoints: ['bench/baseline/minimal-handler.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'warning',
  });
  return outfile;
}

/** Milliseconds to import the module in a brand-new Node process, measured inside it. */
function importTime(file: string): number {
  const out = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const t=performance.now();await import(${JSON.stringify(`file://${file}`)});console.log(performance.now()-t)`,
    ],
    {
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'us-east-1',
        STAGE: 'local',
        DLQ_URL: 'http://127.0.0.1:1/000000000000/batch-requests-dlq.fifo',
        SOURCE_QUEUE_URL: 'http://127.0.0.1:1/000000000000/batch-requests.fifo',
        IDEMPOTENCY_TABLE: 'idempotency',
        LIFECYCLE_TABLE: 'lifecycle',
      },
    },
  );
  return Number(out.toString().trim());
}

const ours = launchBatchAsset();
const minimal = await baselineBundle();
const samples = { ours: [] as number[], minimal: [] as number[] };
for (let i = 0; i < RUNS; i++) {
  samples.ours.push(importTime(ours));
  samples.minimal.push(importTime(minimal));
}
const kib = (file: string) => Math.round(statSync(file).size / 1024);
const result = {
  runs: RUNS,
  launchBatch: { file: ours, sizeKiB: kib(ours), importMsMedian: +median(samples.ours).toFixed(1) },
  minimal: { file: minimal, sizeKiB: kib(minimal), importMsMedian: +median(samples.minimal).toFixed(1) },
};
const ratio = (a: number, b: number) => (a / b).toFixed(2);
const path = writeResult('cold-start', result);
const table = [
  `Import time in a fresh Node ${process.version} process, median of ${RUNS} interleaved runs (\`npm run bench\`).`,
  '',
  '| handler | bundle | import | ratio to minimal |',
  '|---|---:|---:|---:|',
  `| launch-batch (synthesised asset) | ${result.launchBatch.sizeKiB} KiB | ${result.launchBatch.importMsMedian} ms | ${ratio(result.launchBatch.sizeKiB, result.minimal.sizeKiB)}× size, ${ratio(result.launchBatch.importMsMedian, result.minimal.importMsMedian)}× time |`,
  `| minimal middy + ECS client | ${result.minimal.sizeKiB} KiB | ${result.minimal.importMsMedian} ms | 1× |`,
].join('\n');
writeReadmeTable('cold-start', table);
console.log(`${table}\n\nwrote ${path} and the README table`);
