import { execFileSync } from 'node:child_process';
import { ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { jest } from '@jest/globals';
import { SANDBOX_CREDENTIALS, type Sandbox, startSandbox } from '../../../sandbox/sandbox.js';

jest.setTimeout(30_000);

/** Processes whose parent is this one (the tasks the local ECS started). */
function childProcesses(): string[] {
  const table = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' });
  return table
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, ppid]) => ppid === String(process.pid))
    .map((fields) => fields.slice(2).join(' '))
    .filter((args) => !args.startsWith('ps '));
}

async function until(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('startSandbox', () => {
  let sandbox: Sandbox | undefined;
  const lines: string[] = [];

  afterEach(async () => {
    await sandbox?.stop();
    sandbox = undefined;
  });

  function clients(started: Sandbox) {
    const common = { region: started.region, credentials: SANDBOX_CREDENTIALS };
    return {
      events: new EventBridgeClient({ ...common, endpoint: started.endpoints.events }),
      ecs: new ECSClient({ ...common, endpoint: started.endpoints.ecs }),
    };
  }

  async function put(events: EventBridgeClient, started: Sandbox, detail: object) {
    await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: started.eventBusName,
            Source: started.config.monolith.eventSource,
            DetailType: 'BatchRequested',
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
  }

  it('serves four loopback endpoints and sets the SDK variables the handlers read', async () => {
    // Act
    sandbox = await startSandbox({ log: (line) => lines.push(line), handlerLogLevel: 'SILENT' });

    // Assert
    const urls = Object.values(sandbox.endpoints);
    expect(urls).toHaveLength(4);
    for (const url of urls) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new Set(urls).size).toBe(4);
    expect(sandbox.environment).toEqual({
      AWS_ENDPOINT_URL_EVENTBRIDGE: sandbox.endpoints.events,
      AWS_ENDPOINT_URL_SQS: sandbox.endpoints.sqs,
      AWS_ENDPOINT_URL_ECS: sandbox.endpoints.ecs,
      AWS_ENDPOINT_URL_DYNAMODB: sandbox.endpoints.dynamodb,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    expect(process.env).toMatchObject({
      ...sandbox.environment,
      STAGE: 'local',
      SOURCE_QUEUE_URL: sandbox.queueUrl,
      DLQ_URL: sandbox.dlqUrl,
      EVENT_BUS_NAME: 'batch-requests',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    expect(sandbox.poller.running).toBe(true);
  });

  it('stops every task process and every endpoint on stop(), and stop() can be called twice', async () => {
    // Arrange
    sandbox = await startSandbox({ log: (line) => lines.push(line), handlerLogLevel: 'SILENT' });
    const { events, ecs } = clients(sandbox);
    await put(events, sandbox, {
      batchTypeId: 1,
      requestId: 'long-running',
      parameters: { sleepMs: 60_000 },
    });
    await until('the long task to run', async () => {
      const running = await ecs.send(new ListTasksCommand({ cluster: 'local', desiredStatus: 'RUNNING' }));
      return (
        (running.taskArns ?? []).length === 1 && childProcesses().some((args) => args.includes('batch-app'))
      );
    });

    // Act
    await Promise.all([sandbox.stop(), sandbox.stop()]);

    // Assert
    expect(childProcesses().filter((args) => args.includes('batch-app'))).toEqual([]);
    await expect(put(events, sandbox, { batchTypeId: 1 })).rejects.toThrow();
    events.destroy();
    ecs.destroy();
  });

  it('launches a request put while the poller was stopped, once it is started again', async () => {
    // Arrange
    sandbox = await startSandbox({ log: (line) => lines.push(line), handlerLogLevel: 'SILENT' });
    const { events, ecs } = clients(sandbox);
    await sandbox.poller.stop();

    // Act
    await put(events, sandbox, { batchTypeId: 1, requestId: 'while-stopped' });
    const launchedWhileStopped = lines.some(
      (line) => line.includes('while-stopped') && line.includes('launched'),
    );
    sandbox.poller.start();
    await until('the request to be launched', () =>
      lines.some((line) => line.includes('while-stopped') && line.includes('launched')),
    );

    // Assert
    expect(launchedWhileStopped).toBe(false);
    const tasks = await ecs.send(
      new ListTasksCommand({
        cluster: 'local',
        desiredStatus: 'RUNNING',
        startedBy: 'batch-launcher/while-stopped',
      }),
    );
    const stopped = await ecs.send(
      new ListTasksCommand({
        cluster: 'local',
        desiredStatus: 'STOPPED',
        startedBy: 'batch-launcher/while-stopped',
      }),
    );
    expect([...(tasks.taskArns ?? []), ...(stopped.taskArns ?? [])]).toHaveLength(1);
    events.destroy();
    ecs.destroy();
  });

  it('restarts on the ports the handlers already use in this process, and refuses other ones', async () => {
    // Arrange
    const first = await startSandbox({ log: () => undefined, handlerLogLevel: 'SILENT' });
    const endpoints = first.endpoints;
    await first.stop();

    // Act
    sandbox = await startSandbox({ log: () => undefined, handlerLogLevel: 'SILENT' });
    const conflicting = startSandbox({ ports: { sqs: 1 }, log: () => undefined });

    // Assert
    expect(sandbox.endpoints).toEqual(endpoints);
    await expect(conflicting).rejects.toThrow('already reach sqs on port');
  });
});
