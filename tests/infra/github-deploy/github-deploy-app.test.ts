import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { VALIDATION_REPORT_FILE } from 'aws-cdk-lib/cx-api';
import type { StageConfigInput } from '../../../config/schema.js';
import { STAGES } from '../../../config/stages.js';
import { PROJECT_ROOT } from '../../../infra/constructs/bundled-function.js';
import { GithubDeployConfigError } from '../../../infra/github-deploy/errors.js';
import {
  addGithubDeployStacks,
  githubDeployStackNameFor,
} from '../../../infra/github-deploy/github-deploy-app.js';
import { CDK_JSON_CONTEXT, quietlySynthesise } from '../stage-stack.js';

/** The GitHub deploy app: one stack per account of the deployed stages, cdk-nag clean, clear misuse errors. */

const REPOSITORY = { owner: 'acme', repo: 'ecs-batch-launcher' };

function appWith(context: Record<string, unknown>): App {
  return new App({ context: { ...CDK_JSON_CONTEXT, ...context } });
}

interface ValidationReport {
  readonly pluginReports: { pluginName: string; violations: { ruleName: string; severity: string }[] }[];
}

describe('addGithubDeployStacks', () => {
  it('adds one stack per account of dev and prod, each trusting only its own environment', () => {
    // Act
    const stacks = addGithubDeployStacks(appWith(REPOSITORY));
    // Assert
    expect(
      stacks.map((stack) => ({
        name: stack.stackName,
        account: stack.account,
        region: stack.region,
        subjects: stack.deploySubjects,
      })),
    ).toEqual([
      {
        name: 'EcsBatchLauncher-GithubDeploy-dev',
        account: '111111111111',
        region: 'eu-west-1',
        subjects: ['repo:acme/ecs-batch-launcher:environment:dev'],
      },
      {
        name: 'EcsBatchLauncher-GithubDeploy-prod',
        account: '333333333333',
        region: 'eu-west-1',
        subjects: ['repo:acme/ecs-batch-launcher:environment:prod'],
      },
    ]);
  });

  it('serves stages that share an account with one stack, since IAM allows one provider per account', () => {
    // Arrange
    const dev = STAGES.dev as StageConfigInput;
    const stages = { dev, qa: { ...dev, stage: 'qa', region: 'eu-central-1' } };
    // Act
    const stacks = addGithubDeployStacks(appWith({ ...REPOSITORY, stages: 'dev,qa' }), stages);
    // Assert
    expect(stacks.map((stack) => stack.stackName)).toEqual([githubDeployStackNameFor(['dev', 'qa'])]);
    expect(stacks[0]?.deploySubjects).toEqual([
      'repo:acme/ecs-batch-launcher:environment:dev',
      'repo:acme/ecs-batch-launcher:environment:qa',
    ]);
  });

  it('reuses an existing provider only in the account it belongs to', () => {
    // Arrange
    const arn = 'arn:aws:iam::333333333333:oidc-provider/token.actions.githubusercontent.com';
    // Act
    const [dev, prod] = addGithubDeployStacks(appWith({ ...REPOSITORY, oidcProviderArn: arn }));
    // Assert
    expect(dev?.provider.oidcProviderArn).not.toBe(arn);
    expect(prod?.provider.oidcProviderArn).toBe(arn);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'no owner',
      { repo: 'ecs-batch-launcher' },
      /No GitHub owner given: pass -c owner=<user or organisation>/,
    ],
    ['no repo', { owner: 'acme' }, /No GitHub repo given: pass -c repo=<repository name>/],
    ['an empty owner', { ...REPOSITORY, owner: ' ' }, /-c owner=… is empty or not text/],
    [
      'an unknown stage',
      { ...REPOSITORY, stages: 'dev,staging' },
      /Unknown stage "staging".*expected some of dev, prod, local/,
    ],
    ['no stage', { ...REPOSITORY, stages: ',' }, /-c stages=, names nothing/],
    [
      'a provider of an account no stage deploys to',
      {
        ...REPOSITORY,
        oidcProviderArn: 'arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com',
      },
      /not an IAM ARN of a deployed account \(111111111111, 333333333333\)/,
    ],
  ])('refuses %s, saying what to pass', (_case, context, message) => {
    expect(() => addGithubDeployStacks(appWith(context))).toThrow(GithubDeployConfigError);
    expect(() => addGithubDeployStacks(appWith(context))).toThrow(message);
  });

  it('synthesises with no cdk-nag finding, error or warning, and nothing acknowledged', () => {
    // Arrange
    const app = appWith(REPOSITORY);
    const stacks = addGithubDeployStacks(app);
    // Act
    const assembly = quietlySynthesise(() => app.synth());
    // Assert
    const report: ValidationReport = JSON.parse(
      readFileSync(join(assembly.directory, VALIDATION_REPORT_FILE), 'utf8'),
    );
    expect(report.pluginReports.flatMap((plugin) => plugin.violations)).toEqual([]);
    for (const stack of stacks) {
      expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
      expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    }
  });

  it('fails synthesis when a role is widened with a wildcard nobody reviewed', () => {
    // Arrange
    const app = appWith(REPOSITORY);
    const [dev] = addGithubDeployStacks(app);
    dev?.deployRole.addToPolicy(new PolicyStatement({ actions: ['iam:PassRole'], resources: ['*'] }));
    // Act / Assert
    expect(() => quietlySynthesise(() => app.synth())).toThrow(/AwsSolutions-IAM5/);
  });

  it('tells the user of `cdk synth` which context is missing, without a stack trace, and exits 1', () => {
    // Act: the app as the CDK CLI runs it
    const result = spawnSync(
      process.execPath,
      [join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'infra/github-deploy/app.ts'],
      {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
        env: {
          ...process.env,
          CDK_CONTEXT_JSON: JSON.stringify({ repo: 'ecs-batch-launcher' }),
          CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'cdk-out-')),
        },
      },
    );
    // Assert
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('GithubDeployConfigError: No GitHub owner given: pass -c owner=');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
