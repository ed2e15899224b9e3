import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeArchiveCommand, ListArchivesCommand, StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { batchctl, clientsFor, targetWith } from './support/cli-harness.js';
import { serviceError } from './support/dead-letters.js';

const BUS_ARN = 'arn:aws:events:eu-west-1:111111111111:event-bus/batch-requests';
const ARCHIVE_ARN = 'arn:aws:events:eu-west-1:111111111111:archive/BatchRequestBusArchive1234';

function devTarget() {
  const clients = clientsFor('eu-west-1');
  const cloudformation = mockClient(clients.cloudformation);
  cloudformation.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'EcsBatchLauncher-dev',
        StackStatus: 'CREATE_COMPLETE',
        CreationTime: new Date(),
        Outputs: [
          { OutputKey: 'EventBusName', OutputValue: 'batch-requests' },
          { OutputKey: 'EventBusArn', OutputValue: BUS_ARN },
          {
            OutputKey: 'QueueUrl',
            OutputValue: 'https://sqs.eu-west-1.amazonaws.com/111111111111/batch-requests.fifo',
          },
          {
            OutputKey: 'DeadLetterQueueUrl',
            OutputValue: 'https://sqs.eu-west-1.amazonaws.com/111111111111/batch-requests-dlq.fifo',
          },
          { OutputKey: 'LifecycleTableName', OutputValue: 'lifecycle' },
        ],
      },
    ],
  });
  const events = mockClient(clients.events);
  return { events, target: targetWith({ stage: 'dev', mode: 'aws', endpoints: {}, clients: () => clients }) };
}

describe('batchctl replay', () => {
  it('replays the window from the archive of the bus onto the bus', async () => {
    // Arrange
    const { events, target } = devTarget();
    events.on(ListArchivesCommand).resolves({
      Archives: [{ ArchiveName: 'BatchRequestBusArchive1234', EventSourceArn: BUS_ARN, State: 'ENABLED' }],
    });
    events.on(DescribeArchiveCommand).resolves({ ArchiveArn: ARCHIVE_ARN });
    events.on(StartReplayCommand).resolves({ ReplayArn: 'arn:replay', State: 'STARTING' });

    // Act
    const run = await batchctl(
      ['replay', '--from', '2026-12-04T09:00:00Z', '--to', '2026-12-04T10:00:00Z', '--json'],
      { target },
    );

    // Assert
    expect(run.exitCode).toBe(0);
    expect(events).toHaveReceivedCommandWith(ListArchivesCommand, { EventSourceArn: BUS_ARN });
    expect(events).toHaveReceivedCommandWith(StartReplayCommand, {
      ReplayName: 'batchctl-dev-20261204T120000',
      EventSourceArn: ARCHIVE_ARN,
      EventStartTime: new Date('2026-12-04T09:00:00Z'),
      EventEndTime: new Date('2026-12-04T10:00:00Z'),
      Destination: { Arn: BUS_ARN },
    });
    expect(run.json()).toMatchObject({ replayName: 'batchctl-dev-20261204T120000', state: 'STARTING' });
  });

  it('says there is no archive (exit 3) when the bus has none', async () => {
    const { events, target } = devTarget();
    events.on(ListArchivesCommand).resolves({ Archives: [] });

    const run = await batchctl(['replay', '--from', '2026-12-04T09:00:00Z', '--to', '2026-12-04T10:00:00Z'], {
      target,
    });

    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('No archive records the bus');
    expect(events).not.toHaveReceivedCommand(StartReplayCommand);
  });

  it('says the sandbox keeps no archive (exit 3) rather than pretending', async () => {
    // The sandbox's EventBridge endpoint answers operations it lacks with UnknownOperationException.
    const clients = clientsFor('us-east-1');
    mockClient(clients.events)
      .on(ListArchivesCommand)
      .rejects(serviceError('UnknownOperationException', 'The local EventBridge endpoint supports ...'));

    const run = await batchctl(['replay', '--from', '2026-12-04T09:00:00Z', '--to', '2026-12-04T10:00:00Z'], {
      target: targetWith({ clients: () => clients }),
    });

    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('the sandbox bus routes events but does not archive them');
  });

  it.each([
    [['--from', 'yesterday', '--to', '2026-12-04T10:00:00Z'], '--from "yesterday" is not an ISO 8601 time'],
    [['--from', '2026-12-04T10:00:00Z', '--to', '2026-12-04T09:00:00Z'], 'is not before --to'],
    [['--from', '2026-12-04T10:00:00Z', '--to', '2026-12-05T09:00:00Z'], 'is in the future'],
    [['--from', '2026-12-04T10:00:00'], "required option '--to <time>' not specified"],
  ])('is a usage error (exit 2) for %j', async (args, message) => {
    const { events, target } = devTarget();

    const run = await batchctl(['replay', ...args], { target });

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(message);
    expect(events).not.toHaveReceivedAnyCommand();
  });
});
