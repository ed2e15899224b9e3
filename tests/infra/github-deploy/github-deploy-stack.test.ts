import { App, BOOTSTRAP_QUALIFIER_CONTEXT } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ConstructPropsError } from '../../../infra/errors.js';
import {
  GithubDeployStack,
  type GithubDeployStackProps,
} from '../../../infra/github-deploy/github-deploy-stack.js';
import { CDK_JSON_CONTEXT, logicalId, normalise, onlyResource, roleStatements } from '../stage-stack.js';

/**
 * The GitHub deploy stack: who may assume its roles (the trust policy, exactly)
 * and what the roles may do (assume CDK bootstrap roles, nothing else).
 */

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const AUD = 'token.actions.githubusercontent.com:aud';
const SUB = 'token.actions.githubusercontent.com:sub';

type Props = Omit<GithubDeployStackProps, 'owner' | 'repo'> & { owner?: string; repo?: string };

function build(props: Props = {}, context: Record<string, unknown> = {}) {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, ...context } });
  const stack = new GithubDeployStack(app, 'GithubDeploy', {
    env: { account: ACCOUNT, region: REGION },
    owner: 'acme',
    repo: 'ecs-batch-launcher',
    environments: ['dev'],
    ...props,
  });
  return { stack, template: Template.fromStack(stack) };
}

function trustStatements(template: Template, roleId: string): unknown {
  return template.toJSON().Resources[roleId].Properties.AssumeRolePolicyDocument.Statement;
}

function bootstrapRole(kind: string, region = REGION, qualifier = 'hnb659fds'): string {
  return `arn:aws:iam::${ACCOUNT}:role/cdk-${qualifier}-${kind}-role-${ACCOUNT}-${region}`;
}

/** IAM policy minimisation orders resources its own way: compare as sets. */
function sorted(resources: unknown): unknown {
  return Array.isArray(resources) ? [...resources].sort() : resources;
}

describe('GithubDeployStack', () => {
  it('creates the GitHub Actions OIDC provider for the STS audience', () => {
    // Act
    const { template } = build();
    // Assert
    const provider = onlyResource(template, 'AWS::IAM::OIDCProvider');
    expect(provider.Properties).toEqual({
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
  });

  it('lets only jobs of the deploy environments of the repository assume the deploy role', () => {
    // Act
    const { stack, template } = build({ environments: ['dev', 'prod'] });
    // Assert
    expect(trustStatements(template, logicalId(stack.deployRole))).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRoleWithWebIdentity',
        Principal: { Federated: { Ref: logicalId(stack.provider) } },
        Condition: {
          StringEquals: {
            [AUD]: 'sts.amazonaws.com',
            [SUB]: [
              'repo:acme/ecs-batch-launcher:environment:dev',
              'repo:acme/ecs-batch-launcher:environment:prod',
            ],
          },
        },
      },
    ]);
  });

  it('trusts jobs of the branch itself when no environment is given', () => {
    // Act
    const { stack, template } = build({ environments: [], branch: 'release/v1' });
    // Assert
    expect(stack.deploySubjects).toEqual(['repo:acme/ecs-batch-launcher:ref:refs/heads/release/v1']);
    expect(trustStatements(template, logicalId(stack.deployRole))).toEqual([
      expect.objectContaining({
        Condition: {
          StringEquals: {
            [AUD]: 'sts.amazonaws.com',
            [SUB]: ['repo:acme/ecs-batch-launcher:ref:refs/heads/release/v1'],
          },
        },
      }),
    ]);
  });

  it('lets only pull requests of the repository assume the diff role', () => {
    // Act
    const { stack, template } = build();
    // Assert
    expect(trustStatements(template, logicalId(stack.diffRole))).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRoleWithWebIdentity',
        Principal: { Federated: { Ref: logicalId(stack.provider) } },
        Condition: {
          StringEquals: {
            [AUD]: 'sts.amazonaws.com',
            [SUB]: ['repo:acme/ecs-batch-launcher:pull_request'],
          },
        },
      },
    ]);
  });

  it('lets the deploy role assume exactly the CDK CLI bootstrap roles of its account, and nothing else', () => {
    // Act
    const { stack, template } = build();
    // Assert: not cfn-exec (CloudFormation's), no other action, no wildcard
    expect(roleStatements(template, stack.deployRole)).toEqual([
      {
        Sid: 'AssumeCdkBootstrapRoles',
        Effect: 'Allow',
        Action: ['sts:AssumeRole'],
        Resource: expect.any(Array),
      },
    ]);
    expect(sorted(roleStatements(template, stack.deployRole)[0]?.Resource)).toEqual([
      bootstrapRole('deploy'),
      bootstrapRole('file-publishing'),
      bootstrapRole('image-publishing'),
      bootstrapRole('lookup'),
    ]);
  });

  it('lets the diff role assume only the read-only CDK lookup role', () => {
    // Act
    const { stack, template } = build();
    // Assert
    expect(roleStatements(template, stack.diffRole)).toEqual([
      {
        Sid: 'AssumeCdkBootstrapRoles',
        Effect: 'Allow',
        Action: ['sts:AssumeRole'],
        Resource: bootstrapRole('lookup'),
      },
    ]);
  });

  it('names the bootstrap roles of every region the stages deploy to', () => {
    // Act
    const { stack, template } = build({ regions: ['eu-west-1', 'eu-central-1'] });
    // Assert
    expect(sorted(roleStatements(template, stack.diffRole)[0]?.Resource)).toEqual([
      bootstrapRole('lookup', 'eu-central-1'),
      bootstrapRole('lookup', 'eu-west-1'),
    ]);
    expect(roleStatements(template, stack.deployRole)[0]?.Resource).toHaveLength(8);
  });

  it('uses the bootstrap qualifier of the context key every CDK app reads, for its roles and itself', () => {
    // Act
    const { stack, template } = build({}, { [BOOTSTRAP_QUALIFIER_CONTEXT]: 'batch' });
    // Assert
    expect(roleStatements(template, stack.diffRole)[0]?.Resource).toEqual(
      bootstrapRole('lookup', REGION, 'batch'),
    );
    expect(template.toJSON().Parameters.BootstrapVersion.Default).toBe('/cdk-bootstrap/batch/version');
  });

  it('deploys itself through the bootstrap roles it names when given a qualifier', () => {
    // Act
    const { stack, template } = build({ qualifier: 'ops1' });
    // Assert
    expect(roleStatements(template, stack.diffRole)[0]?.Resource).toEqual(
      bootstrapRole('lookup', REGION, 'ops1'),
    );
    expect(template.toJSON().Parameters.BootstrapVersion.Default).toBe('/cdk-bootstrap/ops1/version');
  });

  it('allows no wildcard action or resource in any policy or trust policy', () => {
    // Act
    const { template } = build({ environments: ['dev', 'prod'] });
    // Assert
    const identityStatements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as Record<string, unknown>[]).map(normalise),
    );
    const trust = Object.values(template.findResources('AWS::IAM::Role')).flatMap((role) =>
      (role.Properties.AssumeRolePolicyDocument.Statement as Record<string, unknown>[]).map(normalise),
    );
    expect(identityStatements).toHaveLength(2);
    expect(trust).toHaveLength(2);
    for (const statement of [...identityStatements, ...trust]) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.Action.filter((action) => action.includes('*'))).toEqual([]);
      expect(JSON.stringify(statement.Resource ?? null)).not.toContain('*');
      expect(JSON.stringify(statement.Condition ?? null)).not.toMatch(/StringLike|\*/);
    }
  });

  it("trusts the account's existing provider instead of creating a second one", () => {
    // Arrange
    const arn = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
    // Act
    const { stack, template } = build({ oidcProviderArn: arn });
    // Assert
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(trustStatements(template, logicalId(stack.deployRole))).toEqual([
      expect.objectContaining({ Principal: { Federated: arn } }),
    ]);
  });

  it.each<[string, Props, RegExp]>([
    [
      'an owner with a slash',
      { owner: 'acme/ecs' },
      /owner "acme\/ecs" is not a GitHub user or organisation/,
    ],
    ['an owner with a wildcard', { owner: 'acme*' }, /owner "acme\*"/],
    ['an empty repo', { repo: '' }, /repo "" is not a repository name/],
    ['a repo with its owner', { repo: 'acme/ecs-batch-launcher' }, /repo "acme\/ecs-batch-launcher"/],
    [
      'a branch pattern',
      { environments: [], branch: 'release/*' },
      /branch "release\/\*" is not a plain branch/,
    ],
    ['an environment pattern', { environments: ['prod*'] }, /environment "prod\*" cannot be trusted/],
    [
      'a long qualifier',
      { qualifier: 'hnb659fds-extra' },
      /qualifier "hnb659fds-extra" is not a CDK bootstrap/,
    ],
    ['a bad region', { regions: ['europe'] }, /regions \["europe"\]/],
    [
      "another issuer's provider",
      { oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/gitlab.com` },
      /is not a GitHub Actions provider/,
    ],
    [
      "another account's provider",
      { oidcProviderArn: 'arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com' },
      /oidcProviderArn is in account 999999999999, this stack deploys to 111111111111/,
    ],
  ])('refuses %s, saying what to change', (_case, props, message) => {
    expect(() => build(props)).toThrow(ConstructPropsError);
    expect(() => build(props)).toThrow(message);
  });
});
