import { EventBridgeClient, ListRulesCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { createEventsJsonProtocolHandler } from '../../../../sandbox/bus/events-json-protocol.js';
import { BATCH_REQUESTS_BUS } from '../../../../sandbox/bus/launcher-rules.js';
import { LocalEventBus } from '../../../../sandbox/bus/local-event-bus.js';
import type { BusEvent } from '../../../../sandbox/bus/put-events-entry.js';
import { type LoopbackServer, listenOnLoopback } from '../../../../sandbox/loopback-server.js';

describe('createEventsJsonProtocolHandler', () => {
  let server: LoopbackServer;
  let client: EventBridgeClient;
  const delivered: BusEvent[] = [];

  beforeAll(async () => {
    const bus = new LocalEventBus({
      region: 'us-east-1',
      accountId: '000000000000',
      eventBusNames: [BATCH_REQUESTS_BUS],
      rules: [
        {
          name: 'all',
          eventBusName: BATCH_REQUESTS_BUS,
          eventPattern: { source: ['local.monolith'] },
          target: {
            id: 'recorder',
            deliver: async (event) => {
              delivered.push(event);
            },
          },
        },
      ],
    });
    server = await listenOnLoopback(0);
    server.serve(createEventsJsonProtocolHandler(bus));
    client = new EventBridgeClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  afterAll(async () => {
    client.destroy();
    await server.close();
  });

  /** A raw AWS JSON 1.1 call, as the AWS CLI sends it. */
  async function post(target: string, body: string) {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
      body,
    });
    return {
      status: response.status,
      errorType: response.headers.get('x-amzn-errortype'),
      body: (await response.json()) as { Entries?: { EventId?: string }[] },
    };
  }

  it('answers PutEvents from the AWS SDK with the per-entry results and delivers the event', async () => {
    // Act
    const answer = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: BATCH_REQUESTS_BUS,
            Source: 'local.monolith',
            DetailType: 'BatchRequested',
            Detail: '{"batchTypeId":1}',
            Time: new Date('2025-05-06T07:08:09Z'),
          },
          {
            EventBusName: BATCH_REQUESTS_BUS,
            Source: 'local.monolith',
            DetailType: 'BatchRequested',
            Detail: '{',
          },
        ],
      }),
    );

    // Assert
    expect(answer.FailedEntryCount).toBe(1);
    expect(answer.Entries).toEqual([
      { EventId: expect.any(String) },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
    ]);
    const event = delivered.find((candidate) => candidate.id === answer.Entries?.[0]?.EventId);
    expect(event).toMatchObject({ time: '2025-05-06T07:08:09Z', detail: { batchTypeId: 1 } });
  });

  it('raises ValidationException in the SDK for a call of 11 entries', async () => {
    // Arrange
    const entry = {
      EventBusName: BATCH_REQUESTS_BUS,
      Source: 'local.monolith',
      DetailType: 'X',
      Detail: '{}',
    };

    // Act
    const call = client.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry) }));

    // Assert
    await expect(call).rejects.toMatchObject({
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('answers ListRules for a bus', async () => {
    // Act
    const answer = await client.send(new ListRulesCommand({ EventBusName: BATCH_REQUESTS_BUS }));

    // Assert
    expect(answer.Rules).toEqual([
      {
        Name: 'all',
        Arn: 'arn:aws:events:us-east-1:000000000000:rule/batch-requests/all',
        EventBusName: BATCH_REQUESTS_BUS,
        EventPattern: '{"source":["local.monolith"]}',
        State: 'ENABLED',
      },
    ]);
  });

  it('reads Time sent as epoch seconds, as the AWS CLI sends it', async () => {
    // Act
    const answer = await post(
      'AWSEvents.PutEvents',
      JSON.stringify({
        Entries: [
          {
            EventBusName: BATCH_REQUESTS_BUS,
            Source: 'local.monolith',
            DetailType: 'BatchRequested',
            Detail: '{"n":1}',
            Time: 1_700_000_000,
          },
        ],
      }),
    );

    // Assert
    expect(answer.status).toBe(200);
    const event = delivered.find((candidate) => candidate.id === answer.body.Entries?.[0]?.EventId);
    expect(event?.time).toBe('2023-11-14T22:13:20Z');
  });

  it.each([
    ['an unknown operation', 'AWSEvents.PutRule', '{}', 400, 'UnknownOperationException'],
    ['another service', 'AmazonSQS.SendMessage', '{}', 400, 'UnknownOperationException'],
    ['a body that is not JSON', 'AWSEvents.PutEvents', '{"Entries":', 400, 'SerializationException'],
    ['a body that is not an object', 'AWSEvents.PutEvents', '[]', 400, 'SerializationException'],
    [
      'a bus that does not exist',
      'AWSEvents.ListRules',
      '{"EventBusName":"nope"}',
      400,
      'ResourceNotFoundException',
    ],
  ])(
    'answers %s with the error type in __type and x-amzn-ErrorType',
    async (_case, target, body, status, type) => {
      // Act
      const answer = await post(target, body);

      // Assert
      expect(answer).toEqual({
        status,
        errorType: type,
        body: { __type: type, message: expect.any(String) },
      });
    },
  );
});
