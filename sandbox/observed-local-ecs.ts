import type { RunTaskCommandInput, RunTaskResponse } from '@aws-sdk/client-ecs';
import { EcsApiError, EcsErrorType } from './ecs/errors.js';
import { LocalEcs, type LocalEcsOptions } from './ecs/local-ecs.js';

/** One RunTask call and how the local ECS answered it. */
export type RunTaskAnswer =
  | { readonly kind: 'started'; readonly input: RunTaskCommandInput; readonly output: RunTaskResponse }
  /** A repeat of a clientToken: ECS answered the tasks it started the first time. */
  | { readonly kind: 'repeated'; readonly input: RunTaskCommandInput; readonly output: RunTaskResponse }
  /** HTTP 200 with `failures[]` and no task: ECS could not place it. */
  | { readonly kind: 'unplaced'; readonly input: RunTaskCommandInput; readonly output: RunTaskResponse }
  | { readonly kind: 'throttled'; readonly input: RunTaskCommandInput; readonly error: EcsApiError }
  | { readonly kind: 'refused'; readonly input: RunTaskCommandInput; readonly error: unknown };

export interface RunTaskStats {
  readonly calls: number;
  readonly started: number;
  readonly repeated: number;
  readonly unplaced: number;
  readonly throttled: number;
  readonly refused: number;
}

export interface ObservedLocalEcsOptions extends LocalEcsOptions {
  /** Called with every RunTask answer, before the caller gets it. */
  readonly onRunTask?: (answer: RunTaskAnswer) => void;
}

/**
 * The local ECS, with every RunTask answer reported and counted: throttling and `failures[]` are
 * what makes the launcher retry, and they happen inside ECS, where neither the bus nor the poller
 * can see them.
 */
export class ObservedLocalEcs extends LocalEcs {
  readonly #onRunTask: ObservedLocalEcsOptions['onRunTask'];
  readonly #answeredTasks = new Set<string>();
  #stats = { calls: 0, started: 0, repeated: 0, unplaced: 0, throttled: 0, refused: 0 };

  constructor(options: ObservedLocalEcsOptions) {
    super(options);
    this.#onRunTask = options.onRunTask;
  }

  get runTaskStats(): RunTaskStats {
    return { ...this.#stats };
  }

  override async runTask(input: RunTaskCommandInput): Promise<RunTaskResponse> {
    this.#stats.calls += 1;
    let answer: RunTaskAnswer;
    try {
      const output = await super.runTask(input);
      const arns = (output.tasks ?? []).map((task) => task.taskArn ?? '');
      if (arns.length === 0) {
        answer = { kind: 'unplaced', input, output };
      } else if (arns.every((arn) => this.#answeredTasks.has(arn))) {
        answer = { kind: 'repeated', input, output };
      } else {
        answer = { kind: 'started', input, output };
      }
      for (const arn of arns) this.#answeredTasks.add(arn);
      this.#report(answer);
      return output;
    } catch (error) {
      answer =
        error instanceof EcsApiError && error.errorType === EcsErrorType.Throttling
          ? { kind: 'throttled', input, error }
          : { kind: 'refused', input, error };
      this.#report(answer);
      throw error;
    }
  }

  #report(answer: RunTaskAnswer): void {
    this.#stats[answer.kind] += 1;
    this.#onRunTask?.(answer);
  }
}
