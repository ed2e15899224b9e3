import { ArnFormat, Stack } from 'aws-cdk-lib';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { BatchType } from '../../config/schema.js';
import { ConstructPropsError } from '../errors.js';

export interface BatchCatalogProps {
  /** The stage's batch catalog: the only clusters, families and roles the launcher may use. */
  readonly batchTypes: readonly BatchType[];
}

/**
 * The ECS side of the batch catalog, referenced rather than created: the
 * clusters, task definition families and roles live in the batch account and
 * are managed by the batch apps' own pipelines. This construct turns their names
 * into ARNs and grants exactly what launching them needs (DESIGN "Security").
 */
export class BatchCatalog extends Construct {
  /** `arn:…:cluster/<name>` of every catalog cluster. */
  public readonly clusterArns: readonly string[];
  /** `arn:…:task-definition/<family>:*`: any revision of a catalog family. */
  public readonly taskDefinitionArns: readonly string[];
  /** `arn:…:task/<cluster>/*`: tasks started in a catalog cluster (what RunTask tags). */
  public readonly taskArns: readonly string[];
  /** The task roles and execution roles the catalog's task definitions name. */
  public readonly taskRoleArns: readonly string[];

  constructor(scope: Construct, id: string, props: BatchCatalogProps) {
    super(scope, id);
    if (props.batchTypes.length === 0) {
      throw new ConstructPropsError(
        `BatchCatalog ${this.node.path}`,
        'batchTypes is empty: the catalog needs at least one batch type (config/stages/<stage>.ts)',
      );
    }
    const stack = Stack.of(this);
    const ecs = (resource: string, resourceName: string) =>
      stack.formatArn({ service: 'ecs', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const role = (name: string) =>
      stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: name });
    const unique = (values: string[]) => [...new Set(values)].sort();

    const clusters = unique(props.batchTypes.map((type) => type.cluster));
    this.clusterArns = clusters.map((cluster) => ecs('cluster', cluster));
    this.taskArns = clusters.map((cluster) => ecs('task', `${cluster}/*`));
    this.taskDefinitionArns = unique(props.batchTypes.map((type) => type.taskDefinitionFamily)).map(
      (family) => ecs('task-definition', `${family}:*`),
    );
    this.taskRoleArns = unique(
      props.batchTypes.flatMap((type) => [type.taskRoleName, type.executionRoleName]),
    ).map(role);
  }

  /** RunTask on the catalog's task definition families, and only in the catalog's clusters. */
  public grantRunTask(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['ecs:RunTask'],
      resourceArns: [...this.taskDefinitionArns],
      conditions: { ArnEquals: { 'ecs:cluster': [...this.clusterArns] } },
    });
  }

  /** Passing the catalog's task and execution roles, to ECS tasks only. */
  public grantPassTaskRoles(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['iam:PassRole'],
      resourceArns: [...this.taskRoleArns],
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    });
  }

  /** Tagging tasks as RunTask starts them (batch type, request id, trace id), and nothing else. */
  public grantTagTasks(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['ecs:TagResource'],
      resourceArns: [...this.taskArns],
      conditions: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
    });
  }
}
