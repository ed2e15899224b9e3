/**
 * ARNs and short names of ECS resources. ECS accepts a cluster, a task or a task definition by
 * short name or by ARN, and always answers with ARNs; the sandbox does the same so that code
 * written against it also works against ECS.
 */
export interface EcsLocation {
  readonly region: string;
  readonly accountId: string;
}

/** The cluster ECS uses when a request names none. */
export const DEFAULT_CLUSTER = 'default';

function arnPrefix({ region, accountId }: EcsLocation): string {
  return `arn:aws:ecs:${region}:${accountId}`;
}

export function clusterArn(location: EcsLocation, clusterName: string): string {
  return `${arnPrefix(location)}:cluster/${clusterName}`;
}

/** New-format task ARN: `...:task/<cluster>/<id>`. */
export function taskArn(location: EcsLocation, clusterName: string, taskId: string): string {
  return `${arnPrefix(location)}:task/${clusterName}/${taskId}`;
}

export function containerArn(
  location: EcsLocation,
  clusterName: string,
  taskId: string,
  containerId: string,
): string {
  return `${arnPrefix(location)}:container/${clusterName}/${taskId}/${containerId}`;
}

export function taskDefinitionArn(location: EcsLocation, family: string, revision: number): string {
  return `${arnPrefix(location)}:task-definition/${family}:${revision}`;
}

export function containerInstanceArn(location: EcsLocation, clusterName: string, instanceId: string): string {
  return `${arnPrefix(location)}:container-instance/${clusterName}/${instanceId}`;
}

/** The cluster name of `cluster` (a short name or an ARN), `default` when absent. */
export function clusterNameOf(cluster: string | undefined): string {
  if (cluster === undefined || cluster === '') {
    return DEFAULT_CLUSTER;
  }
  const match = /^arn:aws[\w-]*:ecs:[^:]*:[^:]*:cluster\/(.+)$/.exec(cluster);
  return match?.[1] ?? cluster;
}

/** The task id of `task` (an id or an ARN, old or new format). */
export function taskIdOf(task: string): string {
  const slash = task.lastIndexOf('/');
  return task.startsWith('arn:') && slash >= 0 ? task.slice(slash + 1) : task;
}

/**
 * The family and revision of `taskDefinition` (`family`, `family:revision` or an ARN). The
 * sandbox has no task definition registry: a bare family means revision 1.
 */
export function parseTaskDefinition(
  taskDefinition: string,
): { family: string; revision: number } | undefined {
  const name = taskDefinition.startsWith('arn:')
    ? /^arn:aws[\w-]*:ecs:[^:]*:[^:]*:task-definition\/(.+)$/.exec(taskDefinition)?.[1]
    : taskDefinition;
  const match = /^([A-Za-z0-9_-]{1,255})(?::(\d+))?$/.exec(name ?? '');
  if (match === null) {
    return undefined;
  }
  const [, family, revision] = match;
  return { family: family as string, revision: revision === undefined ? 1 : Number(revision) };
}
