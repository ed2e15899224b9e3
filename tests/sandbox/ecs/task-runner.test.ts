import { describe, expect, it } from '@jest/globals';
import { startTaskProcess } from '../../../sandbox/ecs/task-process.js';
import {
  DEMO_BATCH_APP_PATH,
  demoBatchAppTaskRunner,
  nodeScriptTaskRunner,
  type TaskSpawnSpec,
} from '../../../sandbox/ecs/task-runner.js';
import { environment } from './local-ecs-fixture.js';

describe('nodeScriptTaskRunner', () => {
  it('runs the script with the override command as argv and its environment over the base one', () => {
    const runner = nodeScriptTaskRunner({
      scriptPath: '/app.mjs',
      baseEnv: { PATH: '/bin', TRACE_ID: 'base' },
    });

    const spec = runner('hello', {
      name: 'app',
      command: ['hello', '--x'],
      environment: environment({ TRACE_ID: 't-1' }),
    });

    expect(spec).toEqual({
      command: process.execPath,
      args: ['/app.mjs', 'hello', '--x'],
      env: { PATH: '/bin', TRACE_ID: 't-1' },
    });
  });

  it('uses the family default command when the override has none', () => {
    const runner = nodeScriptTaskRunner({ scriptPath: '/app.mjs', defaultCommands: { hello: ['default'] } });

    expect(runner('hello', undefined)?.args).toEqual(['/app.mjs', 'default']);
  });

  it('answers undefined for a family it does not run', () => {
    const runner = nodeScriptTaskRunner({ scriptPath: '/app.mjs', families: ['hello'] });

    expect(runner('other', undefined)).toBeUndefined();
    expect(runner('hello', undefined)).toBeDefined();
  });

  it('runs the demo batch app shipped with the repository', () => {
    expect(demoBatchAppTaskRunner()('any', undefined)?.args).toEqual([DEMO_BATCH_APP_PATH]);
  });
});

/** Runs the demo batch app as the local stage would and collects what it printed. */
async function runDemo(variables: Record<string, string>, command: string[] = []) {
  const spec = demoBatchAppTaskRunner()('hello', {
    name: 'app',
    command,
    environment: environment(variables),
  }) as TaskSpawnSpec;
  const stdout: string[] = [];
  const stderr: string[] = [];
  const child = startTaskProcess(spec, {
    onStart: () => undefined,
    onLine: (line, stream) => (stream === 'stdout' ? stdout : stderr).push(line),
  });
  const outcome = await child.outcome;
  return { exitCode: outcome.kind === 'exited' ? outcome.exitCode : undefined, stdout, stderr };
}

describe('demo batch app', () => {
  it('prints the batch variables and its argv, then exits 0 by default', async () => {
    const result = await runDemo(
      {
        TRACE_ID: 'trace-1',
        BATCH_TYPE_ID: '1',
        BATCH_REQUEST_ID: 'req-1',
        BATCH_PARAMETERS: '{"sleepMs":0}',
      },
      ['hello'],
    );

    expect(result.exitCode).toBe(0);
    expect(result.stdout.slice(0, 5)).toEqual([
      'TRACE_ID=trace-1',
      'BATCH_TYPE_ID=1',
      'BATCH_REQUEST_ID=req-1',
      'BATCH_PARAMETERS={"sleepMs":0}',
      'argv=["hello"]',
    ]);
  });

  it('exits with the exitCode of BATCH_PARAMETERS when it is an integer', async () => {
    const result = await runDemo({ BATCH_PARAMETERS: '{"exitCode":5,"sleepMs":0}' }, [
      'always-fails',
      '--exit-code',
      '3',
    ]);

    expect(result.exitCode).toBe(5);
  });

  it('exits with --exit-code from argv when the parameters choose none', async () => {
    const result = await runDemo({ BATCH_PARAMETERS: '{"sleepMs":0}' }, ['always-fails', '--exit-code', '3']);

    expect(result.exitCode).toBe(3);
  });

  it('ignores an exitCode that is not an integer in 0..255, and says so', async () => {
    const result = await runDemo({ BATCH_PARAMETERS: '{"exitCode":"7","sleepMs":0}' });

    expect(result.exitCode).toBe(0);
    expect(result.stderr.join('\n')).toContain('ignoring exitCode "7"');
  });

  it('treats parameters that are a plain string as carrying no exit code', async () => {
    const result = await runDemo({ BATCH_PARAMETERS: 'exitCode=9' }, ['x']);

    expect(result.exitCode).toBe(0);
  });
});

describe('startTaskProcess', () => {
  it('reports failedToStart when the executable does not exist', async () => {
    const child = startTaskProcess(
      { command: '/nonexistent/app', args: [], env: {} },
      { onStart: () => undefined, onLine: () => undefined },
    );

    const outcome = await child.outcome;
    await child.stop(10);

    expect(outcome.kind).toBe('failedToStart');
  });

  it('gives the process exactly the environment of its spec', async () => {
    const lines: string[] = [];
    const child = startTaskProcess(
      {
        command: process.execPath,
        args: ['-e', 'console.log(JSON.stringify(process.env))'],
        env: { ONLY: 'this' },
      },
      { onStart: () => undefined, onLine: (line) => lines.push(line) },
    );

    await child.outcome;

    expect(JSON.parse(lines[0] ?? '{}')).toEqual({ ONLY: 'this' });
  });
});
