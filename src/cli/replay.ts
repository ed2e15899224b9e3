import {
  type Archive,
  DescribeArchiveCommand,
  ListArchivesCommand,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import {
  ArchiveUnavailableError,
  awsErrorName,
  NotFoundError,
  OperationFailedError,
  UsageError,
} from './errors.js';
import { fields, type Output } from './output.js';
import type { Target } from './target.js';

export interface ReplayOptions {
  readonly from: string;
  readonly to: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

function instant(text: string, option: string): Date {
  // Date.parse accepts "2026" or "12/04"; ask for ISO 8601 so nobody replays the wrong day.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text)) {
    throw new UsageError(
      `${option} "${text}" is not an ISO 8601 time with a zone, such as 2026-12-04T09:30:00Z`,
    );
  }
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new UsageError(`${option} "${text}" is not a valid time`);
  return date;
}

/** `batchctl-<stage>-20261204T093000`: ReplayName allows [.-_A-Za-z0-9]{1,64}. */
function replayName(stage: string, at: Date): string {
  return `batchctl-${stage}-${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, '')}`;
}

async function archiveOf(target: Target, busArn: string | undefined): Promise<Archive> {
  let archives: Archive[];
  try {
    ({ Archives: archives = [] } = await target
      .client('events')
      .send(new ListArchivesCommand(busArn === undefined ? {} : { EventSourceArn: busArn })));
  } catch (error) {
    const name = awsErrorName(error);
    if (name === 'UnknownOperationException' || name === 'InvalidAction') {
      throw new ArchiveUnavailableError(
        `This EventBridge endpoint keeps no event archive (ListArchives: ${name})` +
          (target.mode === 'sandbox'
            ? ': the sandbox bus routes events but does not archive them. Replay works on a deployed stage (--stage dev).'
            : '.'),
        { cause: error },
      );
    }
    throw error;
  }
  const archive = archives.find((each) => each.State === 'ENABLED') ?? archives[0];
  if (archive?.ArchiveName === undefined) {
    throw new NotFoundError(
      `No archive records the bus ${busArn ?? ''}: the stack creates one (BatchRequestBus); is it deployed?`,
    );
  }
  if (archive.State !== 'ENABLED') {
    throw new OperationFailedError(
      `Archive ${archive.ArchiveName} is ${archive.State}: ${archive.StateReason ?? ''}`,
    );
  }
  return archive;
}

/**
 * `batchctl replay --from --to`: EventBridge replays the bus archive's
 * BatchRequested events of that window onto the bus. Requests already launched
 * stay launched once: the idempotency table (requestId) and FIFO deduplication
 * (5 minutes) absorb them.
 */
export async function runReplay(target: Target, output: Output, options: ReplayOptions): Promise<number> {
  const from = instant(options.from, '--from');
  const to = instant(options.to, '--to');
  const now = (options.now ?? (() => new Date()))();
  if (from >= to) throw new UsageError(`--from ${options.from} is not before --to ${options.to}`);
  if (to > now)
    throw new UsageError(`--to ${options.to} is in the future: EventBridge replays only past events`);
  const bus = await target.eventBus();
  const archive = await target.call('events', `find the archive of bus ${bus.name}`, () =>
    archiveOf(target, bus.arn),
  );
  // ListArchives names archives; StartReplay wants the archive's ARN.
  const { ArchiveArn: archiveArn } = await target.call(
    'events',
    `describe archive ${archive.ArchiveName}`,
    () => target.client('events').send(new DescribeArchiveCommand({ ArchiveName: archive.ArchiveName })),
  );
  if (bus.arn === undefined || archiveArn === undefined) {
    throw new NotFoundError(`The bus ${bus.name} or its archive has no ARN to replay with.`);
  }
  const name = replayName(target.stage.stage, now);
  const started = await target.call('events', `start replay ${name}`, () =>
    target.client('events').send(
      new StartReplayCommand({
        ReplayName: name,
        Description: `batchctl replay ${options.from} .. ${options.to}`,
        EventSourceArn: archiveArn,
        EventStartTime: from,
        EventEndTime: to,
        Destination: { Arn: bus.arn },
      }),
    ),
  );
  output.result(
    'replay',
    {
      replayName: name,
      replayArn: started.ReplayArn ?? null,
      state: started.State ?? null,
      archive: archive.ArchiveName,
      from: from.toISOString(),
      to: to.toISOString(),
    },
    () =>
      fields([
        ['replay', name],
        ['state', started.State],
        ['archive', archive.ArchiveName],
        ['window', `${from.toISOString()} .. ${to.toISOString()}`],
        ['follow', `aws events describe-replay --replay-name ${name} --region ${target.stage.region}`],
      ]),
  );
  return 0;
}
