import { z } from 'zod';
import { ConfigError } from '../../config/errors.js';
import type { StageConfig } from '../../config/schema.js';
import { loadStageConfig } from '../../config/stages.js';

/** What track-task reads from its environment, once, at cold start. */
export interface TrackTaskSettings {
  readonly config: StageConfig;
  readonly lifecycleTable: string;
  readonly eventBusName: string;
}

const STAGE = 'the stage name (dev, prod, local)';
const LIFECYCLE_TABLE = 'the lifecycle table name (3-255 of letters, digits, _ . -)';
const EVENT_BUS_NAME = 'the name or ARN of the batch-requests bus the result events go to';

const environmentSchema = z.object({
  STAGE: z.string({ error: `required: ${STAGE}` }).min(1, STAGE),
  LIFECYCLE_TABLE: z
    .string({ error: `required: ${LIFECYCLE_TABLE}` })
    .regex(/^[A-Za-z0-9_.-]{3,255}$/, LIFECYCLE_TABLE),
  EVENT_BUS_NAME: z
    .string({ error: `required: ${EVENT_BUS_NAME}` })
    .min(1, EVENT_BUS_NAME)
    .max(1600, EVENT_BUS_NAME),
});

/**
 * Validates track-task's environment and loads the stage config, so a missing or
 * wrong variable fails the cold start with a message naming it, instead of the
 * first event failing somewhere deep.
 *
 * @throws ConfigError
 */
export function trackTaskSettings(
  environment: Readonly<Record<string, string | undefined>>,
): TrackTaskSettings {
  const result = environmentSchema.safeParse(environment);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `  - ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`track-task environment is invalid (set by the stack):\n${issues.join('\n')}`);
  }
  return {
    config: loadStageConfig(result.data.STAGE),
    lifecycleTable: result.data.LIFECYCLE_TABLE,
    eventBusName: result.data.EVENT_BUS_NAME,
  };
}
