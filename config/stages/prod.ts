import type { StageConfigInput } from '../schema.js';

/** Production: the batch account's prod environment. Replace the ids with yours. */
export const prod: StageConfigInput = {
  stage: 'prod',
  account: '333333333333',
  region: 'eu-west-1',
  monolith: { accountIds: ['444444444444'], eventSource: 'com.example.monolith' },
  alarms: { email: 'batch-oncall@example.com', oldestMessageAgeSeconds: 600 },
  launcher: { maxConcurrency: 20, maxReceiveCount: 5, timeoutSeconds: 30 },
  retention: { logDays: 90, idempotencyDays: 7, lifecycleDays: 365 },
  catalog: [
    {
      batchTypeId: 1,
      name: 'invoice-export',
      cluster: 'batch-prod',
      taskDefinitionFamily: 'invoice-export',
      containerName: 'app',
      command: ['node', 'dist/export-invoices.js'],
      launch: { launchType: 'FARGATE' },
      platformVersion: 'LATEST',
      network: {
        subnets: ['subnet-0f1e2d3c4b5a60001', 'subnet-0f1e2d3c4b5a60002', 'subnet-0f1e2d3c4b5a60003'],
        securityGroups: ['sg-0f1e2d3c4b5a60001'],
      },
      taskRoleName: 'invoice-export-task',
      executionRoleName: 'batch-task-execution',
    },
    {
      batchTypeId: 2,
      name: 'nightly-reconciliation',
      cluster: 'batch-prod',
      taskDefinitionFamily: 'nightly-reconciliation',
      containerName: 'app',
      command: ['java', '-jar', '/app/reconcile.jar'],
      launch: { launchType: 'FARGATE' },
      network: {
        subnets: ['subnet-0f1e2d3c4b5a60001', 'subnet-0f1e2d3c4b5a60002', 'subnet-0f1e2d3c4b5a60003'],
        securityGroups: ['sg-0f1e2d3c4b5a60001'],
      },
      taskRoleName: 'reconciliation-task',
      executionRoleName: 'batch-task-execution',
      maxConcurrent: 2,
    },
  ],
};
