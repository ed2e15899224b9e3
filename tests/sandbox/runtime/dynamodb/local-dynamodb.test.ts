import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  type LocalDynamoDb,
  startLocalDynamoDb,
  TableName,
} from '../../../../sandbox/dynamodb/local-dynamodb.js';

describe('startLocalDynamoDb', () => {
  let dynamodb: LocalDynamoDb;

  beforeAll(async () => {
    dynamodb = await startLocalDynamoDb({
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  afterAll(async () => {
    await dynamodb.stop();
  });

  async function keysOf(tableName: string) {
    const { Table } = await dynamodb.client.send(new DescribeTableCommand({ TableName: tableName }));
    return { status: Table?.TableStatus, keys: Table?.KeySchema, attributes: Table?.AttributeDefinitions };
  }

  it('listens on loopback', () => {
    expect(dynamodb.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("creates the idempotency table in Powertools' layout, active at once", async () => {
    expect(await keysOf(TableName.Idempotency)).toEqual({
      status: 'ACTIVE',
      keys: [{ AttributeName: 'id', KeyType: 'HASH' }],
      attributes: [{ AttributeName: 'id', AttributeType: 'S' }],
    });
  });

  it('creates the lifecycle table keyed by requestId (S) and batchTypeId (N)', async () => {
    expect(await keysOf(TableName.Lifecycle)).toEqual({
      status: 'ACTIVE',
      keys: [
        { AttributeName: 'requestId', KeyType: 'HASH' },
        { AttributeName: 'batchTypeId', KeyType: 'RANGE' },
      ],
      attributes: [
        { AttributeName: 'requestId', AttributeType: 'S' },
        { AttributeName: 'batchTypeId', AttributeType: 'N' },
      ],
    });
  });
});
