import { InvalidEventPatternError } from './errors.js';
import {
  isPlainObject,
  type LeafValue,
  MATCH_EXPRESSION_NAMES,
  parseMatchValue,
  type ValueMatcher,
} from './value-matcher.js';

/**
 * Amazon EventBridge event-pattern matching for the local sandbox, so that the stack's own
 * rules route events on one machine exactly as they would on the bus.
 *
 * Semantics, as documented by AWS (EventBridge user guide, "Event patterns", "Content
 * filtering", "Arrays", "Null values") and implemented by aws/event-ruler, the library behind
 * EventBridge:
 * - keys of a pattern object are ANDed; the values listed for a field are ORed;
 * - the event must contain each field with the same nesting; other event fields are ignored;
 * - an array in the event is "crushed out": a field matches when any of its elements matches,
 *   and for arrays of objects all fields of one pattern object must match inside the *same*
 *   element (Ruler's array-consistent matching);
 * - a *leaf* is a JSON scalar (string, number, boolean, null); an object, or an array holding
 *   only objects, is an intermediate node and has no leaf value. So `{ "exists": true }`
 *   does not match a field whose value is an object, and `{ "exists": false }` does (AWS's
 *   documented `c-count: { c1: 100 }` example). An empty array has no leaves either;
 * - `{ "exists": false }` means "no leaf at this path anywhere in the event" (Ruler checks the
 *   absence over the whole event, not per array element);
 * - `anything-but` matches any *present* leaf that is not excluded, whatever its type: it never
 *   matches a missing field, while a number matches `{ "anything-but": "x" }`;
 * - strings are compared exactly (no case folding); numbers numerically with six decimals of
 *   precision, within -5e9..5e9; a string never equals a number ("1" is not 1);
 * - `$or` (an array of at least two pattern objects) may appear at any object level and
 *   matches when any branch matches at that level.
 */
export type EventPatternMatcher = (event: unknown) => boolean;

/**
 * PutRule's and TestEventPattern's documented maximum length of `EventPattern`, in characters.
 */
export const MAX_EVENT_PATTERN_LENGTH = 4096;

const OR_KEYWORD = '$or';
const RESERVED_IN_OR = new Set<string>(MATCH_EXPRESSION_NAMES);

interface CompiledNode {
  readonly fields: readonly CompiledField[];
  /** Each group is one `$or`: at least one of its branches must match. */
  readonly orGroups: readonly (readonly CompiledNode[])[];
}

type CompiledField =
  | { readonly kind: 'object'; readonly key: string; readonly node: CompiledNode }
  | {
      readonly kind: 'leaf';
      readonly key: string;
      /** Path from the event root, for the event-wide absence check of `exists: false`. */
      readonly path: readonly string[];
      readonly matchers: readonly ValueMatcher[];
      readonly matchesAbsence: boolean;
    };

/**
 * Validates a pattern once and returns a matcher to apply to many events; the router uses it
 * so that a bad rule fails at start-up, like PutRule, rather than on the first event.
 *
 * @param pattern - the pattern as an object, or as the JSON text PutRule takes
 * @throws InvalidEventPatternError when PutRule would answer `InvalidEventPatternException`
 */
export function compilePattern(pattern: unknown): EventPatternMatcher {
  const parsed = typeof pattern === 'string' ? parsePatternText(pattern) : pattern;
  if (!isPlainObject(parsed)) {
    throw new InvalidEventPatternError('Filter is not an object');
  }
  const length = JSON.stringify(parsed).length;
  if (length > MAX_EVENT_PATTERN_LENGTH) {
    throw new InvalidEventPatternError(
      `Event pattern is ${length} characters long; EventBridge accepts at most ${MAX_EVENT_PATTERN_LENGTH}`,
    );
  }
  const root = compileObject(parsed, [], false);
  return (event) => matchesNode(root, event, event);
}

/**
 * Throws, with PutRule's reason, when `pattern` is not a valid EventBridge event pattern.
 *
 * @throws InvalidEventPatternError
 */
export function validatePattern(pattern: unknown): void {
  compilePattern(pattern);
}

/**
 * Whether `event` matches `pattern` (EventBridge's TestEventPattern). Validates the pattern on
 * every call: use {@link compilePattern} to match many events against one pattern.
 *
 * @throws InvalidEventPatternError when the pattern is malformed
 */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  return compilePattern(pattern)(event);
}

function parsePatternText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidEventPatternError('Event pattern is not valid JSON', { cause: error });
  }
}

function compileObject(
  pattern: Record<string, unknown>,
  path: readonly string[],
  insideOr: boolean,
): CompiledNode {
  const entries = Object.entries(pattern);
  if (entries.length === 0) {
    throw new InvalidEventPatternError(`Empty objects are not allowed${at(path)}`);
  }
  const fields: CompiledField[] = [];
  const orGroups: CompiledNode[][] = [];
  for (const [key, value] of entries) {
    if (key === OR_KEYWORD) {
      orGroups.push(compileOr(value, path));
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key)) {
      throw new InvalidEventPatternError(
        `${key} is a reserved field name which cannot be used inside $or${at(path)}`,
      );
    }
    const fieldPath = [...path, key];
    if (isPlainObject(value)) {
      fields.push({ kind: 'object', key, node: compileObject(value, fieldPath, insideOr) });
    } else if (Array.isArray(value)) {
      fields.push(compileLeaf(key, value, fieldPath));
    } else {
      throw new InvalidEventPatternError(`"${key}" must be an object or an array${at(path)}`);
    }
  }
  return { fields, orGroups };
}

function compileOr(value: unknown, path: readonly string[]): CompiledNode[] {
  if (!Array.isArray(value)) {
    throw new InvalidEventPatternError(`It must be an Array followed with $or${at(path)}`);
  }
  const branches = value.map((branch) => {
    if (!isPlainObject(branch)) {
      throw new InvalidEventPatternError(
        `Only JSON object is allowed in array of $or relationship${at(path)}`,
      );
    }
    return compileObject(branch, path, true);
  });
  if (branches.length < 2) {
    throw new InvalidEventPatternError(`There must have at least 2 Objects in $or relationship${at(path)}`);
  }
  return branches;
}

function compileLeaf(key: string, values: readonly unknown[], path: readonly string[]): CompiledField {
  if (values.length === 0) {
    throw new InvalidEventPatternError(`Empty arrays are not allowed${at(path)}`);
  }
  const matchers: ValueMatcher[] = [];
  let matchesAbsence = false;
  for (const raw of values) {
    const parsed = parseMatchValue(raw, path.join('.'));
    if (parsed.kind === 'value') {
      matchers.push(parsed.matches);
    } else if (parsed.exists) {
      matchers.push(() => true);
    } else {
      matchesAbsence = true;
    }
  }
  return { kind: 'leaf', key, path, matchers, matchesAbsence };
}

function matchesNode(node: CompiledNode, value: unknown, root: unknown): boolean {
  const fieldsMatch = node.fields.every((field) => {
    const child = isPlainObject(value) ? value[field.key] : undefined;
    if (field.kind === 'leaf') {
      const present = leavesOf(child);
      return (
        present.some((leaf) => field.matchers.some((matches) => matches(leaf))) ||
        (field.matchesAbsence && leavesAtPath(root, field.path).length === 0)
      );
    }
    const candidates = objectsOf(child);
    // With no object to descend into, only absence (`exists: false`) can still match below.
    return candidates.length === 0
      ? matchesNode(field.node, undefined, root)
      : candidates.some((candidate) => matchesNode(field.node, candidate, root));
  });
  return (
    fieldsMatch &&
    node.orGroups.every((branches) => branches.some((branch) => matchesNode(branch, value, root)))
  );
}

/** The scalar values of a field: itself, or the scalar elements of (nested) arrays. */
function leavesOf(value: unknown): LeafValue[] {
  if (Array.isArray(value)) {
    return value.flatMap((element) => leavesOf(element));
  }
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  ) {
    return [value];
  }
  return [];
}

/** The objects a nested pattern descends into: the value itself, or the objects of (nested) arrays. */
function objectsOf(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) {
    return value.flatMap((element) => objectsOf(element));
  }
  return isPlainObject(value) ? [value] : [];
}

function leavesAtPath(root: unknown, path: readonly string[]): LeafValue[] {
  let nodes = objectsOf(root);
  const parents = path.slice(0, -1);
  for (const key of parents) {
    nodes = nodes.flatMap((node) => objectsOf(node[key]));
  }
  const last = path[path.length - 1];
  return last === undefined ? [] : nodes.flatMap((node) => leavesOf(node[last]));
}

function at(path: readonly string[]): string {
  return path.length === 0 ? '' : ` (at "${path.join('.')}")`;
}
