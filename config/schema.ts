import { z } from 'zod';

/**
 * The typed shape of a stage: where the stack goes, who may publish, and the
 * batch catalog. Validated at synth time and again at the Lambda's cold start,
 * so a typo fails loudly before anything is deployed or launched.
 */

/** Environment variable names the launcher owns; the catalog may not set them. */
export const RESERVED_ENVIRONMENT = [
  'TRACE_ID',
  'BATCH_TYPE_ID',
  'BATCH_REQUEST_ID',
  'BATCH_PARAMETERS',
] as const;

const accountId = z.string().regex(/^\d{12}$/, 'an AWS account id: exactly 12 digits');
const region = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'an AWS region such as eu-west-1');
/** ECS cluster, task definition family, container and IAM role names share these rules. */
const resourceName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,255}$/, 'a name of 1-255 letters, digits, hyphens or underscores');
const roleName = z
  .string()
  .regex(/^[\w+=,.@-]{1,64}$/, 'an IAM role name (1-64 of letters, digits, +=,.@_-)');

const fargateLaunch = z.strictObject({ launchType: z.literal('FARGATE') });
const capacityProviderLaunch = z.strictObject({
  capacityProviderStrategy: z
    .array(
      z.strictObject({
        capacityProvider: resourceName,
        weight: z.number().int().min(0).max(1000).default(1),
        base: z.number().int().min(0).max(100000).default(0),
      }),
    )
    .min(1, 'at least one capacity provider')
    .max(20),
});

const network = z.strictObject({
  subnets: z
    .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'a subnet id such as subnet-0abc12345'))
    .min(1, 'at least one subnet')
    .max(16),
  securityGroups: z
    .array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'a security group id such as sg-0abc12345'))
    .max(5)
    .default([]),
  assignPublicIp: z.boolean().default(false),
});

const staticEnvironment = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'), z.string())
  .default({})
  .refine((env) => RESERVED_ENVIRONMENT.every((name) => !(name in env)), {
    message: `must not set ${RESERVED_ENVIRONMENT.join(', ')}: the launcher sets them from the event`,
  });

export const batchTypeSchema = z.strictObject({
  batchTypeId: z.number().int().min(1),
  /** Human name, used in logs, metrics and tags. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a lower-case name of letters, digits and hyphens'),
  cluster: resourceName,
  taskDefinitionFamily: resourceName,
  /** Pin a revision; the default is the family's latest ACTIVE revision. */
  taskDefinitionRevision: z.number().int().min(1).optional(),
  containerName: resourceName,
  command: z.array(z.string().min(1)).min(1, 'at least one word'),
  launch: z.union([fargateLaunch, capacityProviderLaunch]),
  platformVersion: z.string().optional(),
  network,
  environment: staticEnvironment,
  /** The roles the task definition names: the launcher may pass only these. */
  taskRoleName: roleName,
  executionRoleName: roleName,
  /** Informational cap on concurrent tasks of this type (enforced by the stage's ESM concurrency). */
  maxConcurrent: z.number().int().min(1).optional(),
});

export const stageConfigSchema = z
  .strictObject({
    stage: z.string().regex(/^[a-z][a-z0-9-]{0,15}$/, 'a short lower-case stage name'),
    /** The batch account: the stack, the queue and the ECS clusters live here. */
    account: accountId,
    region,
    monolith: z.strictObject({
      accountIds: z.array(accountId).min(1, 'at least one monolith account'),
      /** The `Source` the monolith puts on its events. */
      eventSource: z
        .string()
        .min(1)
        .max(256)
        .refine((s) => !s.startsWith('aws.'), 'must not start with "aws." (reserved by AWS)'),
    }),
    alarms: z.strictObject({
      /** E-mail subscribed to the alarm topic; omit to subscribe later (e.g. a pager integration). */
      email: z.email().optional(),
      /** Age of the oldest queued message that raises the alarm. */
      oldestMessageAgeSeconds: z.number().int().min(60).default(900),
    }),
    launcher: z.strictObject({
      /** Lambda ESM MaximumConcurrency: at most this many concurrent launch-batch invocations. */
      maxConcurrency: z.number().int().min(2).max(1000),
      /** Receives of a message before SQS moves it to the DLQ. */
      maxReceiveCount: z.number().int().min(1).max(1000),
      timeoutSeconds: z.number().int().min(5).max(900).default(30),
    }),
    retention: z.strictObject({
      dlqDays: z.number().int().min(1).max(14).default(14),
      logDays: z.number().int().min(1).default(30),
      /** How long a requestId stays "already launched". */
      idempotencyDays: z.number().int().min(1).max(365).default(7),
      lifecycleDays: z.number().int().min(1).max(3650).default(90),
    }),
    catalog: z.array(batchTypeSchema).min(1, 'at least one batch type'),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<number, number>();
    const names = new Map<string, number>();
    config.catalog.forEach((type, index) => {
      const first = seen.get(type.batchTypeId);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['catalog', index, 'batchTypeId'],
          message: `duplicate batchTypeId ${type.batchTypeId} (also at catalog[${first}]): each id routes to one batch type`,
        });
      } else {
        seen.set(type.batchTypeId, index);
      }
      const sameName = names.get(type.name);
      if (sameName !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['catalog', index, 'name'],
          message: `duplicate name "${type.name}" (also at catalog[${sameName}])`,
        });
      } else {
        names.set(type.name, index);
      }
    });
  });

/** What a stage file writes (defaults may be omitted). */
export type StageConfigInput = z.input<typeof stageConfigSchema>;
/** A validated stage, defaults filled in. */
export type StageConfig = z.output<typeof stageConfigSchema>;
export type BatchType = z.output<typeof batchTypeSchema>;
