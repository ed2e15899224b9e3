import { DescribeTasksCommand, type ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';

/** The prefix of `startedBy` the launcher writes before the request key. */
const STARTED_BY_PREFIX = 'batch-launcher/';
const DESCRIBE_LIMIT = 100;

/** A task the local ECS started, as DescribeTasks shows it. */
export interface LaunchedTask {
  readonly taskArn: string;
  /** The requestId (or message id) the launcher launched it for, from `startedBy`. */
  readonly requestKey: string;
  /** When RunTask created it (epoch ms), as the local ECS recorded it. */
  readonly createdAt: number;
  readonly lastStatus: string;
  readonly exitCode: number | undefined;
}

/**
 * Every task of the clusters, running or stopped, read through the ECS API as an operator
 * would: ListTasks for both desired statuses, page by page, then DescribeTasks 100 at a time.
 */
export async function listLaunchedTasks(
  ecs: ECSClient,
  clusters: readonly string[],
): Promise<LaunchedTask[]> {
  const tasks: LaunchedTask[] = [];
  for (const cluster of clusters) {
    const arns: string[] = [];
    for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
      let nextToken: string | undefined;
      do {
        const page = await ecs.send(
          new ListTasksCommand({ cluster, desiredStatus, maxResults: 100, nextToken }),
        );
        arns.push(...(page.taskArns ?? []));
        nextToken = page.nextToken;
      } while (nextToken !== undefined);
    }
    // A task can change desired status between the two listings.
    const unique = [...new Set(arns)];
    for (let from = 0; from < unique.length; from += DESCRIBE_LIMIT) {
      const described = await ecs.send(
        new DescribeTasksCommand({ cluster, tasks: unique.slice(from, from + DESCRIBE_LIMIT) }),
      );
      for (const task of described.tasks ?? []) {
        tasks.push({
          taskArn: task.taskArn ?? '',
          requestKey: (task.startedBy ?? '').startsWith(STARTED_BY_PREFIX)
            ? (task.startedBy ?? '').slice(STARTED_BY_PREFIX.length)
            : '',
          createdAt: task.createdAt?.getTime() ?? Number.NaN,
          lastStatus: task.lastStatus ?? '',
          exitCode: task.containers?.[0]?.exitCode,
        });
      }
    }
  }
  return tasks;
}

/** Tasks by request key. */
export function tasksByRequest(tasks: readonly LaunchedTask[]): Map<string, LaunchedTask[]> {
  const byKey = new Map<string, LaunchedTask[]>();
  for (const task of tasks) {
    const list = byKey.get(task.requestKey);
    if (list === undefined) byKey.set(task.requestKey, [task]);
    else list.push(task);
  }
  return byKey;
}
