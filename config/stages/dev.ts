import type { StageConfigInput } from '../schema.js';

/** Development: the batch account's dev environment. Replace the ids with yours. */
export const dev: StageConfigInput = {
  stage: 'dev',
  account: '111111111111',
  region: 'eu-west-1',
  monolith: { accountIds: ['222222222222'], eventSource: 'com.example.monolith' },
  alarms: { oldestMessageAgeSeconds: 900 },
  launcher: { maxConcurrency: 5, maxReceiveCount: 5, timeoutSeconds: 30 },
  retention: { logDays: 14, idempotencyDays: 7, lifecycleDays: 30 },
  catalog: [
    {
      batchTypeId: 1,
      name: 'invoice-export',
      cluster: 'batch-dev',
      taskDefinitionFamily: 'invoice-export',
      containerName: 'app',
      command: ['node', 'dist/export-invoices.js'],
      launch: { launchType: 'FARGATE' },
      network: {
        subnets: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
        securityGroups: ['sg-0a1b2c3d4e5f60001'],
      },
      environment: { LOG_LEVEL: 'debug' },
      taskRoleName: 'invoice-export-task',
      executionRoleName: 'batch-task-execution',
    },
    {
      batchTypeId: 2,
      name: 'nightly-reconciliation',
      cluster: 'batch-dev',
      taskDefinitionFamily: 'nightly-reconciliation',
      containerName: 'app',
      command: ['java', '-jar', '/app/reconcile.jar'],
      launch: { capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] },
      network: {
        subnets: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
        securityGroups: ['sg-0a1b2c3d4e5f60001'],
      },
      taskRoleName: 'reconciliation-task',
      executionRoleName: 'batch-task-execution',
      maxConcurrent: 2,
    },
  ],
};
