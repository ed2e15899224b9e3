import {
  ArnFormat,
  BOOTSTRAP_QUALIFIER_CONTEXT,
  CfnOutput,
  DefaultStackSynthesizer,
  Duration,
  Stack,
  type StackProps,
  Token,
} from 'aws-cdk-lib';
import {
  type IOidcProvider,
  OidcProviderNative,
  OpenIdConnectPrincipal,
  PolicyStatement,
  Role,
} from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { ConstructPropsError } from '../errors.js';

/** GitHub Actions' OIDC issuer and the audience `aws-actions/configure-aws-credentials` asks for. */
export const GITHUB_OIDC = {
  url: 'https://token.actions.githubusercontent.com',
  /** The issuer without scheme: the prefix of its IAM condition keys (`…:aud`, `…:sub`). */
  host: 'token.actions.githubusercontent.com',
  audience: 'sts.amazonaws.com',
} as const;

/** `cdk bootstrap`'s qualifier unless `--qualifier` was given. */
export const DEFAULT_BOOTSTRAP_QUALIFIER = 'hnb659fds';

/**
 * The bootstrap roles the CDK v2 CLI assumes: `cdk-<qualifier>-<kind>-role-<account>-<region>`.
 * Not `cfn-exec`: only CloudFormation may assume it, and it is what holds the real deploy rights.
 */
export const CdkBootstrapRole = {
  Deploy: 'deploy',
  FilePublishing: 'file-publishing',
  ImagePublishing: 'image-publishing',
  Lookup: 'lookup',
} as const;
export type CdkBootstrapRole = (typeof CdkBootstrapRole)[keyof typeof CdkBootstrapRole];

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;
const ENVIRONMENT = /^[A-Za-z0-9._-]{1,255}$/;
const BRANCH = /^[A-Za-z0-9._-][A-Za-z0-9._/-]{0,254}$/;
/** The bootstrap template's own AllowedPattern for Qualifier. */
const QUALIFIER = /^[A-Za-z0-9_-]{1,10}$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const GITHUB_PROVIDER_ARN =
  /^arn:aws[a-z-]*:iam::(\d{12}):oidc-provider\/token\.actions\.githubusercontent\.com$/;

export interface GithubDeployStackProps extends StackProps {
  /** The GitHub user or organisation that owns the repository (`acme` in `acme/ecs-batch-launcher`). */
  readonly owner: string;
  /** The repository name (`ecs-batch-launcher`). */
  readonly repo: string;
  /**
   * GitHub environments whose jobs may deploy (deploy.yml's `environment:`). Their
   * deployment-branch rule must allow only `branch`: the token of an environment
   * job names the environment, not the branch.
   * @default - none: the deploy role trusts jobs of `branch` instead
   */
  readonly environments?: readonly string[];
  /**
   * The branch that deploys when no environment is given.
   * @default 'main'
   */
  readonly branch?: string;
  /**
   * The CDK bootstrap qualifier of the target account (`cdk bootstrap --qualifier`).
   * Given here, it is also the qualifier this stack deploys with.
   * @default - context `@aws-cdk/core:bootstrapQualifier` (the key every CDK app reads), else 'hnb659fds'
   */
  readonly qualifier?: string;
  /**
   * The account's existing GitHub OIDC provider: IAM allows one provider per URL
   * and account, so a second stack (or another repository's) must reuse it.
   * @default - the stack creates the provider
   */
  readonly oidcProviderArn?: string;
  /**
   * Regions the stacks deploy to, i.e. where the account is bootstrapped.
   * @default - this stack's region
   */
  readonly regions?: readonly string[];
}

/**
 * What GitHub Actions needs to deploy ecs-batch-launcher into one account without
 * long-lived keys: the GitHub OIDC provider, a deploy role only the repository's
 * deploy environments can assume, and a read-only diff role for pull requests.
 * Neither role can touch a resource itself: both may only assume CDK bootstrap
 * roles, which is how CDK v2 deploys (the deploy role: deploy, publishing and
 * lookup; the diff role: lookup, i.e. ReadOnlyAccess without KMS decryption).
 */
export class GithubDeployStack extends Stack {
  public readonly provider: IOidcProvider;
  public readonly deployRole: Role;
  public readonly diffRole: Role;
  /** The `sub` claims the deploy role accepts. */
  public readonly deploySubjects: readonly string[];
  /** The `sub` claim the diff role accepts: pull requests of the repository. */
  public readonly diffSubject: string;

  constructor(scope: Construct, id: string, props: GithubDeployStackProps) {
    super(scope, id, {
      ...props,
      // The roles must name the bootstrap roles this stack itself deploys through.
      synthesizer:
        props.synthesizer ??
        (props.qualifier === undefined
          ? undefined
          : new DefaultStackSynthesizer({ qualifier: props.qualifier })),
    });
    const fail = (message: string) => new ConstructPropsError(`GithubDeployStack ${this.node.path}`, message);
    const { owner, repo } = props;
    const branch = props.branch ?? 'main';
    const qualifierContext: unknown = this.node.tryGetContext(BOOTSTRAP_QUALIFIER_CONTEXT);
    const qualifier =
      props.qualifier ??
      (typeof qualifierContext === 'string' ? qualifierContext : DEFAULT_BOOTSTRAP_QUALIFIER);
    const environments = [...new Set(props.environments ?? [])];
    const regions = [...new Set(props.regions ?? [this.region])];

    if (!OWNER.test(owner)) {
      throw fail(
        `owner "${owner}" is not a GitHub user or organisation name: letters, digits and single hyphens, at most 39`,
      );
    }
    if (!REPO.test(repo) || repo === '.' || repo === '..') {
      throw fail(
        `repo "${repo}" is not a repository name: letters, digits, ".", "_" or "-", without the owner`,
      );
    }
    if (!BRANCH.test(branch) || branch.includes('..')) {
      throw fail(
        `branch "${branch}" is not a plain branch name: letters, digits, ".", "_", "-" and "/" (no wildcards)`,
      );
    }
    const badEnvironment = environments.find((name) => !ENVIRONMENT.test(name));
    if (badEnvironment !== undefined) {
      throw fail(`environment "${badEnvironment}" cannot be trusted: use letters, digits, ".", "_" or "-"`);
    }
    if (!QUALIFIER.test(qualifier)) {
      throw fail(
        `qualifier "${qualifier}" is not a CDK bootstrap qualifier: 1-10 of letters, digits, "_", "-"`,
      );
    }
    const badRegion = regions.find((region) => !Token.isUnresolved(region) && !REGION.test(region));
    if (regions.length === 0 || badRegion !== undefined) {
      throw fail(`regions ${JSON.stringify(props.regions)}: name the regions the account is bootstrapped in`);
    }
    if (props.oidcProviderArn !== undefined) {
      const account = GITHUB_PROVIDER_ARN.exec(props.oidcProviderArn)?.[1];
      if (account === undefined) {
        throw fail(
          `oidcProviderArn "${props.oidcProviderArn}" is not a GitHub Actions provider: ` +
            `expected arn:aws:iam::<account>:oidc-provider/${GITHUB_OIDC.host}`,
        );
      }
      if (!Token.isUnresolved(this.account) && account !== this.account) {
        throw fail(
          `oidcProviderArn is in account ${account}, this stack deploys to ${this.account}: ` +
            "a role can only trust its own account's provider",
        );
      }
    }

    this.provider =
      props.oidcProviderArn === undefined
        ? new OidcProviderNative(this, 'GithubOidcProvider', {
            url: GITHUB_OIDC.url,
            clientIds: [GITHUB_OIDC.audience],
          })
        : OidcProviderNative.fromOidcProviderArn(this, 'GithubOidcProvider', props.oidcProviderArn);

    const repository = `repo:${owner}/${repo}`;
    this.deploySubjects =
      environments.length > 0
        ? environments.map((environment) => `${repository}:environment:${environment}`)
        : [`${repository}:ref:refs/heads/${branch}`];
    this.diffSubject = `${repository}:pull_request`;

    this.deployRole = new Role(this, 'DeployRole', {
      description: `GitHub Actions deploys of ${owner}/${repo} (${this.deploySubjects.join(', ')}) through CDK bootstrap roles`,
      assumedBy: this.githubPrincipal(this.deploySubjects),
      maxSessionDuration: Duration.hours(1),
    });
    this.allowAssuming(this.deployRole, qualifier, regions, Object.values(CdkBootstrapRole));

    this.diffRole = new Role(this, 'DiffRole', {
      description: `cdk diff for pull requests of ${owner}/${repo}: may only assume the CDK lookup role (read-only)`,
      assumedBy: this.githubPrincipal([this.diffSubject]),
      maxSessionDuration: Duration.hours(1),
    });
    this.allowAssuming(this.diffRole, qualifier, regions, [CdkBootstrapRole.Lookup]);

    const deployVariable =
      environments.length > 0
        ? `variable AWS_DEPLOY_ROLE_ARN of GitHub environment(s) ${environments.join(', ')}`
        : 'repository variable AWS_DEPLOY_ROLE_ARN';
    new CfnOutput(this, 'DeployRoleArn', {
      value: this.deployRole.roleArn,
      description: `Set as the ${deployVariable}`,
    });
    new CfnOutput(this, 'DiffRoleArn', {
      value: this.diffRole.roleArn,
      description: 'Set as the repository variable AWS_DIFF_ROLE_ARN_<STAGE> of each stage in this account',
    });
    new CfnOutput(this, 'GithubOidcProviderArn', {
      value: this.provider.oidcProviderArn,
      description: 'Reuse with -c oidcProviderArn=… when another stack or repository needs it',
    });
  }

  /**
   * Web identity from GitHub's provider for the given `sub` claims only. StringEquals,
   * not StringLike: no subject needs a wildcard, so none can be widened by one.
   */
  private githubPrincipal(subjects: readonly string[]): OpenIdConnectPrincipal {
    return new OpenIdConnectPrincipal(this.provider, {
      StringEquals: {
        [`${GITHUB_OIDC.host}:aud`]: GITHUB_OIDC.audience,
        [`${GITHUB_OIDC.host}:sub`]: [...subjects],
      },
    });
  }

  /** Lets `role` assume the named bootstrap roles of this account, by exact ARN, in each region. */
  private allowAssuming(
    role: Role,
    qualifier: string,
    regions: readonly string[],
    kinds: readonly CdkBootstrapRole[],
  ): void {
    role.addToPolicy(
      new PolicyStatement({
        sid: 'AssumeCdkBootstrapRoles',
        actions: ['sts:AssumeRole'],
        resources: regions.flatMap((region) =>
          kinds.map((kind) =>
            this.formatArn({
              service: 'iam',
              region: '',
              resource: 'role',
              resourceName: `cdk-${qualifier}-${kind}-role-${this.account}-${region}`,
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            }),
          ),
        ),
      }),
    );
  }
}
