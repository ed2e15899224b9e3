import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../config/errors.js';
import type { StageConfigInput } from '../../config/schema.js';
import { STAGES } from '../../config/stages.js';
import { PROJECT_ROOT } from '../../infra/constructs/bundled-function.js';
import { StageSelectionError } from '../../infra/errors.js';
import { addLauncherStack } from '../../infra/launcher-app.js';
import { cliLikeApp } from './stage-stack.js';

/** Misuse: synthesis refuses a broken stage and says which field to fix. */

const dev = STAGES.dev as StageConfigInput;
const [firstType] = dev.catalog;
if (firstType === undefined) throw new Error('the dev catalog is empty');

function synthesiseDevWith(input: unknown): () => void {
  return () => addLauncherStack(cliLikeApp('dev'), { dev: input });
}

describe('addLauncherStack', () => {
  it('refuses a catalog with duplicate batch type ids, naming the stage and the field', () => {
    // Arrange
    const input = { ...dev, catalog: [firstType, { ...firstType, name: 'invoice-export-again' }] };
    // Act / Assert
    expect(synthesiseDevWith(input)).toThrow(ConfigError);
    expect(synthesiseDevWith(input)).toThrow(
      /Stage "dev" config is invalid[\s\S]*catalog\[1\]\.batchTypeId: duplicate batchTypeId 1 \(also at catalog\[0\]\)/,
    );
  });

  it('refuses an empty catalog', () => {
    expect(synthesiseDevWith({ ...dev, catalog: [] })).toThrow(
      /Stage "dev"[\s\S]*catalog: at least one batch type/,
    );
  });

  it('refuses an account id that is not 12 digits', () => {
    expect(synthesiseDevWith({ ...dev, account: '1111-2222' })).toThrow(
      /Stage "dev"[\s\S]*account: an AWS account id: exactly 12 digits/,
    );
    expect(synthesiseDevWith({ ...dev, monolith: { ...dev.monolith, accountIds: ['22222222222'] } })).toThrow(
      /monolith\.accountIds\[0\]: an AWS account id: exactly 12 digits/,
    );
  });

  it('refuses to guess a stage when none is given', () => {
    expect(() => addLauncherStack(cliLikeApp())).toThrow(StageSelectionError);
    expect(() => addLauncherStack(cliLikeApp())).toThrow(
      /pass --context stage=<name> \(one of dev, prod, local\), or run `npm run synth`/,
    );
  });

  it('tells the user of `cdk synth` what is wrong, without a stack trace, and exits 1', () => {
    // Act: the app as the CDK CLI runs it
    const result = spawnSync(
      process.execPath,
      [join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'infra/app.ts'],
      {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
        env: {
          ...process.env,
          CDK_CONTEXT_JSON: JSON.stringify({ stage: 'staging' }),
          CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'cdk-out-')),
        },
      },
    );
    // Assert
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'StageSelectionError: Unknown stage "staging": expected one of dev, prod, local',
    );
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
