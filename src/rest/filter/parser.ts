// Tokens → IR Expr by recursive descent over compat §4.2: OR/NOR < XOR < AND < NOT, parenthesised groups,
// conditions `field [NOT] op value`. A value that is not an IN list runs to the end of its group, as in
// DreamFactory: `ArtistId = 1 AND Title = 'x'` compares ArtistId with `1 AND Title = 'x'`.
import type { Expr, Scalar } from '../../ir/types.js';
import type { FieldModel } from '../../model/types.js';
import { MAX_FILTER_DEPTH, MAX_FILTER_VALUES, MAX_FILTER_XORS, filterErrors } from './messages.js';
import { matchOperator, type FilterOp, type OperatorMatch } from './operators.js';
import type { Token } from './tokens.js';
import { substituteLookups, typeScalar, typecast, type ValueContext } from './values.js';

type Logical = 'and' | 'or' | 'nor' | 'xor';

const COMPARE = { eq: 'eq', neq: 'neq', gt: 'gt', gte: 'gte', lt: 'lt', lte: 'lte' } as const;

export interface ParseContext extends ValueContext {
  /** Resolves a field name as written (case-insensitive) to the column, or undefined. */
  field: (name: string) => FieldModel | undefined;
}

export class FilterParser {
  private pos = 0;
  private depth = 0;
  /** Open parenthesised groups around the current position. */
  private groups = 0;
  private xors = 0;
  /** Values bound so far (each comparison one, an IN list one per item). */
  private values = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
    private readonly ctx: ParseContext,
  ) {}

  parse(): Expr {
    const expr = this.orExpr();
    if (this.peek().kind !== 'eof') throw filterErrors.unparsable();
    return expr;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)] as Token;
  }

  private logical(): Logical | null {
    const token = this.peek();
    if (token.kind === 'logic') return token.text === '&&' ? 'and' : 'or';
    if (token.kind !== 'word') return null;
    const word = token.text.toUpperCase();
    return word === 'AND' || word === 'OR' || word === 'NOR' || word === 'XOR'
      ? (word.toLowerCase() as Logical)
      : null;
  }

  private enter(): void {
    if (++this.depth > MAX_FILTER_DEPTH) throw filterErrors.tooDeep();
  }

  /** orExpr := xorExpr ( ("OR" | "||" | "NOR") xorExpr )*; `a NOR b` is NOT (a OR b). */
  private orExpr(): Expr {
    const depth = this.depth;
    let items = [this.xorExpr()];
    for (let op = this.logical(); op === 'or' || op === 'nor'; op = this.logical()) {
      this.pos++;
      if (op === 'nor') this.enter();
      const right = this.xorExpr();
      if (op === 'or') items.push(right);
      else items = [{ kind: 'not', item: { kind: 'or', items: [join('or', items), right] } }];
    }
    this.depth = depth;
    return join('or', items);
  }

  /** xorExpr := andExpr ( "XOR" andExpr )*; `a XOR b` is (a AND NOT b) OR (NOT a AND b). */
  private xorExpr(): Expr {
    const depth = this.depth;
    let left = this.andExpr();
    while (this.logical() === 'xor') {
      this.pos++;
      // Each XOR doubles its left operand in the IR: nesting and count are both limited.
      if (++this.xors > MAX_FILTER_XORS) throw filterErrors.tooManyXors();
      this.enter();
      const right = this.andExpr();
      left = {
        kind: 'or',
        items: [
          { kind: 'and', items: [left, { kind: 'not', item: right }] },
          { kind: 'and', items: [{ kind: 'not', item: left }, right] },
        ],
      };
    }
    this.depth = depth;
    return left;
  }

  /** andExpr := notExpr ( ("AND" | "&&") notExpr )* */
  private andExpr(): Expr {
    const items = [this.notExpr()];
    while (this.logical() === 'and') {
      this.pos++;
      items.push(this.notExpr());
    }
    return join('and', items);
  }

  /** notExpr := "NOT" notExpr | "(" orExpr ")" | condition */
  private notExpr(): Expr {
    const token = this.peek();
    const next = this.peek(1);
    if (isNot(token) && (next.kind === 'lparen' || next.kind === 'word')) {
      this.pos++;
      this.enter();
      const item = this.notExpr();
      this.depth--;
      return { kind: 'not', item };
    }
    if (token.kind === 'lparen') {
      this.pos++;
      this.enter();
      this.groups++;
      const inner = this.orExpr();
      if (this.peek().kind !== 'rparen') throw filterErrors.unparsable();
      this.pos++;
      this.groups--;
      this.depth--;
      return inner;
    }
    return this.condition();
  }

  /** condition := field [NOT] op value | field IS [NOT] NULL */
  private condition(): Expr {
    const start = this.pos;
    const match = this.findOperator(start);
    const opToken = this.tokens[match.at] as Token;
    const fieldText = this.text.slice((this.tokens[start] as Token).start, opToken.start).trim();
    const field = this.ctx.field(fieldText);
    if (!field) throw filterErrors.unknownField(fieldText);
    this.pos = match.next;
    if (match.op === 'isNull') {
      this.expectConditionEnd(filterErrors.unparsable);
      return { kind: 'isNull', field: field.name, isNull: !match.negate };
    }
    if (match.op === 'in') {
      const items = this.valueList();
      this.count(items.length);
      const values = items.map((item) => typeScalar(item, field, this.ctx));
      this.expectConditionEnd(filterErrors.listWithoutParentheses);
      return { kind: 'in', field: field.name, values, negate: match.negate };
    }
    this.count(1);
    return this.comparison(field, match, this.restOfGroup());
  }

  /** Databases cap bound parameters (SQLite at 32766): a filter may bind MAX_FILTER_VALUES values. */
  private count(values: number): void {
    this.values += values;
    if (this.values > MAX_FILTER_VALUES) throw filterErrors.tooManyValues();
  }

  /** The first operator after the field; the field is at least the condition's first token. */
  private findOperator(start: number): OperatorMatch & { at: number } {
    for (let j = start; ; j++) {
      const token = this.tokens[j] as Token;
      if (token.kind === 'eof' || token.kind === 'lparen' || token.kind === 'rparen') {
        throw filterErrors.unparsable();
      }
      const found = matchOperator(this.tokens, j, j > start);
      if (found) return { ...found, at: j };
      // The first NOT of a run already tried the whole run: skip to its end (keeps the scan linear).
      if (j > start && isNot(token)) while (isNot(this.tokens[j + 1])) j++;
    }
  }

  /** After IS NULL or an IN list the condition is over: a logical operator, `)` or the end must follow. */
  private expectConditionEnd(error: () => Error): void {
    const token = this.peek();
    if (token.kind !== 'eof' && token.kind !== 'rparen' && this.logical() === null) throw error();
  }

  /** `( a, b, … )` → the items' texts (split on top-level commas; quotes respected). */
  private valueList(): string[] {
    if (this.peek().kind !== 'lparen') throw filterErrors.listWithoutParentheses();
    const items: string[] = [];
    let itemStart = this.peek().end;
    let depth = 0;
    for (this.pos++; ; this.pos++) {
      const token = this.peek();
      if (token.kind === 'eof') throw filterErrors.listWithoutParentheses();
      if (token.kind === 'lparen') depth++;
      else if (token.kind === 'comma' && depth === 0) {
        items.push(this.text.slice(itemStart, token.start));
        itemStart = token.end;
      } else if (token.kind === 'rparen') {
        if (depth === 0) {
          items.push(this.text.slice(itemStart, token.start));
          this.pos++;
          return items;
        }
        depth--;
      }
    }
  }

  /**
   * The value text: everything up to the `)` closing the enclosing group, or, outside any group, the end of
   * the filter (so `Name = Smiley :)` binds `Smiley :)` as DreamFactory does).
   */
  private restOfGroup(): string {
    const from = this.peek().start;
    let depth = 0;
    for (; ; this.pos++) {
      const token = this.peek();
      if (token.kind === 'eof') break;
      if (token.kind === 'lparen') depth++;
      else if (token.kind === 'rparen') {
        if (depth === 0 && this.groups > 0) break;
        depth = Math.max(0, depth - 1);
      }
    }
    return this.text.slice(from, this.peek().start).trim();
  }

  private comparison(field: FieldModel, match: OperatorMatch, raw: string): Expr {
    const op: FilterOp = match.op;
    if (op === 'like' || op === 'contains' || op === 'startsWith' || op === 'endsWith') {
      // DreamFactory builds `%v%` before quote stripping (Q13) and uses it as a raw LIKE pattern.
      const value =
        op === 'like'
          ? typeScalar(raw, field, this.ctx)
          : typecast(pattern(op, substituteLookups(raw, this.ctx.lookups)), field);
      if (value === null) return { kind: 'const', value: false };
      // A value that passed the typecast is a plain number or boolean here: PostgreSQL has no LIKE for those
      // (500 "operator does not exist"), the others compare it as text; every database answers 400 alike.
      if (NOT_TEXT.has(field.type)) throw filterErrors.likeOnNonText(field.name);
      return {
        kind: 'match',
        field: field.name,
        op: match.negate ? 'notLike' : 'like',
        value: String(value),
        caseInsensitive: false,
      };
    }
    if (op === 'isNull' || op === 'in') throw filterErrors.unparsable();
    const value: Scalar = typeScalar(raw, field, this.ctx);
    const compare: Expr = { kind: 'compare', field: field.name, op: COMPARE[op], value };
    return match.negate ? { kind: 'not', item: compare } : compare;
  }
}

/** Simple types LIKE cannot apply to on every database. */
const NOT_TEXT = new Set([
  'id',
  'reference',
  'integer',
  'bigint',
  'decimal',
  'float',
  'double',
  'money',
  'boolean',
]);

function isNot(token: Token | undefined): boolean {
  return token?.kind === 'word' && token.text.toUpperCase() === 'NOT';
}

function pattern(op: 'contains' | 'startsWith' | 'endsWith', value: string): string {
  return op === 'contains' ? `%${value}%` : op === 'startsWith' ? `${value}%` : `%${value}`;
}

/**
 * Long AND/OR chains are nested in groups of CHAIN (same meaning): SQLite parses `a OR b OR …` into a tree
 * as deep as the chain and refuses one deeper than 1000.
 */
const CHAIN = 64;

function join(kind: 'and' | 'or', items: Expr[]): Expr {
  if (items.length === 1) return items[0] as Expr;
  if (items.length <= CHAIN) return { kind, items };
  const groups: Expr[] = [];
  for (let i = 0; i < items.length; i += CHAIN) groups.push(join(kind, items.slice(i, i + CHAIN)));
  return join(kind, groups);
}
