import type { AddressInfo } from 'node:net';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';

/** The queues as the stack names them: what the launcher and ops type. */
export const QueueName = {
  Requests: 'batch-requests.fifo',
  DeadLetter: 'batch-requests-dlq.fifo',
} as const;

const DAY_SECONDS = 86_400;

export interface LocalSqsOptions {
  /** Loopback port; 0 picks a free one. @default 0 */
  readonly port?: number;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** The requests queue's VisibilityTimeout (the stack sets 6 × the function timeout). */
  readonly visibilityTimeoutSeconds: number;
  /** Receives before SQS moves a request to the DLQ. */
  readonly maxReceiveCount: number;
  /** @default 14 */
  readonly retentionDays?: number;
  /** @default 14 */
  readonly deadLetterRetentionDays?: number;
  /**
   * Caps every visibility timeout a client asks for (ChangeMessageVisibility, its batch form and
   * ReceiveMessage's VisibilityTimeout). A test knob that compresses time: the launcher backs a
   * transient failure off by 15 s × 2ⁿ, which would make retry scenarios minutes long.
   * @default no cap
   */
  readonly maxVisibilityTimeoutSeconds?: number;
}

/** A message as the emulator holds it, seen without receiving it. */
export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly messageAttributes: Readonly<Record<string, { DataType: string; StringValue?: string }>>;
  readonly messageGroupId?: string;
  readonly approximateReceiveCount: number;
  readonly sentTimestamp: number;
  readonly state: 'ready' | 'delayed' | 'inflight';
}

export interface LocalSqs {
  /** `http://127.0.0.1:<port>`: for `AWS_ENDPOINT_URL_SQS` or a client's `endpoint`. */
  readonly endpoint: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
  /** A client for the emulator, owned by it (closed by `stop()`). */
  readonly client: SQSClient;
  /**
   * Every message of a queue (ready, delayed, in flight) without receiving it, so observers
   * change neither visibility nor receive counts.
   */
  peek(queueName: string): Promise<QueuedMessage[]>;
  /** Closes the client, open connections (long polls end empty) and the emulator. */
  stop(): Promise<void>;
}

const VISIBILITY_TARGETS = new Set([
  'AmazonSQS.ChangeMessageVisibility',
  'AmazonSQS.ChangeMessageVisibilityBatch',
  'AmazonSQS.ReceiveMessage',
]);

/**
 * Starts the fauxqs SQS emulator in this process on 127.0.0.1 only (its own `startFauxqs`
 * listens on every interface) and creates the launcher's queues through the SQS API with the
 * stack's attributes: a FIFO queue with content-based deduplication whose RedrivePolicy moves a
 * request to the FIFO DLQ after `maxReceiveCount` receives.
 */
export async function startLocalSqs(options: LocalSqsOptions): Promise<LocalSqs> {
  const app = buildApp({ logger: false, defaultRegion: options.region });
  const cap = options.maxVisibilityTimeoutSeconds;
  if (cap !== undefined) {
    app.addHook('preHandler', async (request) => {
      const target = request.headers['x-amz-target'];
      if (typeof target === 'string' && VISIBILITY_TARGETS.has(target)) {
        capVisibility(request.body, cap);
      }
    });
  }
  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const { port } = app.server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new SQSClient({ endpoint, region: options.region, credentials: options.credentials });
  try {
    const dlq = await createQueue(client, endpoint, QueueName.DeadLetter, {
      FifoQueue: 'true',
      MessageRetentionPeriod: String((options.deadLetterRetentionDays ?? 14) * DAY_SECONDS),
    });
    const queue = await createQueue(client, endpoint, QueueName.Requests, {
      FifoQueue: 'true',
      ContentBasedDeduplication: 'true',
      VisibilityTimeout: String(options.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String((options.retentionDays ?? 14) * DAY_SECONDS),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: dlq.arn,
        maxReceiveCount: options.maxReceiveCount,
      }),
    });
    return {
      endpoint,
      queueUrl: queue.url,
      queueArn: queue.arn,
      dlqUrl: dlq.url,
      dlqArn: dlq.arn,
      client,
      peek: async (queueName) => {
        // fauxqs' inspection endpoint (over HTTP: its in-process `inject` needs a CommonJS
        // require of an ES module, which test runners refuse).
        const response = await fetch(`${endpoint}/_fauxqs/queues/${encodeURIComponent(queueName)}`);
        if (!response.ok) {
          throw new Error(`Cannot inspect queue "${queueName}" on ${endpoint}: HTTP ${response.status}`);
        }
        return snapshotOf((await response.json()) as FauxqsInspection);
      },
      stop: async () => {
        client.destroy();
        await app.close();
      },
    };
  } catch (error) {
    client.destroy();
    await app.close();
    throw error;
  }
}

async function createQueue(
  client: SQSClient,
  endpoint: string,
  name: string,
  attributes: Record<string, string>,
): Promise<{ url: string; arn: string }> {
  const created = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  // fauxqs answers `http://sqs.<region>.localhost:<port>/...`, a host not every resolver maps to
  // loopback; it finds queues by path alone, so hand out the loopback address instead.
  const url = created.QueueUrl === undefined ? undefined : `${endpoint}${new URL(created.QueueUrl).pathname}`;
  const described = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = described.Attributes?.QueueArn;
  if (url === undefined || arn === undefined) {
    throw new Error(`The SQS emulator created queue "${name}" without answering its URL and ARN`);
  }
  return { url, arn };
}

function capVisibility(body: unknown, cap: number): void {
  if (typeof body !== 'object' || body === null) return;
  const request = body as { VisibilityTimeout?: unknown; Entries?: unknown };
  if (typeof request.VisibilityTimeout === 'number' && request.VisibilityTimeout > cap) {
    request.VisibilityTimeout = cap;
  }
  if (Array.isArray(request.Entries)) {
    for (const entry of request.Entries) capVisibility(entry, cap);
  }
}

interface FauxqsMessage {
  messageId: string;
  body: string;
  messageAttributes?: Record<string, { DataType: string; StringValue?: string }>;
  messageGroupId?: string;
  approximateReceiveCount: number;
  sentTimestamp: number;
}

interface FauxqsInspection {
  messages: {
    ready: FauxqsMessage[];
    delayed: FauxqsMessage[];
    inflight: { message: FauxqsMessage }[];
  };
}

function snapshotOf(inspection: FauxqsInspection): QueuedMessage[] {
  const toSnapshot =
    (state: QueuedMessage['state']) =>
    (message: FauxqsMessage): QueuedMessage => ({
      messageId: message.messageId,
      body: message.body,
      messageAttributes: message.messageAttributes ?? {},
      messageGroupId: message.messageGroupId,
      approximateReceiveCount: message.approximateReceiveCount,
      sentTimestamp: message.sentTimestamp,
      state,
    });
  return [
    ...inspection.messages.ready.map(toSnapshot('ready')),
    ...inspection.messages.delayed.map(toSnapshot('delayed')),
    ...inspection.messages.inflight.map((entry) => toSnapshot('inflight')(entry.message)),
  ].sort((a, b) => a.sentTimestamp - b.sentTimestamp);
}
