/**
 * `npm run synth`: synthesises every stage of config/stages/ with the CDK CLI,
 * one cloud assembly per stage in cdk.out/<stage>/, offline and without AWS
 * credentials (the stacks name their account and region; assets are bundled by
 * the local esbuild). cdk-nag runs on each; the first failing stage stops the run.
 * Extra arguments are passed to every `cdk synth` (e.g. `npm run synth -- --verbose`).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { STAGE_NAMES } from '../config/stages.js';
import { PROJECT_ROOT } from './constructs/bundled-function.js';
import { STAGE_CONTEXT_KEY } from './launcher-app.js';

const cdk = join(PROJECT_ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
const extra = process.argv.slice(2);

for (const stage of STAGE_NAMES) {
  const outdir = join('cdk.out', stage);
  console.log(`\n== ${stage}: cdk synth → ${outdir}`);
  const result = spawnSync(
    process.execPath,
    [cdk, 'synth', '--quiet', '--context', `${STAGE_CONTEXT_KEY}=${stage}`, '--output', outdir, ...extra],
    { cwd: PROJECT_ROOT, stdio: 'inherit' },
  );
  if (result.status !== 0) {
    console.error(`\nSynthesis of stage "${stage}" failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
  printAssetSizes(stage, outdir);
}
console.log(`\nSynthesised ${STAGE_NAMES.length} stages: ${STAGE_NAMES.join(', ')} (cdk.out/<stage>/).`);

/** What each Lambda ships (before zipping): the bundle and its source map. */
function printAssetSizes(stage: string, outdir: string): void {
  const manifest: {
    files: Record<string, { displayName?: string; source: { path: string; packaging?: string } }>;
  } = JSON.parse(readFileSync(join(outdir, `EcsBatchLauncher-${stage}.assets.json`), 'utf8'));
  for (const asset of Object.values(manifest.files)) {
    if (asset.source.packaging !== 'zip') continue;
    const dir = join(outdir, asset.source.path);
    const files = readdirSync(dir).map((name) => `${name} ${kilobytes(statSync(join(dir, name)).size)}`);
    console.log(`   ${asset.displayName ?? asset.source.path}: ${files.join(', ')}  (${asset.source.path})`);
  }
}

function kilobytes(bytes: number): string {
  return `${Math.round(bytes / 1024)} KiB`;
}
