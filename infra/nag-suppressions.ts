import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { BatchLauncherStack } from './batch-launcher-stack.js';
import { InfraError } from './errors.js';

/**
 * Every cdk-nag finding this app accepts, in one place so they can be reviewed
 * and counted. Each names the exact finding (IAM5 per resource, not the rule)
 * and why it is right here; anything else fails synthesis.
 */
export interface NagAcknowledgement {
  /** The construct (and everything below it) the acknowledgement applies to. */
  readonly scope: IConstruct;
  /** `AwsSolutions-<rule>` or `AwsSolutions-<rule>[<finding>]`. */
  readonly id: string;
  readonly reason: string;
}

const REASONS = {
  targetDlqIsADlq:
    'This queue is a dead-letter queue: the DeadLetterConfig of the EventBridge rule targets. cdk-nag only ' +
    'recognises DLQs named in an SQS RedrivePolicy; a DLQ of this DLQ would have no consumer.',
  runtimePinned:
    'DESIGN pins nodejs24.x: the handlers, their tests and the node devDependency run Node 24. cdk-nag takes ' +
    'the newest runtime aws-cdk-lib knows (nodejs26.x); moving is a toolchain upgrade, not a stack setting.',
  anyRevisionOfCatalogFamily:
    'Any revision of a catalog task definition family: the catalog may pin a revision, otherwise RunTask runs ' +
    "the family's latest ACTIVE one. Scoped to the catalog's families; the ecs:cluster condition limits where.",
  tasksOfCatalogCluster:
    'ECS assigns task ids at launch, so TagResource cannot name the task. Scoped to tasks of a catalog cluster ' +
    'and, by the ecs:CreateAction = RunTask condition, to tagging while RunTask creates them.',
} as const;

/** The reviewed acknowledgements of a stack: built from its catalog, so a new family needs no edit here. */
export function nagAcknowledgements(stack: BatchLauncherStack): NagAcknowledgement[] {
  const launchRole = stack.launchBatch.function.role;
  if (launchRole === undefined) {
    throw new InfraError('launch-batch has no role: the IAM5 acknowledgements have nothing to attach to');
  }
  const resourceFinding = (arn: string) => `AwsSolutions-IAM5[Resource::${literal(stack, arn)}]`;
  return [
    { scope: stack.deliveryFailures.queue, id: 'AwsSolutions-SQS3', reason: REASONS.targetDlqIsADlq },
    { scope: stack.launchBatch.function, id: 'AwsSolutions-L1', reason: REASONS.runtimePinned },
    { scope: stack.trackTask.function, id: 'AwsSolutions-L1', reason: REASONS.runtimePinned },
    ...stack.catalog.taskDefinitionArns.map((arn) => ({
      scope: launchRole,
      id: resourceFinding(arn),
      reason: REASONS.anyRevisionOfCatalogFamily,
    })),
    ...stack.catalog.taskArns.map((arn) => ({
      scope: launchRole,
      id: resourceFinding(arn),
      reason: REASONS.tasksOfCatalogCluster,
    })),
  ];
}

/** Records the acknowledgements on the constructs, where cdk-nag and the validation report read them. */
export function acknowledgeNagFindings(stack: BatchLauncherStack): void {
  for (const { scope, id, reason } of nagAcknowledgements(stack)) {
    Validations.of(scope).acknowledge({ id, reason });
  }
}

/**
 * cdk-nag names an IAM5 finding by the resolved ARN. The stack's account and
 * region are concrete and cdk.json enables partition literals, so the ARN must
 * resolve to a plain string; if it does not, the acknowledgement would silently
 * miss its finding.
 */
function literal(stack: Stack, arn: string): string {
  const resolved: unknown = Stack.of(stack).resolve(arn);
  if (typeof resolved !== 'string') {
    throw new InfraError(
      `ARN ${JSON.stringify(resolved)} does not resolve to a literal: keep "@aws-cdk/core:enablePartitionLiterals" ` +
        'on in cdk.json and the stage account and region concrete',
    );
  }
  return resolved;
}
