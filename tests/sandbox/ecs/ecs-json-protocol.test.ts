import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ClusterNotFoundException,
  ConflictException,
  DescribeTasksCommand,
  ECSClient,
  InvalidParameterException,
  ListClustersCommand,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { afterEach, describe, expect, it } from '@jest/globals';
import { createEcsJsonProtocolHandler, ECS_TARGET_PREFIX } from '../../../sandbox/ecs/ecs-json-protocol.js';
import type { LocalEcs, LocalEcsOptions } from '../../../sandbox/ecs/local-ecs.js';
import { eventually, isAlive, readyPids, recordingEcs, runTaskInput } from './local-ecs-fixture.js';

interface Endpoint {
  readonly ecs: LocalEcs;
  readonly client: ECSClient;
  readonly url: string;
  readonly lines: ReturnType<typeof recordingEcs>['lines'];
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});

/** A LocalEcs behind the JSON protocol on 127.0.0.1, and a real SDK client pointed at it. */
async function startEndpoint(options: Partial<LocalEcsOptions> = {}): Promise<Endpoint> {
  const { ecs, lines } = recordingEcs(options);
  const server: Server = createServer(createEcsJsonProtocolHandler(ecs));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new ECSClient({
    region: 'us-east-1',
    endpoint: url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  cleanups.push(async () => {
    client.destroy();
    await ecs.close();
    server.close();
    await once(server, 'close');
  });
  return { ecs, client, url, lines };
}

async function captureError(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('createEcsJsonProtocolHandler', () => {
  it('runs a task with overrides, tags and startedBy through the real SDK, and a clientToken repeat returns it', async () => {
    // Arrange
    const { client } = await startEndpoint();
    const input = runTaskInput({ clientToken: 'request-1' });

    // Act
    const first = await client.send(new RunTaskCommand(input));
    const repeat = await client.send(new RunTaskCommand(input));

    // Assert
    expect(first.failures).toEqual([]);
    expect(first.tasks?.[0]).toMatchObject({
      lastStatus: 'PROVISIONING',
      startedBy: 'batch-launcher/req-1',
      overrides: input.overrides,
      tags: input.tags,
    });
    expect(first.tasks?.[0]?.createdAt).toBeInstanceOf(Date);
    expect(repeat.tasks?.[0]?.taskArn).toBe(first.tasks?.[0]?.taskArn);
  });

  it('shows the task STOPPED with its exit code in DescribeTasks once the app ended', async () => {
    const { client, ecs } = await startEndpoint();
    const { tasks } = await client.send(new RunTaskCommand(runTaskInput()));
    const arn = tasks?.[0]?.taskArn as string;
    await ecs.waitUntilStopped(arn);

    const described = await client.send(
      new DescribeTasksCommand({ cluster: 'local', tasks: [arn], include: ['TAGS'] }),
    );

    expect(described.tasks?.[0]).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      containers: [{ name: 'app', exitCode: 0, lastStatus: 'STOPPED' }],
      tags: runTaskInput().tags,
    });
    const { startedAt, stoppedAt } = described.tasks?.[0] ?? {};
    expect(stoppedAt).toBeInstanceOf(Date);
    expect((stoppedAt as Date).getTime()).toBeGreaterThanOrEqual((startedAt as Date).getTime());
  });

  it('filters ListTasks by desired status and startedBy, and lists the clusters', async () => {
    const { client, ecs } = await startEndpoint();
    const done = await client.send(new RunTaskCommand(runTaskInput({ startedBy: 'batch-launcher/a' })));
    await ecs.waitUntilStopped(done.tasks?.[0]?.taskArn as string);
    const running = await client.send(
      new RunTaskCommand(
        runTaskInput({ taskDefinition: 'runs-forever', overrides: undefined, startedBy: 'batch-launcher/b' }),
      ),
    );

    const stopped = await client.send(new ListTasksCommand({ cluster: 'local', desiredStatus: 'STOPPED' }));
    const byStartedBy = await client.send(
      new ListTasksCommand({ cluster: 'local', startedBy: 'batch-launcher/b' }),
    );
    const none = await client.send(new ListTasksCommand({ cluster: 'local', startedBy: 'batch-launcher/a' }));
    const clusters = await client.send(new ListClustersCommand({}));

    expect(stopped.taskArns).toEqual([done.tasks?.[0]?.taskArn]);
    expect(byStartedBy.taskArns).toEqual([running.tasks?.[0]?.taskArn]);
    expect(none.taskArns).toEqual([]);
    expect(clusters.clusterArns).toEqual(['arn:aws:ecs:us-east-1:000000000000:cluster/local']);
  });

  it('stops a task with StopTask', async () => {
    const { client, ecs, lines } = await startEndpoint();
    const { tasks } = await client.send(
      new RunTaskCommand(runTaskInput({ taskDefinition: 'runs-forever', overrides: undefined })),
    );
    const arn = tasks?.[0]?.taskArn as string;
    await eventually(() => readyPids(lines).length === 1);

    const answer = await client.send(new StopTaskCommand({ cluster: 'local', task: arn, reason: 'test' }));
    const stopped = await ecs.waitUntilStopped(arn);

    expect(answer.task).toMatchObject({ taskArn: arn, desiredStatus: 'STOPPED' });
    expect(stopped).toMatchObject({ stoppedReason: 'test', containers: [{ exitCode: 143 }] });
  });

  it('surfaces throttling as the SDK ThrottlingException', async () => {
    const { client } = await startEndpoint({ runTaskRateLimit: { ratePerSecond: 0.001, burst: 1 } });
    await client.send(new RunTaskCommand(runTaskInput()));

    const error = await captureError(() => client.send(new RunTaskCommand(runTaskInput())));

    expect(error).toMatchObject({
      name: 'ThrottlingException',
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('answers failures[] with no task when placement fails', async () => {
    const { client } = await startEndpoint({ placementFailureRate: 1 });

    const answer = await client.send(new RunTaskCommand(runTaskInput()));

    expect(answer.tasks).toEqual([]);
    expect(answer.failures).toEqual([
      { arn: expect.stringContaining(':container-instance/local/'), reason: 'RESOURCE:MEMORY' },
    ]);
  });

  it('surfaces modelled errors as the SDK exception classes', async () => {
    const { client } = await startEndpoint();
    await client.send(new RunTaskCommand(runTaskInput({ clientToken: 'request-1' })));

    const notFound = await captureError(() =>
      client.send(new RunTaskCommand(runTaskInput({ cluster: 'nope' }))),
    );
    const invalid = await captureError(() => client.send(new RunTaskCommand(runTaskInput({ count: 11 }))));
    const conflict = await captureError(() =>
      client.send(new RunTaskCommand(runTaskInput({ clientToken: 'request-1', startedBy: 'someone-else' }))),
    );

    expect(notFound).toBeInstanceOf(ClusterNotFoundException);
    expect(invalid).toBeInstanceOf(InvalidParameterException);
    expect(conflict).toBeInstanceOf(ConflictException);
    expect((conflict as ConflictException).resourceIds).toHaveLength(1);
  });

  it('answers UnknownOperationException for an operation it does not implement', async () => {
    const { url } = await startEndpoint();

    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'x-amz-target': `${ECS_TARGET_PREFIX}CreateService`,
        'content-type': 'application/x-amz-json-1.1',
      },
      body: '{}',
    });

    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('answers SerializationException when the body is not a JSON object', async () => {
    const { url } = await startEndpoint();

    const response = await fetch(url, {
      method: 'POST',
      headers: { 'x-amz-target': `${ECS_TARGET_PREFIX}ListTasks` },
      body: '[1',
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      __type: 'SerializationException',
      message: 'The request body is not valid JSON.',
    });
  });

  it('leaves no child process once the control plane is closed', async () => {
    const { client, ecs, lines } = await startEndpoint({ closeTimeoutMs: 200 });
    await client.send(
      new RunTaskCommand(runTaskInput({ taskDefinition: 'runs-forever', overrides: undefined })),
    );
    await client.send(
      new RunTaskCommand(runTaskInput({ taskDefinition: 'ignores-sigterm', overrides: undefined })),
    );
    await eventually(() => readyPids(lines).length === 2);

    await ecs.close();

    expect(readyPids(lines).filter(isAlive)).toEqual([]);
  });
});
