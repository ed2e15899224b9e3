import { InvalidInputTransformerError } from './errors.js';

/**
 * A rule target's `InputTransformer`, as given to PutTargets (and rendered by CDK's
 * `RuleTargetInput.fromObject`).
 */
export interface InputTransformer {
  /** Variable name → JSON path into the event (`$.detail.requestId`). At most 100 entries. */
  readonly inputPathsMap?: Readonly<Record<string, string>>;
  /** The text sent to the target, with `<variable>` placeholders. */
  readonly inputTemplate: string;
}

/** Values of the predefined variables that come from the rule rather than from the event. */
export interface InputTransformerContext {
  /** `<aws.events.rule-arn>` */
  readonly ruleArn?: string;
  /** `<aws.events.rule-name>` */
  readonly ruleName?: string;
  /** `<aws.events.event.ingestion-time>`: when the bus received the event (ISO 8601). */
  readonly ingestionTime?: Date | string;
}

/** PutTargets' documented limit on `InputPathsMap` entries. */
export const MAX_INPUT_PATHS = 100;

const PREDEFINED = {
  ruleArn: 'aws.events.rule-arn',
  ruleName: 'aws.events.rule-name',
  ingestionTime: 'aws.events.event.ingestion-time',
  eventWithoutDetail: 'aws.events.event',
  eventJson: 'aws.events.event.json',
} as const;

/** Predefined variables whose contents are not escaped: only usable as a JSON value. */
const JSON_ONLY_VARIABLES = new Set<string>([PREDEFINED.eventWithoutDetail, PREDEFINED.eventJson]);

// Dotted JSON path segments (letters, digits, `-`, `_`, `/`) with optional `[n]` indices.
const PATH_PATTERN = /^\$(\.[A-Za-z0-9_\-/]+(\[\d+\])*)*$/;
const PLACEHOLDER_PATTERN = /^<([A-Za-z0-9_.\-/]+)>/;

interface Substitution {
  readonly found: boolean;
  readonly value: unknown;
}

/**
 * Applies an EventBridge input transformer to an event and returns the text EventBridge would
 * deliver to the target (the SQS message body, for this project). The launcher's FIFO
 * content-based deduplication depends on that text being exactly the same for two PutEvents of
 * the same request, so the sandbox must build it the way EventBridge does.
 *
 * Behaviour, after AWS's "Amazon EventBridge input transformation" guide:
 * - a placeholder *outside* a JSON string is replaced by the value as JSON (`"RUNNING"`, `5`,
 *   `{...}`): the documented "Simple JSON" example;
 * - a placeholder *inside* a JSON string is replaced by the value as text, escaped so the
 *   string stays valid JSON (strings without quotes, other values as their JSON text). AWS's
 *   guide warns that it does not escape extracted values; escaping keeps the sandbox's output
 *   valid, so templates should put variables holding free text *outside* quotes;
 * - a path that does not exist in the event gives `null` outside quotes and an empty string
 *   inside quotes (the guide only says such a variable "isn't created"; this is what the
 *   delivered text looks like);
 * - a template that is not JSON even after substitution (`<instance> is in state <status>`)
 *   is plain text: values are inserted as their text, strings without quotes;
 * - `<aws.events.event.json>` is the whole event and `<aws.events.event>` the event without
 *   `detail`; both are inserted unescaped by AWS, so they are only accepted outside quotes;
 * - `<aws.events.rule-arn>`, `<aws.events.rule-name>` and `<aws.events.event.ingestion-time>`
 *   come from `context`.
 *
 * The template text is kept as written (no re-formatting), so whitespace is preserved.
 *
 * @throws InvalidInputTransformerError when the transformer is one PutTargets would reject or
 * the template uses a variable it does not define
 */
export function applyInputTransformer(
  transformer: InputTransformer,
  event: unknown,
  context: InputTransformerContext = {},
): string {
  validateInputTransformer(transformer);
  const paths = transformer.inputPathsMap ?? {};
  const lookup = (name: string): Substitution => {
    const path = paths[name];
    if (path !== undefined) {
      const value = readPath(event, path);
      return { found: value !== undefined, value };
    }
    return predefinedValue(name, event, context);
  };
  const scanned = scanTemplate(transformer.inputTemplate, lookup);
  // A template that is JSON once its placeholders are filled is treated as JSON; anything
  // else is plain text.
  return isJson(scanned.asJson) ? scanned.asJson : scanned.asText;
}

/**
 * Throws when PutTargets would reject the transformer: too many paths, reserved or malformed
 * variable names, paths outside EventBridge's supported JSON path subset, or placeholders that
 * name no variable.
 *
 * @throws InvalidInputTransformerError
 */
export function validateInputTransformer(transformer: InputTransformer): void {
  const entries = Object.entries(transformer.inputPathsMap ?? {});
  if (entries.length > MAX_INPUT_PATHS) {
    throw new InvalidInputTransformerError(
      `InputPathsMap has ${entries.length} entries; EventBridge accepts at most ${MAX_INPUT_PATHS}`,
    );
  }
  for (const [name, path] of entries) {
    if (name.toLowerCase().startsWith('aws.')) {
      throw new InvalidInputTransformerError(
        `variable "${name}" is reserved: names cannot start with "aws."`,
      );
    }
    if (!/^[A-Za-z0-9_\-/]+$/.test(name)) {
      throw new InvalidInputTransformerError(`variable "${name}" must use letters, digits, "-", "_" or "/"`);
    }
    if (!PATH_PATTERN.test(path)) {
      throw new InvalidInputTransformerError(
        `path "${path}" of variable "${name}" must be a dotted JSON path such as $.detail.requestId`,
      );
    }
  }
  if (transformer.inputTemplate.length === 0) {
    throw new InvalidInputTransformerError('InputTemplate must not be empty');
  }
  const defined = new Set<string>([...entries.map(([name]) => name), ...Object.values(PREDEFINED)]);
  scanTemplate(transformer.inputTemplate, (name) => {
    if (!defined.has(name)) {
      throw new InvalidInputTransformerError(
        `InputTemplate uses <${name}>, which InputPathsMap does not define`,
      );
    }
    return { found: false, value: undefined };
  });
}

/**
 * Walks the template once, tracking whether each placeholder sits inside a JSON string, and
 * renders both readings: as a JSON template and as plain text.
 */
function scanTemplate(
  template: string,
  lookup: (name: string) => Substitution,
): { asJson: string; asText: string } {
  let asJson = '';
  let asText = '';
  let insideString = false;
  for (let index = 0; index < template.length; index += 1) {
    const character = template.charAt(index);
    const placeholder = character === '<' ? PLACEHOLDER_PATTERN.exec(template.slice(index)) : null;
    const name = placeholder?.[1];
    if (placeholder !== null && name !== undefined) {
      const substitution = lookup(name);
      if (insideString && JSON_ONLY_VARIABLES.has(name)) {
        throw new InvalidInputTransformerError(
          `<${name}> is not escaped by EventBridge and can only be a JSON value`,
        );
      }
      asJson += insideString ? asStringContent(substitution) : asJsonValue(substitution);
      asText += asPlainText(substitution);
      index += placeholder[0].length - 1;
      continue;
    }
    if (insideString && character === '\\') {
      // Copy the escape and the escaped character so that `\"` does not end the string.
      const escaped = template.slice(index, index + 2);
      asJson += escaped;
      asText += escaped;
      index += 1;
      continue;
    }
    if (character === '"') {
      insideString = !insideString;
    }
    asJson += character;
    asText += character;
  }
  return { asJson, asText };
}

function asJsonValue({ found, value }: Substitution): string {
  return found ? JSON.stringify(value) : 'null';
}

function asStringContent({ found, value }: Substitution): string {
  if (!found) {
    return '';
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return JSON.stringify(text).slice(1, -1);
}

function asPlainText({ found, value }: Substitution): string {
  if (!found) {
    return '';
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function predefinedValue(name: string, event: unknown, context: InputTransformerContext): Substitution {
  switch (name) {
    case PREDEFINED.ruleArn:
      return optional(context.ruleArn);
    case PREDEFINED.ruleName:
      return optional(context.ruleName);
    case PREDEFINED.ingestionTime:
      return optional(
        context.ingestionTime instanceof Date ? context.ingestionTime.toISOString() : context.ingestionTime,
      );
    case PREDEFINED.eventJson:
      return { found: true, value: event };
    case PREDEFINED.eventWithoutDetail: {
      if (typeof event !== 'object' || event === null || Array.isArray(event)) {
        return { found: true, value: event };
      }
      const { detail: _detail, ...withoutDetail } = event as Record<string, unknown>;
      return { found: true, value: withoutDetail };
    }
    default:
      throw new InvalidInputTransformerError(
        `InputTemplate uses <${name}>, which InputPathsMap does not define`,
      );
  }
}

function optional(value: string | undefined): Substitution {
  return { found: value !== undefined, value };
}

/** Reads a dotted JSON path (`$.detail.items[0].id`); `undefined` when any step is missing. */
function readPath(event: unknown, path: string): unknown {
  const steps = path
    .slice(1)
    .split('.')
    .filter((segment) => segment !== '')
    .flatMap((segment) => {
      const [key, ...indices] = segment.split('[');
      return [key ?? '', ...indices.map((index) => Number(index.slice(0, -1)))];
    });
  let current: unknown = event;
  for (const step of steps) {
    if (typeof step === 'number') {
      current = Array.isArray(current) ? current[step] : undefined;
    } else if (typeof current === 'object' && current !== null && !Array.isArray(current)) {
      current = Object.hasOwn(current, step) ? (current as Record<string, unknown>)[step] : undefined;
    } else {
      return undefined;
    }
  }
  return current;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
