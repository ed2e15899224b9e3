import type { AddressInfo } from 'node:net';
import { CreateTableCommand, type CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

/** The launcher's tables; the stack lets CloudFormation name them, the sandbox names them plainly. */
export const TableName = {
  Idempotency: 'batch-launcher-idempotency',
  Lifecycle: 'batch-launcher-lifecycle',
} as const;

/**
 * A launcher table as the stack defines it (keys only: dynalite has no TTL,
 * encryption or PITR), under any name: the sandbox and the tests share it.
 */
export function launcherTableInput(
  table: 'idempotency' | 'lifecycle',
  name: string,
): CreateTableCommandInput {
  if (table === 'idempotency') {
    // Powertools idempotency's default layout.
    return {
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    };
  }
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'requestId', AttributeType: 'S' },
      { AttributeName: 'batchTypeId', AttributeType: 'N' },
    ],
    KeySchema: [
      { AttributeName: 'requestId', KeyType: 'HASH' },
      { AttributeName: 'batchTypeId', KeyType: 'RANGE' },
    ],
  };
}

const TABLES: readonly CreateTableCommandInput[] = [
  launcherTableInput('idempotency', TableName.Idempotency),
  launcherTableInput('lifecycle', TableName.Lifecycle),
];

export interface LocalDynamoDbOptions {
  /** Loopback port; 0 picks a free one. @default 0 */
  readonly port?: number;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface LocalDynamoDb {
  /** `http://127.0.0.1:<port>`: for `AWS_ENDPOINT_URL_DYNAMODB` or a client's `endpoint`. */
  readonly endpoint: string;
  /** A client for the emulator, owned by it (closed by `stop()`). */
  readonly client: DynamoDBClient;
  /** Closes the client, every open connection and the emulator; the data is gone. */
  stop(): Promise<void>;
}

/**
 * Starts the dynalite DynamoDB emulator in memory on 127.0.0.1 with the launcher's idempotency
 * and lifecycle tables, created through the DynamoDB API and active at once.
 */
export async function startLocalDynamoDb(options: LocalDynamoDbOptions): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: options.region, credentials: options.credentials });
  const stop = async () => {
    client.destroy();
    // Keep-alive sockets of any client (the handlers' too) would otherwise hold `close` open.
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  };
  try {
    for (const table of TABLES) {
      await client.send(new CreateTableCommand(table));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, client, stop };
}
