import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import type { StageConfig } from '../../config/schema.js';
import { loadStageConfig } from '../../config/stages.js';
import type { BatchLauncherStack } from '../../infra/batch-launcher-stack.js';
import { PROJECT_ROOT } from '../../infra/constructs/bundled-function.js';
import { addLauncherStack, STAGE_CONTEXT_KEY } from '../../infra/launcher-app.js';

/**
 * Builds stacks exactly as `cdk synth` does: the same app function, the
 * feature flags of cdk.json (partition literals, validation report) and real
 * esbuild bundling (about a second per stage), so a test sees what ships.
 */

/** The context cdk.json gives the CLI: feature flags. */
export const CDK_JSON_CONTEXT: Readonly<Record<string, unknown>> = JSON.parse(
  readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8'),
).context;

/** An app as the CLI would create it for `--context stage=<stage>` (or without a stage). */
export function cliLikeApp(stage?: string): App {
  return new App({
    context: { ...CDK_JSON_CONTEXT, ...(stage === undefined ? {} : { [STAGE_CONTEXT_KEY]: stage }) },
  });
}

export interface StageStack {
  readonly app: App;
  readonly stack: BatchLauncherStack;
  readonly template: Template;
  readonly config: StageConfig;
}

const built = new Map<string, StageStack>();

/**
 * Synthesis runs cdk-nag, whose EventBridge rule reads the deprecated
 * CfnEventBusPolicy#principal; infra/app.ts quiets that notice the same way.
 */
export function quietlySynthesise<T>(synthesise: () => T): T {
  const previous = process.env.JSII_DEPRECATED;
  process.env.JSII_DEPRECATED = 'quiet';
  try {
    return synthesise();
  } finally {
    if (previous === undefined) delete process.env.JSII_DEPRECATED;
    else process.env.JSII_DEPRECATED = previous;
  }
}

/** The stack of a repository stage, built once per test file and shared by its tests. */
export function stageStack(stage: string): StageStack {
  const cached = built.get(stage);
  if (cached !== undefined) return cached;
  const app = cliLikeApp(stage);
  const stack = addLauncherStack(app);
  const template = quietlySynthesise(() => Template.fromStack(stack));
  const result = { app, stack, template, config: loadStageConfig(stage) };
  built.set(stage, result);
  return result;
}

/** The CloudFormation logical id of an L1 resource or of an L2 construct's main resource. */
export function logicalId(construct: IConstruct): string {
  const cfn = CfnElement.isCfnElement(construct) ? construct : construct.node.defaultChild;
  if (cfn === undefined || !CfnElement.isCfnElement(cfn)) {
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  }
  return Stack.of(cfn).getLogicalId(cfn);
}

/** An IAM policy statement as CloudFormation has it, `Action` always as a list. */
export interface Statement {
  readonly Effect: string;
  readonly Action: string[];
  readonly Resource?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
  readonly Principal?: unknown;
  readonly Sid?: string;
}

export function normalise(statement: Record<string, unknown>): Statement {
  const action = statement.Action;
  return { ...statement, Action: Array.isArray(action) ? action : [action] } as Statement;
}

/** Every identity-policy statement attached to a role, wherever CDK put it. */
export function roleStatements(template: Template, role: IRole): Statement[] {
  const roleId = logicalId(role);
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
    (policy.Properties.Roles as unknown[]).some(
      (ref) => JSON.stringify(ref) === JSON.stringify({ Ref: roleId }),
    ),
  );
  return policies.flatMap((policy) =>
    (policy.Properties.PolicyDocument.Statement as Record<string, unknown>[]).map(normalise),
  );
}

/** The statements of a role that allow a given action. */
export function statementsAllowing(template: Template, role: IRole, action: string): Statement[] {
  return roleStatements(template, role).filter(
    (statement) => statement.Effect === 'Allow' && statement.Action.includes(action),
  );
}

/** `{ 'Fn::GetAtt': [<logical id>, 'Arn'] }` of a construct's resource. */
export function arnOf(construct: IConstruct): unknown {
  return { 'Fn::GetAtt': [logicalId(construct), 'Arn'] };
}

/** A resource of a synthesised template, as `Template.findResources` returns it. */
type TemplateResource = ReturnType<Template['findResources']>[string];

/** The one resource of a type (matching `props`), with its logical id; fails unless there is exactly one. */
export function onlyResource(
  template: Template,
  type: string,
  props?: Record<string, unknown>,
): { id: string; Properties: TemplateResource['Properties'] } {
  const found = Object.entries(
    template.findResources(type, props === undefined ? undefined : { Properties: props }),
  );
  const [first] = found;
  if (found.length !== 1 || first === undefined) {
    throw new Error(`expected exactly one ${type} matching ${JSON.stringify(props)}, found ${found.length}`);
  }
  return { id: first[0], Properties: first[1].Properties };
}
