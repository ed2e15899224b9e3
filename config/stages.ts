import type { z } from 'zod';
import { ConfigError } from './errors.js';
import { type StageConfig, type StageConfigInput, stageConfigSchema } from './schema.js';
import { dev } from './stages/dev.js';
import { local } from './stages/local.js';
import { prod } from './stages/prod.js';

/** Every stage this repository knows, by name. */
export const STAGES = { dev, prod, local } as const satisfies Record<string, StageConfigInput>;
export type StageName = keyof typeof STAGES;
export const STAGE_NAMES = Object.keys(STAGES) as StageName[];

/** `catalog[1].network.subnets[0]` from zod's path array. */
function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    return out === '' ? String(key) : `${out}.${String(key)}`;
  }, '');
}

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `  - ${formatPath(issue.path) || '(root)'}: ${issue.message}`)
    .join('\n');
}

/**
 * Validates a stage's config, filling defaults. The error names the stage, every
 * failing field path and what was expected, so a bad config fails synthesis and
 * cold start with a message that says what to change.
 */
export function parseStageConfig(stageName: string, input: unknown): StageConfig {
  const result = stageConfigSchema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(
      `Stage "${stageName}" config is invalid (config/stages/${stageName}.ts):\n${formatIssues(result.error)}`,
    );
  }
  if (result.data.stage !== stageName) {
    throw new ConfigError(
      `Stage "${stageName}" config is invalid: field "stage" is "${result.data.stage}", expected "${stageName}"`,
    );
  }
  return result.data;
}

/** The validated config of a named stage; an unknown name lists the known ones. */
export function loadStageConfig(stageName: string | undefined): StageConfig {
  if (stageName === undefined || !Object.hasOwn(STAGES, stageName)) {
    throw new ConfigError(
      `Unknown stage ${JSON.stringify(stageName)}: expected one of ${STAGE_NAMES.join(', ')} (config/stages/)`,
    );
  }
  return parseStageConfig(stageName, STAGES[stageName as StageName]);
}
