import { createHash } from 'node:crypto';
import type { KeyValuePair, RunTaskCommandInput, Tag, TaskOverride } from '@aws-sdk/client-ecs';
import { ErrorCode, PermanentLaunchError } from './errors.js';
import type { LaunchRequest } from './launch-request.js';

/** ECS rejects a RunTask whose `overrides` JSON exceeds 8,192 characters. */
export const MAX_OVERRIDES_LENGTH = 8192;
export const STARTED_BY_PREFIX = 'batch-launcher/';

export const TAG_KEYS = {
  batchType: 'batch-launcher:batch-type',
  batchTypeId: 'batch-launcher:batch-type-id',
  requestId: 'batch-launcher:request-id',
  traceId: 'batch-launcher:trace-id',
} as const;

/**
 * ECS `clientToken` (≤ 64 ASCII characters): the same request always maps to
 * the same token, so a repeated RunTask returns the original task instead of a
 * second one for as long as ECS remembers it.
 */
export function clientTokenFor(batchTypeId: number, requestKey: string): string {
  return createHash('sha256').update(`${batchTypeId}:${requestKey}`).digest('hex');
}

/** Tag values allow letters, digits, spaces and `+ - = . _ : / @`; anything else becomes `_`. */
function tagValue(value: string): string {
  return value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').slice(0, 256);
}

function environmentOf(request: LaunchRequest): KeyValuePair[] {
  const statics = Object.entries(request.batchType.environment)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => ({ name, value }));
  const fromEvent: KeyValuePair[] = [
    { name: 'TRACE_ID', value: request.traceId },
    { name: 'BATCH_TYPE_ID', value: String(request.batchType.batchTypeId) },
    { name: 'BATCH_REQUEST_ID', value: request.requestKey },
  ];
  if (request.parameters !== undefined)
    fromEvent.push({ name: 'BATCH_PARAMETERS', value: request.parameters });
  return [...statics, ...fromEvent];
}

/**
 * The RunTask input for one request. Cluster, task definition, launch type and
 * network come from the catalog only; the event contributes nothing but the four
 * environment variables, so it can never change the command or set another variable.
 *
 * @throws PermanentLaunchError `OverridesTooLarge` before ECS would reject it.
 */
export function runTaskInput(request: LaunchRequest): RunTaskCommandInput {
  const type = request.batchType;
  const overrides: TaskOverride = {
    containerOverrides: [
      { name: type.containerName, command: [...type.command], environment: environmentOf(request) },
    ],
  };
  const overridesLength = JSON.stringify(overrides).length;
  if (overridesLength > MAX_OVERRIDES_LENGTH) {
    throw new PermanentLaunchError(
      ErrorCode.OverridesTooLarge,
      `task overrides are ${overridesLength} characters, ECS accepts at most ${MAX_OVERRIDES_LENGTH}; ` +
        `BATCH_PARAMETERS is ${request.parameters?.length ?? 0} characters: pass a reference (an S3 key, a row id) instead of the data`,
    );
  }
  const tags: Tag[] = [
    { key: TAG_KEYS.batchType, value: type.name },
    { key: TAG_KEYS.batchTypeId, value: String(type.batchTypeId) },
    { key: TAG_KEYS.requestId, value: request.requestKey },
    { key: TAG_KEYS.traceId, value: tagValue(request.traceId) },
  ];
  const launch =
    'launchType' in type.launch
      ? { launchType: type.launch.launchType }
      : { capacityProviderStrategy: type.launch.capacityProviderStrategy.map((s) => ({ ...s })) };
  return {
    cluster: type.cluster,
    taskDefinition:
      type.taskDefinitionRevision === undefined
        ? type.taskDefinitionFamily
        : `${type.taskDefinitionFamily}:${type.taskDefinitionRevision}`,
    count: 1,
    ...launch,
    ...(type.platformVersion === undefined ? {} : { platformVersion: type.platformVersion }),
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: [...type.network.subnets],
        securityGroups: [...type.network.securityGroups],
        assignPublicIp: type.network.assignPublicIp ? 'ENABLED' : 'DISABLED',
      },
    },
    overrides,
    startedBy: `${STARTED_BY_PREFIX}${request.requestKey}`,
    clientToken: clientTokenFor(type.batchTypeId, request.requestKey),
    tags,
    enableECSManagedTags: true,
  };
}
