import { spawnSync } from 'node:child_process';
import { jest } from '@jest/globals';

/**
 * batchctl as an operator starts it: the package.json `bin` through npm exec
 * (what `npx batchctl` runs) and the npm script, as real processes.
 */
jest.setTimeout(60_000);

/** Only what a shell without AWS configuration would have. */
function bareEnvironment(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_CONFIG_FILE: '/nonexistent/batchctl-test/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/batchctl-test/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    npm_config_update_notifier: 'false',
  };
}

function run(command: string, args: readonly string[]) {
  return spawnSync(command, args, { cwd: process.cwd(), env: bareEnvironment(), encoding: 'utf8' });
}

describe('bin/batchctl.mjs', () => {
  it('runs through the package bin (npm exec batchctl) and prints help with the exit codes', () => {
    const result = run('npm', ['exec', '--', 'batchctl', '--help']);

    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: batchctl [options] [command]');
    expect(result.stdout).toContain('dlq');
    expect(result.stdout).toContain('4  cannot reach AWS (no or expired credentials');
  });

  it('runs through the npm script and exits 4 with the credentials message when there are none', () => {
    const result = run('npm', ['run', '--silent', 'batchctl', '--', '--stage', 'dev', 'status']);

    expect(result.status).toBe(4);
    expect(result.stderr).toContain(
      'No AWS credentials found: run `aws sso login` or set AWS_PROFILE; for the sandbox use --endpoint-url',
    );
  });

  it('exits 2 for an unknown option, with the usage hint', () => {
    const result = run('npm', ['run', '--silent', 'batchctl', '--', 'dlq', 'list', '--limt', '3']);

    expect(result.status).toBe(2);
    expect(result.stderr).toContain("error: unknown option '--limt'");
    expect(result.stderr).toContain('(batchctl --help for usage)');
  });
});
