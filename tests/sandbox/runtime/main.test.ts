import { type ChildProcess, spawn } from 'node:child_process';
import { jest } from '@jest/globals';

jest.setTimeout(30_000);

/** `npm start`'s command, on free ports, as a separate process. */
function startMain(environment: Record<string, string> = {}): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'sandbox/main.ts'], {
    env: {
      ...process.env,
      SANDBOX_EVENTS_PORT: '0',
      SANDBOX_SQS_PORT: '0',
      SANDBOX_ECS_PORT: '0',
      SANDBOX_DYNAMODB_PORT: '0',
      ...environment,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  return { child, output: () => output };
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function until(what: string, condition: () => boolean, output: () => string) {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Gave up waiting for ${what}. Output:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('sandbox/main.ts (npm start)', () => {
  it('prints the endpoints, the export lines and a put-events example, then stops on SIGTERM with exit 0', async () => {
    // Arrange
    const { child, output } = startMain();
    const exit = exited(child);
    await until('the banner', () => output().includes('Ctrl-C stops the sandbox'), output);

    // Act
    child.kill('SIGTERM');
    const code = await exit;

    // Assert
    const text = output();
    expect(code).toBe(0);
    expect(text).toMatch(/started in \d+ ms \(127\.0\.0\.1 only\)/);
    for (const variable of ['EVENTBRIDGE', 'ECS', 'SQS', 'DYNAMODB']) {
      expect(text).toMatch(
        new RegExp(`^export AWS_ENDPOINT_URL_${variable}=http://127\\.0\\.0\\.1:\\d+$`, 'm'),
      );
    }
    expect(text).toContain(
      'export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=local',
    );
    const example = /^aws events put-events --endpoint-url (\S+) --entries '(.+)'$/m.exec(text);
    expect(example).not.toBeNull();
    const entries = JSON.parse(example?.[2] ?? '[]') as { EventBusName: string; Detail: string }[];
    expect(entries[0]?.EventBusName).toBe('batch-requests');
    expect(JSON.parse(entries[0]?.Detail ?? '{}')).toMatchObject({ batchTypeId: 1 });
    expect(text).toContain('SIGTERM: stopping');
    expect(text).toMatch(/Stopped in \d+ ms/);
  });

  it('names the variable when a port is not a port', async () => {
    // Arrange
    const { child, output } = startMain({ SANDBOX_ECS_PORT: 'twelve' });

    // Act
    const code = await exited(child);

    // Assert
    expect(code).toBe(1);
    expect(output()).toContain('SANDBOX_ECS_PORT="twelve" is not a port');
  });
});
