import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeTasksCommand, ECSClient, ListTasksCommand, type Task } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutEventsCommand, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { BusEvent } from '../../../sandbox/bus/put-events-entry.js';
import { SANDBOX_CREDENTIALS, type Sandbox } from '../../../sandbox/sandbox.js';

/** A dead-lettered message as ops would read it: body, errorCode and the other attributes. */
export interface DeadLetter {
  readonly body: string;
  readonly messageGroupId: string | undefined;
  readonly attributes: Readonly<Record<string, string | undefined>>;
}

/**
 * What a monolith developer or an operator has: AWS SDK clients pointed at the sandbox's
 * endpoints. Tests go through these, never through the sandbox's internals, except for the
 * result events the monolith's subscription received.
 */
export class SandboxClient {
  readonly events: EventBridgeClient;
  readonly ecs: ECSClient;
  readonly sqs: SQSClient;
  readonly documents: DynamoDBDocumentClient;
  readonly #sandbox: Sandbox;
  readonly #deadLetters: DeadLetter[] = [];

  constructor(sandbox: Sandbox) {
    this.#sandbox = sandbox;
    const common = { region: sandbox.region, credentials: SANDBOX_CREDENTIALS };
    this.events = new EventBridgeClient({ ...common, endpoint: sandbox.endpoints.events });
    this.ecs = new ECSClient({ ...common, endpoint: sandbox.endpoints.ecs });
    this.sqs = new SQSClient({ ...common, endpoint: sandbox.endpoints.sqs });
    this.documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({ ...common, endpoint: sandbox.endpoints.dynamodb }),
    );
  }

  /** PutEvents of one BatchRequested on the batch-requests bus, as the monolith sends it. */
  async putRequest(detail: Readonly<Record<string, unknown>>): Promise<PutEventsResultEntry> {
    const answer = await this.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.#sandbox.eventBusName,
            Source: this.#sandbox.config.monolith.eventSource,
            DetailType: 'BatchRequested',
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    const entry = answer.Entries?.[0];
    if (answer.FailedEntryCount !== 0 || entry?.EventId === undefined) {
      throw new Error(`PutEvents refused the request: ${JSON.stringify(answer.Entries)}`);
    }
    return entry;
  }

  /** Every task (running or stopped) the launcher started for a request key, described. */
  async tasksOf(requestKey: string, cluster = 'local'): Promise<Task[]> {
    const arns: string[] = [];
    for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
      const listed = await this.ecs.send(
        new ListTasksCommand({ cluster, desiredStatus, startedBy: `batch-launcher/${requestKey}` }),
      );
      arns.push(...(listed.taskArns ?? []));
    }
    if (arns.length === 0) return [];
    const described = await this.ecs.send(
      new DescribeTasksCommand({ cluster, tasks: arns, include: ['TAGS'] }),
    );
    return described.tasks ?? [];
  }

  /** The lifecycle record of a request, or undefined. */
  async lifecycle(requestId: string, batchTypeId: number): Promise<Record<string, unknown> | undefined> {
    const answer = await this.documents.send(
      new GetCommand({ TableName: this.#sandbox.tables.lifecycle, Key: { requestId, batchTypeId } }),
    );
    return answer.Item;
  }

  /** Result events the monolith's subscription received for a request. */
  resultsFor(requestId: string): BusEvent[] {
    return this.#sandbox.resultEvents.filter((event) => event.detail.requestId === requestId);
  }

  /**
   * Every message dead-lettered so far: the DLQ is drained through the SQS API (receive, then
   * delete) and what was read is kept, so tests sharing the sandbox each find their own.
   */
  async deadLetters(): Promise<readonly DeadLetter[]> {
    for (;;) {
      const received = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.#sandbox.dlqUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      const messages = received.Messages ?? [];
      if (messages.length === 0) return [...this.#deadLetters];
      this.#deadLetters.push(...messages.map(deadLetterOf));
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.#sandbox.dlqUrl,
          Entries: messages.map((message, index) => ({
            Id: `m${index}`,
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
    }
  }

  /** Messages in the requests queue, visible or in flight. */
  async messagesInQueue(): Promise<number> {
    const answer = await this.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.#sandbox.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(answer.Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(answer.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  }

  destroy(): void {
    this.events.destroy();
    this.ecs.destroy();
    this.sqs.destroy();
    this.documents.destroy();
  }
}

function deadLetterOf(message: Message): DeadLetter {
  return {
    body: message.Body ?? '',
    messageGroupId: message.Attributes?.MessageGroupId,
    attributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]),
    ),
  };
}
