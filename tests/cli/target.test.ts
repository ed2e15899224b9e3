import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { PHYSICAL_NAMES } from '../../infra/batch-launcher-stack.js';
import { stackNameFor as infraStackNameFor } from '../../infra/launcher-app.js';
import { EndpointUnreachableError, UsageError } from '../../src/cli/errors.js';
import { endpointsFrom } from '../../src/cli/service-endpoints.js';
import { resolveTarget, SANDBOX_NAMES, selectStage, stackNameFor } from '../../src/cli/target.js';
import { batchctl, clientsFor, targetWith } from './support/cli-harness.js';
import { serviceError } from './support/dead-letters.js';

const DEV_OUTPUTS = [
  { OutputKey: 'EventBusName', OutputValue: 'batch-requests' },
  { OutputKey: 'EventBusArn', OutputValue: 'arn:aws:events:eu-west-1:111111111111:event-bus/batch-requests' },
  {
    OutputKey: 'QueueUrl',
    OutputValue: 'https://sqs.eu-west-1.amazonaws.com/111111111111/batch-requests.fifo',
  },
  {
    OutputKey: 'DeadLetterQueueUrl',
    OutputValue: 'https://sqs.eu-west-1.amazonaws.com/111111111111/batch-requests-dlq.fifo',
  },
  { OutputKey: 'LifecycleTableName', OutputValue: 'EcsBatchLauncher-dev-Lifecycle1234' },
];

function devTarget() {
  const clients = clientsFor('eu-west-1');
  const cloudformation = mockClient(clients.cloudformation);
  const sqs = mockClient(clients.sqs);
  return {
    cloudformation,
    sqs,
    target: targetWith({ stage: 'dev', mode: 'aws', endpoints: {}, clients: () => clients }),
  };
}

describe('stackNameFor', () => {
  it('names the stack as the CDK app does (a copy: importing the app would load aws-cdk-lib into the CLI)', () => {
    for (const stage of ['dev', 'prod', 'local']) expect(stackNameFor(stage)).toBe(infraStackNameFor(stage));
  });
});

describe('SANDBOX_NAMES', () => {
  it('are the physical names the stack gives the bus and queues', () => {
    expect(SANDBOX_NAMES).toMatchObject({
      eventBus: PHYSICAL_NAMES.bus,
      queue: PHYSICAL_NAMES.queue,
      deadLetterQueue: PHYSICAL_NAMES.deadLetterQueue,
    });
  });
});

describe('selectStage', () => {
  it('takes --stage, else BATCHCTL_STAGE, else local', () => {
    expect(selectStage('dev', { BATCHCTL_STAGE: 'prod' }).stage).toBe('dev');
    expect(selectStage(undefined, { BATCHCTL_STAGE: 'prod' }).stage).toBe('prod');
    expect(selectStage(undefined, {}).stage).toBe('local');
  });

  it('refuses an unknown stage as a usage error listing the known ones', () => {
    expect(() => selectStage('staging', {})).toThrow(UsageError);
    expect(() => selectStage('staging', {})).toThrow(
      'Unknown stage "staging": expected one of dev, prod, local',
    );
  });
});

describe('endpointsFrom', () => {
  it('gives --endpoint-url to every service, over the variables', () => {
    const endpoints = endpointsFrom(
      { AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4011' },
      'http://127.0.0.1:4566/',
    );

    expect(endpoints).toEqual({
      sqs: 'http://127.0.0.1:4566',
      events: 'http://127.0.0.1:4566',
      dynamodb: 'http://127.0.0.1:4566',
      cloudformation: 'http://127.0.0.1:4566',
    });
  });

  it('prefers AWS_ENDPOINT_URL_<SERVICE> over AWS_ENDPOINT_URL', () => {
    const endpoints = endpointsFrom(
      {
        AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4011',
        AWS_ENDPOINT_URL_EVENTBRIDGE: 'http://127.0.0.1:4010',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9999',
      },
      undefined,
    );

    expect(endpoints).toMatchObject({
      sqs: 'http://127.0.0.1:4011',
      events: 'http://127.0.0.1:4010',
      dynamodb: 'http://127.0.0.1:9999',
    });
  });

  it('refuses something that is not an http(s) URL', () => {
    expect(() => endpointsFrom({}, 'localhost:4566')).toThrow('--endpoint-url is "localhost:4566"');
    expect(() => endpointsFrom({ AWS_ENDPOINT_URL_SQS: 'nope' }, undefined)).toThrow(
      'AWS_ENDPOINT_URL_SQS is "nope"',
    );
  });
});

describe('resolveTarget', () => {
  it('is the sandbox for stage local, and for any stage with an endpoint variable', () => {
    expect(resolveTarget({}, {}).mode).toBe('sandbox');
    expect(resolveTarget({ stage: 'dev' }, { AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4011' }).mode).toBe(
      'sandbox',
    );
    expect(resolveTarget({ stage: 'dev' }, {}).mode).toBe('aws');
  });

  it('never lets sandbox mode fall through to AWS for a service without an endpoint', () => {
    const target = resolveTarget({ stage: 'dev' }, { AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4011' });

    expect(() => target.client('dynamodb')).toThrow(EndpointUnreachableError);
    expect(() => target.client('dynamodb')).toThrow('set AWS_ENDPOINT_URL_DYNAMODB');
    target.close();
  });
});

describe('batchctl against a deployed stage', () => {
  it('finds the queues in the outputs of stack EcsBatchLauncher-<stage>', async () => {
    // Arrange
    const { cloudformation, sqs, target } = devTarget();
    cloudformation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'EcsBatchLauncher-dev',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: DEV_OUTPUTS,
        },
      ],
    });
    sqs.on(GetQueueAttributesCommand).resolves({
      Attributes: {
        ApproximateNumberOfMessages: '0',
        ApproximateNumberOfMessagesNotVisible: '2',
        ApproximateNumberOfMessagesDelayed: '0',
      },
    });

    // Act
    const run = await batchctl(['status', '--json'], { target });

    // Assert
    expect(run.exitCode).toBe(0);
    expect(cloudformation).toHaveReceivedCommandWith(DescribeStacksCommand, {
      StackName: 'EcsBatchLauncher-dev',
    });
    expect(sqs).toHaveReceivedCommandWith(GetQueueAttributesCommand, {
      QueueUrl: DEV_OUTPUTS[2]!.OutputValue,
    });
    expect(run.json()).toMatchObject({
      target: 'stage dev (AWS eu-west-1, stack EcsBatchLauncher-dev)',
      queues: [
        { queue: 'batch-requests.fifo', visible: 0, inFlight: 2, peeked: false, oldestAgeSeconds: null },
        { queue: 'batch-requests-dlq.fifo', visible: 0, inFlight: 2 },
      ],
    });
  });

  it('says the stack is not deployed (exit 3), naming the account and region to check', async () => {
    const { cloudformation, target } = devTarget();
    cloudformation
      .on(DescribeStacksCommand)
      .rejects(serviceError('ValidationError', 'Stack with id EcsBatchLauncher-dev does not exist'));

    const run = await batchctl(['dlq', 'list'], { target });

    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('Stack EcsBatchLauncher-dev is not deployed where your credentials point');
    expect(run.stderr).toContain('stage dev lives in account 111111111111, region eu-west-1');
  });

  it('says which outputs a half-deployed stack lacks', async () => {
    const { cloudformation, target } = devTarget();
    cloudformation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'EcsBatchLauncher-dev',
          StackStatus: 'ROLLBACK_COMPLETE',
          CreationTime: new Date(),
          Outputs: [],
        },
      ],
    });

    const run = await batchctl(['status'], { target });

    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('(status ROLLBACK_COMPLETE) lacks the output(s) EventBusName, EventBusArn');
  });

  it('explains missing credentials (exit 4)', async () => {
    const { cloudformation, target } = devTarget();
    cloudformation
      .on(DescribeStacksCommand)
      .rejects(serviceError('CredentialsProviderError', 'Could not load credentials from any providers'));

    const run = await batchctl(['status'], { target });

    expect(run.exitCode).toBe(4);
    expect(run.stderr).toContain(
      'No AWS credentials found: run `aws sso login` or set AWS_PROFILE; for the sandbox use --endpoint-url',
    );
  });

  it('explains expired credentials (exit 4)', async () => {
    const { cloudformation, target } = devTarget();
    cloudformation
      .on(DescribeStacksCommand)
      .rejects(serviceError('ExpiredToken', 'The security token included in the request is expired'));

    const run = await batchctl(['status'], { target });

    expect(run.exitCode).toBe(4);
    expect(run.stderr).toContain('AWS refused your credentials: run `aws sso login`');
  });

  it('explains an access denial as a failed operation (exit 1)', async () => {
    const { cloudformation, target } = devTarget();
    cloudformation
      .on(DescribeStacksCommand)
      .rejects(serviceError('AccessDenied', 'not allowed: cloudformation:DescribeStacks'));

    const run = await batchctl(['status'], { target });

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('access denied (not allowed: cloudformation:DescribeStacks)');
  });
});

describe('batchctl stage selection', () => {
  it('refuses an unknown stage with exit 2, listing the known ones, with --json too', async () => {
    const run = await batchctl(['--stage', 'staging', 'status', '--json']);

    expect(run.exitCode).toBe(2);
    expect(run.json()).toMatchObject({
      ok: false,
      exitCode: 2,
      error: { code: 'UsageError', message: expect.stringContaining('expected one of dev, prod, local') },
    });
  });

  it('reads BATCHCTL_STAGE', async () => {
    const run = await batchctl(['status'], { env: { BATCHCTL_STAGE: 'qa' } });

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('Unknown stage "qa"');
  });

  it('refuses the sandbox without endpoints (exit 4), saying which variable to set', async () => {
    const run = await batchctl(['status']);

    expect(run.exitCode).toBe(4);
    expect(run.stderr).toContain('Sandbox mode has no SQS endpoint: set AWS_ENDPOINT_URL_SQS');
  });

  it('explains an unreachable sandbox endpoint (exit 4)', async () => {
    // Port 1 on loopback: nothing listens there.
    const run = await batchctl(['status'], { env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:1' } });

    expect(run.exitCode).toBe(4);
    expect(run.stderr).toContain(
      'SQS at http://127.0.0.1:1 is unreachable (ECONNREFUSED); is the sandbox running',
    );
  });
});
