import type { RunTaskCommandInput } from '@aws-sdk/client-ecs';
import { describe, expect, it } from '@jest/globals';
import { InvalidParameterError } from '../../../sandbox/ecs/errors.js';
import { parseRunTaskRequest } from '../../../sandbox/ecs/run-task-request.js';
import { runTaskInput } from './local-ecs-fixture.js';

const ec2 = { launchType: 'EC2', networkConfiguration: undefined } as const;
const tags = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ key: `k${index}`, value: 'v' }));

describe('parseRunTaskRequest', () => {
  it('reduces a valid request to cluster, family, revision, count and its one container override', () => {
    const input = runTaskInput({
      cluster: 'arn:aws:ecs:us-east-1:000000000000:cluster/local',
      taskDefinition: 'hello:4',
    });

    const request = parseRunTaskRequest(input);

    expect(request).toMatchObject({
      clusterName: 'local',
      family: 'hello',
      revision: 4,
      count: 1,
      containerOverride: input.overrides?.containerOverrides?.[0],
      tags: input.tags,
    });
  });

  it('gives a retry the same fingerprint whatever its key order and client token', () => {
    const input = runTaskInput({ clientToken: 'a' });
    const { cluster, overrides, ...rest } = input;
    const reordered: RunTaskCommandInput = { ...rest, clientToken: 'b', overrides, cluster };

    expect(parseRunTaskRequest(reordered).fingerprint).toBe(parseRunTaskRequest(input).fingerprint);
    expect(parseRunTaskRequest(runTaskInput({ startedBy: 'x' })).fingerprint).not.toBe(
      parseRunTaskRequest(input).fingerprint,
    );
  });

  it('accepts an EC2 task without network configuration', () => {
    expect(() => parseRunTaskRequest(runTaskInput(ec2))).not.toThrow();
  });

  it.each<[string, Partial<RunTaskCommandInput>, string]>([
    ['the task definition is malformed', { taskDefinition: 'a b' }, 'Invalid task definition'],
    ['count is not an integer', { count: 1.5 }, 'Count value must be between 1 and 10'],
    ['the launch type is unknown', { launchType: 'LAMBDA' as never }, 'Unknown launch type'],
    [
      'the capacity provider strategy is empty',
      { launchType: undefined, capacityProviderStrategy: [] },
      'between 1 and 20',
    ],
    [
      'a capacity provider has no name',
      { launchType: undefined, capacityProviderStrategy: [{ capacityProvider: '' }] },
      'needs a capacityProvider',
    ],
    [
      'a capacity provider weight is above 1000',
      { launchType: undefined, capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1001 }] },
      'weight must be between 0 and 1000',
    ],
    [
      'a capacity provider base is negative',
      { launchType: undefined, capacityProviderStrategy: [{ capacityProvider: 'FARGATE', base: -1 }] },
      'base must be between 0 and 100000',
    ],
    [
      'a Fargate capacity provider task has no network configuration',
      {
        launchType: undefined,
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT' }],
        networkConfiguration: undefined,
      },
      'Network Configuration must be provided',
    ],
    [
      'there are more than 16 subnets',
      {
        networkConfiguration: {
          awsvpcConfiguration: { subnets: Array.from({ length: 17 }, (_, index) => `subnet-${index}`) },
        },
      },
      'at most 16 subnets',
    ],
    ['startedBy is longer than 128 characters', { startedBy: 'x'.repeat(129) }, 'startedBy allows up to 128'],
    ['group is longer than 255 characters', { group: 'g'.repeat(256) }, 'group allows up to 255'],
    ['there are more than 50 tags', { tags: tags(51) }, 'at most 50 tags'],
    ['a tag key is empty', { tags: [{ key: '', value: 'v' }] }, 'Invalid tag key'],
    [
      'a tag value has a forbidden character',
      { tags: [{ key: 'k', value: 'a"b' }] },
      'Invalid value for tag "k"',
    ],
    ['the client token has a space', { clientToken: 'a b' }, 'clientToken must be'],
    [
      'there are two container overrides',
      { overrides: { containerOverrides: [{ name: 'a' }, { name: 'b' }] } },
      'at most one container override',
    ],
  ])('throws InvalidParameterException when %s', (_case, overrides, reason) => {
    const action = () => parseRunTaskRequest(runTaskInput(overrides));

    expect(action).toThrow(InvalidParameterError);
    expect(action).toThrow(reason);
  });
});
