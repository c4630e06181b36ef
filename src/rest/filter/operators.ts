// Tokens at a position → the comparison operator written there (`=`, `GTE`, `NOT IN`, `STARTS WITH`,
// `IS NOT NULL`, `NOT LIKE`, `field NOT op` …), or null. Word operators are case-insensitive.
import type { Token } from './tokens.js';

export type FilterOp =
  | 'eq'
  | 'neq'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'like'
  | 'in'
  | 'contains'
  | 'startsWith'
  | 'endsWith'
  | 'isNull';

export interface OperatorMatch {
  op: FilterOp;
  /** `NOT IN`, `NOT LIKE`, `IS NOT NULL`, `field NOT op value`. */
  negate: boolean;
  /** Index of the first token after the operator. */
  next: number;
}

const SYMBOLS: Record<string, FilterOp> = {
  '=': 'eq',
  '!=': 'neq',
  '<>': 'neq',
  '>': 'gt',
  '>=': 'gte',
  '<': 'lt',
  '<=': 'lte',
};

const WORDS: Record<string, FilterOp> = {
  EQ: 'eq',
  NE: 'neq',
  GT: 'gt',
  GTE: 'gte',
  LT: 'lt',
  LTE: 'lte',
  LIKE: 'like',
  IN: 'in',
  CONTAINS: 'contains',
};

function word(tokens: Token[], i: number): string | null {
  const token = tokens[i];
  return token?.kind === 'word' ? token.text.toUpperCase() : null;
}

/** One operator without leading NOTs; `words` false allows only symbols (a condition's first token). */
function single(tokens: Token[], i: number, words: boolean): OperatorMatch | null {
  const token = tokens[i];
  if (token?.kind === 'op') {
    const op = SYMBOLS[token.text];
    return op ? { op, negate: false, next: i + 1 } : null;
  }
  if (!words) return null;
  const w = word(tokens, i);
  if (w === null) return null;
  const op = Object.hasOwn(WORDS, w) ? WORDS[w] : undefined;
  if (op) return { op, negate: false, next: i + 1 };
  const w2 = word(tokens, i + 1);
  if ((w === 'STARTS' || w === 'ENDS') && w2 === 'WITH') {
    return { op: w === 'STARTS' ? 'startsWith' : 'endsWith', negate: false, next: i + 2 };
  }
  if (w === 'IS' && w2 === 'NULL') return { op: 'isNull', negate: false, next: i + 2 };
  if (w === 'IS' && w2 === 'NOT' && word(tokens, i + 2) === 'NULL') {
    return { op: 'isNull', negate: true, next: i + 3 };
  }
  return null;
}

/**
 * The operator starting at token `i`, with any number of leading `NOT`s folded into `negate`
 * (`NOT IN`, `NOT LIKE`, `not contains`, `NOT =`). `words` is false at a condition's first token, which is
 * always (part of) the field name.
 */
export function matchOperator(tokens: Token[], i: number, words: boolean): OperatorMatch | null {
  let negate = false;
  let j = i;
  if (words) {
    while (word(tokens, j) === 'NOT') {
      negate = !negate;
      j++;
    }
  }
  const found = single(tokens, j, words);
  if (!found) return null;
  return { ...found, negate: found.negate !== negate };
}
