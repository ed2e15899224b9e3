import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { launcherTableInput } from '../../sandbox/dynamodb/local-dynamodb.js';

/** Static credentials: dynalite checks that requests are signed, not by whom. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const LOCAL_REGION = 'us-east-1';

export interface LocalDynamoDb {
  /** `http://127.0.0.1:<port>`: for `AWS_ENDPOINT_URL_DYNAMODB` or a client's `endpoint`. */
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** Closes the client, every open connection (other clients' too) and the emulator. */
  stop(): Promise<void>;
}

/**
 * Starts the dynalite DynamoDB emulator in memory on a free loopback port: a
 * real conditional-write store, one per test file, gone when `stop()` resolves.
 */
export async function startDynalite(): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  return {
    endpoint,
    client,
    async stop() {
      client.destroy();
      // Keep-alive sockets of any client would otherwise hold `close` open.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

/** The lifecycle table as the stack builds it: `requestId` (S) + `batchTypeId` (N). */
export async function createLifecycleTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(new CreateTableCommand(launcherTableInput('lifecycle', name)));
}

/** The idempotency table in Powertools' default layout: partition key `id` (S). */
export async function createIdempotencyTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(new CreateTableCommand(launcherTableInput('idempotency', name)));
}
