import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError } from '../../../config/errors.js';
import { PROJECT_ROOT } from '../../../infra/constructs/bundled-function.js';
import { deployTarget, githubOutputLines } from '../../../infra/github-deploy/deploy-target.js';

/** What the workflows check their AWS credentials against: the stage config's account and region. */

describe('deployTarget', () => {
  it("reads a stage's account and region from its config", () => {
    expect(deployTarget('prod')).toEqual({ stage: 'prod', account: '333333333333', region: 'eu-west-1' });
  });

  it('refuses an unknown stage, naming the known ones', () => {
    expect(() => deployTarget('staging')).toThrow(ConfigError);
    expect(() => deployTarget(undefined)).toThrow(/expected one of dev, prod, local/);
  });

  it('formats step outputs for $GITHUB_OUTPUT', () => {
    expect(githubOutputLines(deployTarget('dev'))).toBe('account=111111111111\nregion=eu-west-1\n');
  });

  it('prints them from the command line the workflows run, and exits 1 on an unknown stage', () => {
    // Act
    const run = (stage: string) =>
      spawnSync(
        process.execPath,
        [
          join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs'),
          'infra/github-deploy/print-deploy-target.ts',
          stage,
        ],
        { cwd: PROJECT_ROOT, encoding: 'utf8' },
      );
    const dev = run('dev');
    const unknown = run('staging');
    // Assert
    expect({ status: dev.status, stdout: dev.stdout }).toEqual({
      status: 0,
      stdout: 'account=111111111111\nregion=eu-west-1\n',
    });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('ConfigError: Unknown stage "staging"');
    expect(unknown.stderr).not.toMatch(/^\s+at /m);
  });
});
