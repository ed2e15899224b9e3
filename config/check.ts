/**
 * `npm run config:check`: validates every stage's config and catalog and says
 * which field of which stage is wrong. Exit code 1 on any invalid stage.
 */
import { loadStageConfig, STAGE_NAMES } from './stages.js';

let failed = 0;
for (const name of STAGE_NAMES) {
  try {
    const config = loadStageConfig(name);
    const types = config.catalog.map((t) => `${t.batchTypeId}=${t.name}`).join(', ');
    console.log(`ok   ${name.padEnd(6)} account ${config.account} ${config.region}  batch types: ${types}`);
  } catch (error) {
    failed += 1;
    console.error(`FAIL ${name}\n${(error as Error).message}`);
  }
}
if (failed > 0) {
  console.error(`\n${failed} of ${STAGE_NAMES.length} stages are invalid: fix the fields named above.`);
  process.exit(1);
}
console.log(`\nAll ${STAGE_NAMES.length} stages are valid.`);
