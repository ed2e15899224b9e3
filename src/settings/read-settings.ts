import { z } from 'zod';

/** Raised at cold start when a function's environment is incomplete: the function refuses to start. */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

/**
 * Reads and validates a function's settings from its environment once, at cold
 * start, so a deploy with a missing or wrong variable fails on its first
 * invocation with a message that names the variable, instead of deep in a request.
 */
export function readSettings<S extends z.ZodRawShape>(
  functionName: string,
  shape: S,
  env: NodeJS.ProcessEnv = process.env,
): z.output<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `  - ${issue.path.join('.')}: ${issue.message}`)
    .join('\n');
  throw new SettingsError(
    `${functionName} cannot start: its environment is incomplete or invalid:\n${problems}\n` +
      'These variables are set by the CDK stack (infra/) and, locally, by `npm start`.',
  );
}

/** The variables `launch-batch` reads (listed in the README). */
export const launchBatchSettings = {
  STAGE: z.string().min(1, 'the stage name, e.g. dev'),
  DLQ_URL: z.url('the FIFO DLQ URL'),
  SOURCE_QUEUE_URL: z.url('the FIFO queue URL'),
  IDEMPOTENCY_TABLE: z.string().min(3, 'the idempotency table name'),
  LIFECYCLE_TABLE: z.string().min(3, 'the lifecycle table name'),
};
