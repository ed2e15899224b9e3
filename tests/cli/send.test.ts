import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { InvalidEventError, UsageError } from '../../src/cli/errors.js';
import { buildDetail } from '../../src/cli/send.js';
import { batchctl, clientsFor, targetWith } from './support/cli-harness.js';

function mockedEvents() {
  const clients = clientsFor('us-east-1');
  const events = mockClient(clients.events);
  return { events, target: targetWith({ clients: () => clients }) };
}

describe('buildDetail', () => {
  it('generates a batchctl-<uuid> requestId when none is given', () => {
    // Act
    const detail = buildDetail({ type: '1' }, () => '00000000-0000-4000-8000-000000000001');

    // Assert
    expect(detail).toEqual({ batchTypeId: 1, requestId: 'batchctl-00000000-0000-4000-8000-000000000001' });
  });

  it('sends no requestId with --no-request-id', () => {
    expect(buildDetail({ type: '2', requestId: false })).toEqual({ batchTypeId: 2 });
  });

  it('turns repeated --param into the parameters object', () => {
    const detail = buildDetail({ type: '1', requestId: 'r-1', param: ['day=2026-12-04', 'note=a=b'] });

    expect(detail.parameters).toEqual({ day: '2026-12-04', note: 'a=b' });
  });

  it('takes --parameters-json as an object or a string', () => {
    expect(buildDetail({ type: '1', requestId: 'r', parametersJson: '{"n":1}' }).parameters).toEqual({
      n: 1,
    });
    expect(buildDetail({ type: '1', requestId: 'r', parametersJson: '"raw"' }).parameters).toBe('raw');
  });

  it.each([
    [{ type: '0' }, /batchTypeId \(--type\)/],
    [{ type: 'abc' }, /batchTypeId \(--type\)/],
    [{ type: '1', requestId: 'has space' }, /requestId \(--request-id\)/],
    [{ type: '1', traceId: 'é' }, /traceId \(--trace-id\)/],
    [{ type: '1', parametersJson: '[1,2]' }, /parameters \(--param \/ --parameters-json\)/],
  ])('refuses %j naming the field and its option', (options, expected) => {
    expect(() => buildDetail(options)).toThrow(InvalidEventError);
    expect(() => buildDetail(options)).toThrow(expected);
  });

  it('refuses --param together with --parameters-json, and a --param without "="', () => {
    expect(() => buildDetail({ type: '1', param: ['a=1'], parametersJson: '{}' })).toThrow(UsageError);
    expect(() => buildDetail({ type: '1', param: ['novalue'] })).toThrow(/not key=value/);
    expect(() => buildDetail({ type: '1', param: ['a=1', 'a=2'] })).toThrow(/given twice/);
  });
});

describe('batchctl send', () => {
  it('puts the event as the monolith does and prints the EventId', async () => {
    // Arrange
    const { events, target } = mockedEvents();
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] });

    // Act
    const run = await batchctl(
      ['send', '--type', '1', '--request-id', 'req-1', '--trace-id', 't-1', '--param', 'day=mon'],
      { target },
    );

    // Assert
    expect(run.exitCode).toBe(0);
    expect(events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(events).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [
        {
          Source: 'local.monolith',
          DetailType: 'BatchRequested',
          Detail: JSON.stringify({
            batchTypeId: 1,
            requestId: 'req-1',
            traceId: 't-1',
            parameters: { day: 'mon' },
          }),
          EventBusName: 'batch-requests',
        },
      ],
    });
    expect(run.stdout).toMatch(/eventId:\s+event-1/);
  });

  it('prints the send as one JSON document with --json', async () => {
    const { events, target } = mockedEvents();
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'event-2' }] });

    const run = await batchctl(['send', '--type', '2', '--request-id', 'req-2', '--json'], { target });

    expect(run.json()).toEqual({
      ok: true,
      exitCode: 0,
      command: 'send',
      eventId: 'event-2',
      eventBusName: 'batch-requests',
      source: 'local.monolith',
      detailType: 'BatchRequested',
      detail: { batchTypeId: 2, requestId: 'req-2' },
    });
  });

  it('fails with exit 1 and the entry ErrorCode when PutEvents refuses the entry', async () => {
    // Arrange: PutEvents answers HTTP 200 with the entry failed.
    const { events, target } = mockedEvents();
    events.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'AccessDeniedException', ErrorMessage: 'not authorized for source' }],
    });

    // Act
    const run = await batchctl(['send', '--type', '1', '--json'], { target });

    // Assert
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(
      'EventBridge refused the event (AccessDeniedException: not authorized for source)',
    );
    expect(run.json()).toMatchObject({
      ok: false,
      exitCode: 1,
      command: 'send',
      error: { code: 'EventRefused' },
    });
  });

  it('refuses an invalid event with exit 2 and sends nothing', async () => {
    const { events, target } = mockedEvents();

    const run = await batchctl(['send', '--type', '1', '--request-id', 'bad id!'], { target });

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('requestId (--request-id)');
    expect(events).not.toHaveReceivedCommand(PutEventsCommand);
  });

  it('warns, and still sends, a batch type the stage catalog lacks', async () => {
    const { events, target } = mockedEvents();
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'event-3' }] });

    const run = await batchctl(['send', '--type', '99', '--request-id', 'r-99', '--source', 'other.source'], {
      target,
    });

    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain("batch type 99 is not in stage local's catalog");
    expect(events).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [expect.objectContaining({ Source: 'other.source' })],
    });
  });

  it('is a usage error (exit 2) without --type', async () => {
    const { target } = mockedEvents();

    const run = await batchctl(['send'], { target });

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("required option '--type <id>' not specified");
  });
});
