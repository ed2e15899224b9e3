import { z } from 'zod';

/** Raised at cold start when a function's environment is incomplete: the function refuses to start. */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

/** A required variable; its description is the error when it is missing or malformed. */
function required(description: string, refine: (value: z.ZodString) => z.ZodString = (value) => value) {
  return refine(z.string({ error: `required: ${description}` }).min(1, description));
}

const STAGE = required('the stage name (dev, prod, local)');

/** The variables `launch-batch` reads (listed in the README). */
export const launchBatchSettings = {
  STAGE,
  DLQ_URL: required('the FIFO DLQ URL', (value) => value.url('the FIFO DLQ URL')),
  SOURCE_QUEUE_URL: required('the FIFO queue URL', (value) => value.url('the FIFO queue URL')),
  IDEMPOTENCY_TABLE: required('the idempotency table name', (value) =>
    value.min(3, 'the idempotency table name'),
  ),
  LIFECYCLE_TABLE: required('the lifecycle table name', (value) => value.min(3, 'the lifecycle table name')),
};

/** The variables `track-task` reads (listed in the README). */
export const trackTaskSettings = {
  STAGE,
  LIFECYCLE_TABLE: required('the lifecycle table name (3-255 of letters, digits, _ . -)', (value) =>
    value.regex(/^[A-Za-z0-9_.-]{3,255}$/, 'the lifecycle table name (3-255 of letters, digits, _ . -)'),
  ),
  EVENT_BUS_NAME: required('the name or ARN of the batch-requests bus the result events go to', (value) =>
    value.max(1600, 'the name or ARN of the batch-requests bus the result events go to'),
  ),
};

/**
 * Reads and validates a function's settings from its environment once, at cold
 * start, so a deploy with a missing or wrong variable fails on its first
 * invocation with a message that names each variable, instead of deep in a request.
 */
export function readSettings<S extends z.ZodRawShape>(
  functionName: string,
  shape: S,
  env: Readonly<Record<string, string | undefined>> = process.env,
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
