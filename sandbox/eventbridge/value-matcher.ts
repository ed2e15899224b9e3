import { BlockList, isIP } from 'node:net';
import { InvalidEventPatternError } from './errors.js';

/**
 * One value of an event as EventBridge sees it: after arrays are "crushed out", every leaf of
 * an event is a JSON scalar.
 */
export type LeafValue = string | number | boolean | null;

/** A test applied to one leaf value of the event. */
export type ValueMatcher = (value: LeafValue) => boolean;

/**
 * What one element of a pattern's value array turns into. `exists` is kept apart from the
 * other matchers because `{ "exists": false }` matches the *absence* of leaves, which no
 * per-value test can express.
 */
export type ParsedMatchValue =
  | { readonly kind: 'value'; readonly matches: ValueMatcher }
  | { readonly kind: 'exists'; readonly exists: boolean };

/**
 * EventBridge (through the Event Ruler library behind it) compares numbers as fixed-point values
 * in -5e9..5e9 with six decimal digits; outside that range a number cannot take part in a
 * numeric comparison. See aws/event-ruler `ComparableNumber`.
 */
const NUMERIC_LIMIT = 5e9;
const NUMERIC_SCALE = 1e6;

/** The keys that are match expressions; `$or` branches may not use them as field names. */
export const MATCH_EXPRESSION_NAMES = [
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
] as const;

/**
 * Parses one element of a pattern value array (`"running"`, `42`, `null`,
 * `{ "prefix": "us-" }`, ...) into a matcher, rejecting what PutRule would reject.
 *
 * @param raw - the element, as found in the pattern
 * @param where - the dotted field path, used in error messages so a bad pattern is easy to fix
 */
export function parseMatchValue(raw: unknown, where: string): ParsedMatchValue {
  if (raw === null || typeof raw === 'boolean' || typeof raw === 'string') {
    return { kind: 'value', matches: (value) => value === raw };
  }
  if (typeof raw === 'number') {
    // Numbers are compared numerically (Ruler adds a numeric-equality matcher for every number
    // in a pattern), so 300 matches 3.0e2; a string "300" never matches the number 300.
    return { kind: 'value', matches: (value) => typeof value === 'number' && numbersEqual(value, raw) };
  }
  if (isPlainObject(raw)) {
    return parseMatchExpression(raw, where);
  }
  throw invalid(where, 'Match value must be String, number, true, false, or null');
}

function parseMatchExpression(expression: Record<string, unknown>, where: string): ParsedMatchValue {
  const entries = Object.entries(expression);
  const first = entries[0];
  if (first === undefined) {
    throw invalid(where, 'Match expression name not found');
  }
  if (entries.length > 1) {
    throw invalid(where, 'Only one key allowed in match expression');
  }
  const [operator, argument] = first;
  switch (operator) {
    case 'prefix':
      return valueMatcher(affixMatcher(argument, where, 'prefix'));
    case 'suffix':
      return valueMatcher(affixMatcher(argument, where, 'suffix'));
    case 'equals-ignore-case': {
      const expected = requireString(argument, where, 'equals-ignore-case match pattern must be a string');
      return valueMatcher((value) => typeof value === 'string' && equalsIgnoreCase(value, expected));
    }
    case 'wildcard': {
      const regex = wildcardRegex(
        requireString(argument, where, 'wildcard match pattern must be a string'),
        where,
      );
      return valueMatcher((value) => typeof value === 'string' && regex.test(value));
    }
    case 'anything-but':
      return valueMatcher(anythingButMatcher(argument, where));
    case 'numeric':
      return valueMatcher(numericMatcher(argument, where));
    case 'exists':
      if (typeof argument !== 'boolean') {
        throw invalid(where, 'exists match pattern must be either true or false.');
      }
      return { kind: 'exists', exists: argument };
    case 'cidr':
      return valueMatcher(cidrMatcher(argument, where));
    default:
      throw invalid(where, `Unrecognized match type ${operator}`);
  }
}

function valueMatcher(matches: ValueMatcher): ParsedMatchValue {
  return { kind: 'value', matches };
}

/** `prefix` / `suffix`, optionally wrapping `{ "equals-ignore-case": "..." }`. */
function affixMatcher(argument: unknown, where: string, operator: 'prefix' | 'suffix'): ValueMatcher {
  const test =
    operator === 'prefix'
      ? (value: string, affix: string) => value.startsWith(affix)
      : (value: string, affix: string) => value.endsWith(affix);
  if (typeof argument === 'string') {
    return (value) => typeof value === 'string' && test(value, argument);
  }
  if (isPlainObject(argument)) {
    const keys = Object.keys(argument);
    const inner = argument['equals-ignore-case'];
    if (keys.length === 1 && typeof inner === 'string') {
      const lowered = inner.toLowerCase();
      return (value) => typeof value === 'string' && test(value.toLowerCase(), lowered);
    }
    throw invalid(
      where,
      `Unsupported ${operator} pattern: only { "equals-ignore-case": "<string>" } may be nested`,
    );
  }
  throw invalid(where, `${operator} match pattern must be a string`);
}

function anythingButMatcher(argument: unknown, where: string): ValueMatcher {
  if (typeof argument === 'string') {
    return (value) => value !== argument;
  }
  if (typeof argument === 'number') {
    requireComparable(argument, where);
    return (value) => !(typeof value === 'number' && numbersEqual(value, argument));
  }
  if (Array.isArray(argument)) {
    return anythingButListMatcher(argument, where);
  }
  if (isPlainObject(argument)) {
    return anythingButExpressionMatcher(argument, where);
  }
  throw invalid(where, 'Value of anything-but must be an array or single string/number value.');
}

function anythingButListMatcher(list: readonly unknown[], where: string): ValueMatcher {
  const allStrings = list.length > 0 && list.every((item) => typeof item === 'string');
  const allNumbers = list.length > 0 && list.every((item) => typeof item === 'number');
  if (list.some((item) => item === null || typeof item === 'boolean' || typeof item === 'object')) {
    throw invalid(where, 'Inside anything but list, start|null|boolean is not supported.');
  }
  if (!allStrings && !allNumbers) {
    throw invalid(
      where,
      'Inside anything but list, either all values are number or string, mixed type is not supported',
    );
  }
  if (allStrings) {
    const excluded = new Set(list as string[]);
    return (value) => !(typeof value === 'string' && excluded.has(value));
  }
  const excluded = list as number[];
  for (const number of excluded) {
    requireComparable(number, where);
  }
  return (value) => !(typeof value === 'number' && excluded.some((number) => numbersEqual(value, number)));
}

function anythingButExpressionMatcher(expression: Record<string, unknown>, where: string): ValueMatcher {
  const entries = Object.entries(expression);
  const first = entries[0];
  if (first === undefined) {
    throw invalid(where, 'Anything-But expression name not found');
  }
  if (entries.length > 1) {
    throw invalid(where, 'Only one key allowed in match expression');
  }
  const [operator, argument] = first;
  switch (operator) {
    case 'prefix':
    case 'suffix': {
      const affix = requireString(argument, where, 'prefix/suffix match pattern must be a string');
      if (affix === '') {
        throw invalid(where, 'Null prefix/suffix not allowed');
      }
      return operator === 'prefix'
        ? (value) => !(typeof value === 'string' && value.startsWith(affix))
        : (value) => !(typeof value === 'string' && value.endsWith(affix));
    }
    case 'equals-ignore-case': {
      const excluded = stringOrStringList(argument, where, 'anything-but/equals-ignore-case').map((item) =>
        item.toLowerCase(),
      );
      return (value) => !(typeof value === 'string' && excluded.includes(value.toLowerCase()));
    }
    case 'wildcard': {
      const regexes = stringOrStringList(argument, where, 'anything-but/wildcard').map((item) =>
        wildcardRegex(item, where),
      );
      return (value) => !(typeof value === 'string' && regexes.some((regex) => regex.test(value)));
    }
    default:
      throw invalid(where, `Unsupported anything-but pattern: ${operator}`);
  }
}

/**
 * `numeric` takes `["=", n]`, `["<" | "<=", n]`, or `[">" | ">=", n]` optionally followed by
 * `"<" | "<=", m` with n < m: the grammar of Ruler's `JsonRuleCompiler`.
 */
function numericMatcher(argument: unknown, where: string): ValueMatcher {
  if (!Array.isArray(argument)) {
    throw invalid(where, 'Value of numeric must be an array.');
  }
  const [operator, operand, upperOperator, upperOperand, ...rest] = argument as unknown[];
  const bound = (op: unknown, value: unknown): { op: string; at: number } => {
    if (typeof op !== 'string' || !['=', '<', '<=', '>', '>='].includes(op)) {
      throw invalid(where, `Unrecognized numeric range operator: ${String(op)}`);
    }
    if (typeof value !== 'number') {
      throw invalid(where, `Value of ${op} must be numeric`);
    }
    return { op, at: requireComparable(value, where) };
  };
  const lower = bound(operator, operand);
  const lowerOnly = upperOperator === undefined && upperOperand === undefined && rest.length === 0;
  if (lower.op === '=' || lower.op === '<' || lower.op === '<=') {
    if (!lowerOnly) {
      throw invalid(where, 'Too many elements in numeric expression');
    }
    return comparisonMatcher([lower]);
  }
  if (lowerOnly) {
    return comparisonMatcher([lower]);
  }
  if (rest.length > 0) {
    throw invalid(where, 'Too many terms in numeric range expression');
  }
  if (upperOperator !== '<' && upperOperator !== '<=') {
    throw invalid(where, `Bad numeric range operator: ${String(upperOperator)}`);
  }
  const upper = bound(upperOperator, upperOperand);
  if (lower.at >= upper.at) {
    throw invalid(where, 'Bottom must be less than top');
  }
  return comparisonMatcher([lower, upper]);
}

function comparisonMatcher(bounds: readonly { op: string; at: number }[]): ValueMatcher {
  return (value) => {
    if (typeof value !== 'number') {
      return false;
    }
    const scaled = comparable(value);
    if (scaled === undefined) {
      return false;
    }
    return bounds.every(({ op, at }) => {
      switch (op) {
        case '=':
          return scaled === at;
        case '<':
          return scaled < at;
        case '<=':
          return scaled <= at;
        case '>':
          return scaled > at;
        default:
          return scaled >= at;
      }
    });
  };
}

function cidrMatcher(argument: unknown, where: string): ValueMatcher {
  const cidr = requireString(argument, where, 'cidr match pattern must be a string');
  const [address, prefixText, extra] = cidr.split('/');
  const family = isIP(address ?? '');
  const prefix = Number(prefixText);
  const maxPrefix = family === 6 ? 128 : 32;
  if (family === 0 || extra !== undefined || !/^\d+$/.test(prefixText ?? '') || prefix > maxPrefix) {
    throw invalid(where, `Malformed CIDR, one '/' required: ${cidr}`);
  }
  const type = family === 6 ? 'ipv6' : 'ipv4';
  const blocks = new BlockList();
  blocks.addSubnet(address as string, prefix, type);
  return (value) => typeof value === 'string' && isIP(value) === family && blocks.check(value, type);
}

/**
 * Turns an EventBridge wildcard (`*` for any run of characters, `\*` and `\\` as escapes) into
 * an anchored regular expression. Consecutive wildcards and other escapes are rejected, as
 * PutRule does.
 */
function wildcardRegex(wildcard: string, where: string): RegExp {
  let source = '';
  for (let index = 0; index < wildcard.length; index += 1) {
    const character = wildcard.charAt(index);
    if (character === '\\') {
      const next = wildcard.charAt(index + 1);
      if (next !== '*' && next !== '\\') {
        throw invalid(where, `Invalid escape character at pos ${index}`);
      }
      source += escapeRegex(next);
      index += 1;
    } else if (character === '*') {
      if (wildcard.charAt(index + 1) === '*') {
        throw invalid(where, `Consecutive wildcard characters at pos ${index + 1}`);
      }
      source += '.*';
    } else {
      source += escapeRegex(character);
    }
  }
  return new RegExp(`^${source}$`, 'su');
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** Equal up to Ruler's precision (six decimals) when both are comparable, else exactly equal. */
function numbersEqual(left: number, right: number): boolean {
  const scaledLeft = comparable(left);
  const scaledRight = comparable(right);
  return scaledLeft !== undefined && scaledRight !== undefined ? scaledLeft === scaledRight : left === right;
}

function comparable(value: number): number | undefined {
  return Number.isFinite(value) && Math.abs(value) <= NUMERIC_LIMIT
    ? Math.round(value * NUMERIC_SCALE)
    : undefined;
}

function requireComparable(value: number, where: string): number {
  const scaled = comparable(value);
  if (scaled === undefined) {
    throw invalid(where, `Value must be between ${-NUMERIC_LIMIT} and ${NUMERIC_LIMIT}, inclusive`);
  }
  return scaled;
}

function requireString(argument: unknown, where: string, message: string): string {
  if (typeof argument !== 'string') {
    throw invalid(where, message);
  }
  return argument;
}

function stringOrStringList(argument: unknown, where: string, operator: string): string[] {
  if (typeof argument === 'string') {
    return [argument];
  }
  if (Array.isArray(argument) && argument.length > 0 && argument.every((item) => typeof item === 'string')) {
    return argument as string[];
  }
  throw invalid(where, `Inside ${operator} list, number|start|null|boolean is not supported.`);
}

function equalsIgnoreCase(left: string, right: string): boolean {
  return left.toLowerCase() === right.toLowerCase();
}

/** A JSON object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(where: string, message: string): InvalidEventPatternError {
  return new InvalidEventPatternError(where === '' ? message : `${message} (at "${where}")`);
}
