import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { StageConfig } from '../../config/schema.js';
import { parseStageConfig, STAGES } from '../../config/stages.js';
import { GithubDeployConfigError } from './errors.js';
import { GithubDeployStack } from './github-deploy-stack.js';

/** The `-c key=value` settings of the GitHub deploy app. */
export const GithubDeployContext = {
  /** Required: the GitHub user or organisation. */
  owner: 'owner',
  /** Required: the repository name. */
  repo: 'repo',
  /** Comma-separated stages deploy.yml deploys, each a GitHub environment of the same name. */
  stages: 'stages',
  /** Comma-separated ARNs of GitHub providers that already exist (one per account at most). */
  oidcProviderArn: 'oidcProviderArn',
} as const;

/** The stages `.github/workflows/deploy.yml` deploys, in order; each is also its GitHub environment. */
export const DEFAULT_DEPLOY_STAGES = ['dev', 'prod'] as const;

/** `EcsBatchLauncher-GithubDeploy-dev`: one stack per account, named after the stages it serves. */
export function githubDeployStackNameFor(stages: readonly string[]): string {
  return `EcsBatchLauncher-GithubDeploy-${stages.join('-')}`;
}

/**
 * Adds one {@link GithubDeployStack} per AWS account that the deployed stages use
 * (dev and prod live in different accounts, so each gets its own provider and
 * roles, and prod's deploy role trusts only the `prod` environment). Account and
 * region come from the stage configs; the repository from `-c owner=… -c repo=…`;
 * a bootstrap qualifier other than the default from `@aws-cdk/core:bootstrapQualifier`
 * (cdk.json), which the launcher app reads too.
 * Registers cdk-nag's AwsSolutions checks, which fail synthesis on any finding.
 *
 * @param stages where stage configs come from (tests pass others)
 * @throws GithubDeployConfigError when owner or repo is missing, or a stage or provider ARN does not fit
 * @throws ConfigError when a stage's config is invalid
 */
export function addGithubDeployStacks(
  app: App,
  stages: Readonly<Record<string, unknown>> = STAGES,
): GithubDeployStack[] {
  const owner = requiredContext(app, GithubDeployContext.owner, 'user or organisation');
  const repo = requiredContext(app, GithubDeployContext.repo, 'repository name');
  const stageNames = listContext(app, GithubDeployContext.stages) ?? [...DEFAULT_DEPLOY_STAGES];
  const providerArns = listContext(app, GithubDeployContext.oidcProviderArn) ?? [];

  const known = Object.keys(stages);
  const configs = stageNames.map((name) => {
    if (!Object.hasOwn(stages, name)) {
      throw new GithubDeployConfigError(
        `Unknown stage "${name}" in -c ${GithubDeployContext.stages}=…: expected some of ${known.join(', ')} (config/stages/)`,
      );
    }
    return parseStageConfig(name, stages[name]);
  });

  const byAccount = new Map<string, StageConfig[]>();
  for (const config of configs)
    byAccount.set(config.account, [...(byAccount.get(config.account) ?? []), config]);

  const providerByAccount = new Map<string, string>();
  for (const arn of providerArns) {
    const account = /^arn:[^:]+:iam::(\d{12}):/.exec(arn)?.[1];
    if (account === undefined || !byAccount.has(account)) {
      throw new GithubDeployConfigError(
        `-c ${GithubDeployContext.oidcProviderArn}=${arn}: not an IAM ARN of a deployed account ` +
          `(${[...byAccount.keys()].join(', ')})`,
      );
    }
    if (providerByAccount.has(account)) {
      throw new GithubDeployConfigError(
        `-c ${GithubDeployContext.oidcProviderArn} names two providers in account ${account}: give one`,
      );
    }
    providerByAccount.set(account, arn);
  }

  const stacks = [...byAccount].map(([account, group]) => {
    const names = group.map((config) => config.stage);
    const [first] = group;
    if (first === undefined) throw new GithubDeployConfigError(`account ${account} has no stage`);
    return new GithubDeployStack(app, githubDeployStackNameFor(names), {
      description: `GitHub OIDC deploys of ${owner}/${repo} into ${account} (stages ${names.join(', ')})`,
      env: { account, region: first.region },
      owner,
      repo,
      environments: names,
      oidcProviderArn: providerByAccount.get(account),
      regions: [...new Set(group.map((config) => config.region))],
    });
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stacks;
}

function optionalContext(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new GithubDeployConfigError(`-c ${key}=… is empty or not text: pass a value or leave it out`);
  }
  return value.trim();
}

function requiredContext(app: App, key: string, what: string): string {
  const value = optionalContext(app, key);
  if (value === undefined) {
    throw new GithubDeployConfigError(
      `No GitHub ${key} given: pass -c ${key}=<${what}>. Both -c ${GithubDeployContext.owner}=… and ` +
        `-c ${GithubDeployContext.repo}=… are required: the roles trust that one repository only`,
    );
  }
  return value;
}

function listContext(app: App, key: string): string[] | undefined {
  const value = optionalContext(app, key);
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new GithubDeployConfigError(`-c ${key}=${value} names nothing`);
  return items;
}
