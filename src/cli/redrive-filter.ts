import type { DeadLetterMessage } from './dead-letter-message.js';
import { UsageError } from './errors.js';

/** What `dlq redrive --filter` can select on. */
export const FilterKey = {
  errorCode: 'errorCode',
  type: 'type',
  requestId: 'requestId',
} as const;
export type FilterKey = (typeof FilterKey)[keyof typeof FilterKey];

export interface FilterTerm {
  readonly key: FilterKey;
  readonly value: string;
}

/** A message matches when every term matches (`--filter a=1 --filter b=2` is "a and b"). */
export interface RedriveFilter {
  readonly terms: readonly FilterTerm[];
  matches(message: DeadLetterMessage): boolean;
  /** `errorCode=UnknownBatchType and type=7` */
  readonly description: string;
}

function parseTerm(text: string): FilterTerm {
  const equals = text.indexOf('=');
  const key = text.slice(0, Math.max(0, equals));
  const value = text.slice(equals + 1);
  if (equals <= 0 || value === '' || !Object.hasOwn(FilterKey, key)) {
    throw new UsageError(
      `--filter "${text}" is not one of ${Object.values(FilterKey)
        .map((name) => `${name}=<value>`)
        .join(', ')}`,
    );
  }
  if (key === FilterKey.type && !/^\d+$/.test(value)) {
    throw new UsageError(`--filter type=${value}: a batch type id is a whole number`);
  }
  return { key: key as FilterKey, value };
}

function termMatches(term: FilterTerm, message: DeadLetterMessage): boolean {
  switch (term.key) {
    case FilterKey.errorCode:
      return message.errorCode === term.value;
    case FilterKey.type:
      return message.batchTypeId === Number(term.value);
    case FilterKey.requestId:
      return message.requestId === term.value;
  }
}

export function parseRedriveFilter(texts: readonly string[]): RedriveFilter | undefined {
  if (texts.length === 0) return undefined;
  const terms = texts.map(parseTerm);
  return {
    terms,
    matches: (message) => terms.every((term) => termMatches(term, message)),
    description: terms.map((term) => `${term.key}=${term.value}`).join(' and '),
  };
}
