import type { StageConfigInput } from '../schema.js';

/**
 * The sandbox stage (`npm start`): nothing here reaches AWS. The local ECS
 * endpoint runs every task definition family below as `demo/batch-app.mjs`
 * with the catalog's command as its arguments.
 */
export const local: StageConfigInput = {
  stage: 'local',
  account: '000000000000',
  region: 'us-east-1',
  monolith: { accountIds: ['000000000000'], eventSource: 'local.monolith' },
  alarms: {},
  launcher: { maxConcurrency: 5, maxReceiveCount: 3, timeoutSeconds: 30 },
  retention: {},
  catalog: [
    {
      batchTypeId: 1,
      name: 'hello',
      cluster: 'local',
      taskDefinitionFamily: 'hello',
      containerName: 'app',
      command: ['hello'],
      launch: { launchType: 'FARGATE' },
      network: { subnets: ['subnet-00000000'], securityGroups: ['sg-00000000'] },
      environment: { GREETING: 'hello from the batch catalog' },
      taskRoleName: 'hello-task',
      executionRoleName: 'batch-execution',
    },
    {
      batchTypeId: 2,
      name: 'always-fails',
      cluster: 'local',
      taskDefinitionFamily: 'always-fails',
      containerName: 'app',
      command: ['always-fails', '--exit-code', '3'],
      launch: { launchType: 'FARGATE' },
      network: { subnets: ['subnet-00000000'], securityGroups: ['sg-00000000'] },
      taskRoleName: 'always-fails-task',
      executionRoleName: 'batch-execution',
    },
  ],
};
