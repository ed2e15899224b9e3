import type { ContainerOverride, RunTaskCommandInput, Tag } from '@aws-sdk/client-ecs';
import { clusterNameOf, parseTaskDefinition } from './ecs-arn.js';
import { InvalidParameterError } from './errors.js';

/** A RunTask request the sandbox has checked, reduced to what it needs to launch it. */
export interface RunTaskRequest {
  readonly clusterName: string;
  readonly family: string;
  readonly revision: number;
  readonly count: number;
  /** The one container override the sandbox runs, if the request has one. */
  readonly containerOverride: ContainerOverride | undefined;
  readonly tags: readonly Tag[];
  /** Canonical JSON of the request without its `clientToken`: equal for a genuine retry. */
  readonly fingerprint: string;
}

/** ECS limits that a RunTask call must respect (RunTask API reference). */
export const RUN_TASK_LIMITS = {
  maxCount: 10,
  maxTags: 50,
  maxOverridesLength: 8192,
  maxStartedByLength: 128,
  maxGroupLength: 255,
  maxClientTokenLength: 64,
} as const;

const LAUNCH_TYPES = new Set(['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES']);
const FARGATE_PROVIDERS = new Set(['FARGATE', 'FARGATE_SPOT']);
// Tag keys and values: letters, digits, spaces and + - = . _ : / @ (ECS "Tagging your resources").
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/**
 * Checks a RunTask request the way ECS does before launching anything, so that a catalog entry
 * or a launcher change that AWS would refuse is refused locally too, with
 * `InvalidParameterException` (a permanent failure for the launcher).
 *
 * @throws InvalidParameterError
 */
export function parseRunTaskRequest(input: RunTaskCommandInput): RunTaskRequest {
  const { taskDefinition } = input;
  if (typeof taskDefinition !== 'string' || taskDefinition === '') {
    throw new InvalidParameterError('TaskDefinition can not be blank.');
  }
  const definition = parseTaskDefinition(taskDefinition);
  if (definition === undefined) {
    throw new InvalidParameterError(
      `Invalid task definition "${taskDefinition}": expected family, family:revision or an ARN.`,
    );
  }
  const count = input.count ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > RUN_TASK_LIMITS.maxCount) {
    throw new InvalidParameterError(
      `Count value must be between 1 and ${RUN_TASK_LIMITS.maxCount} (got ${count}).`,
    );
  }
  checkLaunch(input);
  checkStartedByAndGroup(input);
  const tags = checkTags(input.tags);
  checkClientToken(input.clientToken);
  const containerOverride = checkOverrides(input);
  const { clientToken: _clientToken, ...parameters } = input;
  return {
    clusterName: clusterNameOf(input.cluster),
    family: definition.family,
    revision: definition.revision,
    count,
    containerOverride,
    tags,
    fingerprint: canonicalJson(parameters),
  };
}

function checkLaunch(input: RunTaskCommandInput): void {
  const strategy = input.capacityProviderStrategy;
  if (input.launchType !== undefined && strategy !== undefined) {
    throw new InvalidParameterError(
      'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.',
    );
  }
  if (input.launchType !== undefined && !LAUNCH_TYPES.has(input.launchType)) {
    throw new InvalidParameterError(`Unknown launch type "${input.launchType}".`);
  }
  if (strategy !== undefined) {
    if (strategy.length === 0 || strategy.length > 20) {
      throw new InvalidParameterError(
        'A capacity provider strategy must list between 1 and 20 capacity providers.',
      );
    }
    for (const item of strategy) {
      if (typeof item.capacityProvider !== 'string' || item.capacityProvider === '') {
        throw new InvalidParameterError('Every capacity provider strategy item needs a capacityProvider.');
      }
      if (item.weight !== undefined && (item.weight < 0 || item.weight > 1000)) {
        throw new InvalidParameterError('A capacity provider weight must be between 0 and 1000.');
      }
      if (item.base !== undefined && (item.base < 0 || item.base > 100000)) {
        throw new InvalidParameterError('A capacity provider base must be between 0 and 100000.');
      }
    }
  }
  const fargate =
    input.launchType === 'FARGATE' ||
    (strategy ?? []).some((item) => FARGATE_PROVIDERS.has(item.capacityProvider ?? ''));
  const subnets = input.networkConfiguration?.awsvpcConfiguration?.subnets ?? [];
  if (fargate && subnets.length === 0) {
    // Fargate tasks always use the awsvpc network mode.
    throw new InvalidParameterError(
      "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
    );
  }
  if (
    subnets.length > 16 ||
    (input.networkConfiguration?.awsvpcConfiguration?.securityGroups ?? []).length > 5
  ) {
    throw new InvalidParameterError('awsvpcConfiguration allows at most 16 subnets and 5 security groups.');
  }
}

function checkStartedByAndGroup(input: RunTaskCommandInput): void {
  const { startedBy, group } = input;
  if (
    startedBy !== undefined &&
    (startedBy.length > RUN_TASK_LIMITS.maxStartedByLength || !/^[A-Za-z0-9_\-/]*$/.test(startedBy))
  ) {
    throw new InvalidParameterError(
      `startedBy allows up to ${RUN_TASK_LIMITS.maxStartedByLength} letters, numbers, hyphens, forward slashes and underscores.`,
    );
  }
  if (group !== undefined && group.length > RUN_TASK_LIMITS.maxGroupLength) {
    throw new InvalidParameterError(`group allows up to ${RUN_TASK_LIMITS.maxGroupLength} characters.`);
  }
}

function checkTags(tags: readonly Tag[] | undefined): Tag[] {
  const list = [...(tags ?? [])];
  if (list.length > RUN_TASK_LIMITS.maxTags) {
    throw new InvalidParameterError(
      `A task can have at most ${RUN_TASK_LIMITS.maxTags} tags (got ${list.length}).`,
    );
  }
  for (const { key, value = '' } of list) {
    if (typeof key !== 'string' || key.length === 0 || key.length > 128 || !TAG_CHARACTERS.test(key)) {
      throw new InvalidParameterError(
        `Invalid tag key "${String(key)}": 1-128 letters, digits, spaces and + - = . _ : / @.`,
      );
    }
    if (key.toLowerCase().startsWith('aws:')) {
      throw new InvalidParameterError(`Tag key "${key}" uses the reserved prefix "aws:".`);
    }
    if (typeof value !== 'string' || value.length > 256 || !TAG_CHARACTERS.test(value)) {
      throw new InvalidParameterError(
        `Invalid value for tag "${key}": up to 256 letters, digits, spaces and + - = . _ : / @.`,
      );
    }
  }
  return list;
}

function checkClientToken(clientToken: string | undefined): void {
  if (clientToken === undefined) {
    return;
  }
  const printableAscii = /^[\x21-\x7e]+$/;
  if (clientToken.length > RUN_TASK_LIMITS.maxClientTokenLength || !printableAscii.test(clientToken)) {
    throw new InvalidParameterError(
      `clientToken must be 1 to ${RUN_TASK_LIMITS.maxClientTokenLength} ASCII characters in the range 33-126.`,
    );
  }
}

function checkOverrides(input: RunTaskCommandInput): ContainerOverride | undefined {
  if (input.overrides === undefined) {
    return undefined;
  }
  const length = JSON.stringify(input.overrides).length;
  if (length > RUN_TASK_LIMITS.maxOverridesLength) {
    throw new InvalidParameterError(
      `Container Overrides length must be at most ${RUN_TASK_LIMITS.maxOverridesLength} (got ${length}).`,
    );
  }
  const containerOverrides = input.overrides.containerOverrides ?? [];
  if (containerOverrides.length > 1) {
    throw new InvalidParameterError(
      'The local ECS sandbox runs single-container task definitions: give at most one container override.',
    );
  }
  return containerOverrides[0];
}

/** JSON with object keys sorted, so that two equal requests always compare equal. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, nested: unknown) =>
    typeof nested === 'object' && nested !== null && !Array.isArray(nested)
      ? Object.fromEntries(Object.entries(nested).sort(([left], [right]) => left.localeCompare(right)))
      : nested,
  );
}
