// Injection payloads and filter-text generators shared by the security suites (security.md §4.1): S3 uses
// them on the compiler and grammar, S2 sends them over HTTP. Column names are passed in, so each dialect's
// Chinook spelling (snake_case on PostgreSQL) and deliberately unknown names can be mixed.
import fc from 'fast-check';

/** Values that break naive quoting or concatenation, alone or combined. */
export const PAYLOADS = [
  "'",
  '"',
  '`',
  "''",
  "\\'",
  '\\',
  ';',
  '--',
  '/*',
  '*/',
  '/* */',
  '#',
  '\u0000',
  '%',
  '_',
  '!',
  '$1',
  '?',
  ':p',
  '{user.id}',
  'é',
  '𝄞',
  '\u202e',
  '\r\n',
  'pg_sleep(1)',
  "'; select pg_sleep(1); --",
  '1) or (1=1',
  "' or '1'='1",
  "x' union select null, version() --",
  'union select',
  '1; drop table "Track"',
  'sleep(5)',
  '(select 1)',
  'benchmark(1000000,md5(1))',
  "\\'); drop table Track; --",
  '" or ""="',
  '` or 1 --',
  'TrackId',
  '"t0"."Name"',
];

export const payload = fc.constantFrom(...PAYLOADS);

/** A string value: a payload, a few payloads glued together, or arbitrary unicode (NUL and lone surrogates included). */
export const stringValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: payload },
  { weight: 3, arbitrary: fc.array(payload, { minLength: 2, maxLength: 4 }).map((p) => p.join('')) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.string({ unit: 'grapheme-ascii', maxLength: 4 }), payload, fc.string({ maxLength: 4 }))
      .map((p) => p.join('')),
  },
);

/** Grammar pieces of a DreamFactory filter plus SQL that must never get through. */
export const FILTER_SYNTAX = [
  '(',
  ')',
  '((',
  '))',
  ',',
  ' ',
  '  ',
  "'",
  '"',
  '`',
  "''",
  '\\',
  ';',
  '--',
  '/*',
  '*/',
  '/* */',
  '#',
  '\u0000',
  'é',
  '𝄞',
  '%',
  '_',
  '=',
  '!=',
  '<>',
  '>',
  '>=',
  '<',
  '<=',
  '&&',
  '||',
  'AND',
  'OR',
  'NOR',
  'XOR',
  'NOT',
  'and',
  'or',
  'not',
  'IS',
  'NULL',
  'IS NOT NULL',
  'LIKE',
  'like',
  'NOT LIKE',
  'IN',
  'NOT IN',
  'CONTAINS',
  'STARTS WITH',
  'ENDS WITH',
  'EQ',
  'NE',
  'GT',
  'GTE',
  'LT',
  'LTE',
  'BETWEEN',
  'SELECT',
  'UNION SELECT',
  'union select',
  'FROM',
  'WHERE',
  'HAVING',
  'ORDER BY',
  'GROUP BY',
  'CASE WHEN',
  'DROP TABLE',
  'INSERT',
  'DELETE',
  'UPDATE',
  'pg_sleep(',
  'pg_sleep(1)',
  'sleep(',
  'SLEEP(5)',
  'benchmark(',
  'NOW()',
  'version()',
  ':p',
  ':q',
  '{user.id}',
  '1',
  '0',
  '-1',
  '3.14',
  '1e9',
  '9007199254740993',
  'true',
  'null',
  "'x'",
  '"x"',
  "'O'Brien'",
  '"t0"."Name"',
];

/** Names that are no column of any table: each must be a 400, never reach the database. */
export const UNKNOWN_COLUMNS = ['Secret', 'Password', 'nope', 't0.Name', 'Track.Name', '*', 'rowid', 'oid'];

const OPERATORS = [
  '=',
  '!=',
  '<>',
  '>',
  '>=',
  '<',
  '<=',
  'LIKE',
  'NOT LIKE',
  'IN',
  'NOT IN',
  'CONTAINS',
  'IS NULL',
];

/** A table's columns for the filter generator: text columns take any payload, the others numbers mostly. */
export interface FuzzColumns {
  text: string[];
  other: string[];
}

/**
 * Filter text for fuzzing: near-valid `field op value` chains with payload values and noise tokens spliced
 * in (they get past the field check and reach the database), token soups, and arbitrary unicode.
 */
export function filterText(columns: FuzzColumns): fc.Arbitrary<string> {
  const names = [...columns.text, ...columns.other, ...UNKNOWN_COLUMNS];
  const token = fc.constantFrom(...FILTER_SYNTAX, ...names);
  const textValue = fc.oneof(
    payload.map((p) => `'${p}'`),
    payload,
    stringValue.map((v) => `'${v}'`),
    fc.constantFrom("('a', 'b')", "('x''y', ';--')", ':p'),
  );
  const numberValue = fc.oneof(
    fc.constantFrom('1', '0.99', '-1', '1e3', '(1, 2)', ':p', 'true', 'null', "''"),
    fc.integer().map(String),
    payload,
  );
  const op = fc.constantFrom(...OPERATORS);
  const write = ([f, o, v]: [string, string, string]) =>
    o === 'IS NULL' ? `${f} IS NULL` : `${f} ${o} ${v}`;
  const condition = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...columns.text), op, textValue).map(write) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...columns.other), op, numberValue).map(write) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...UNKNOWN_COLUMNS), op, textValue).map(write) },
  );
  const nearValid = fc
    .tuple(
      // Mostly parenthesised: outside a group a value runs to the end of the filter (DreamFactory's rule).
      fc.array(
        fc.tuple(
          condition,
          fc.nat(3).map((n) => n > 0),
        ),
        { minLength: 1, maxLength: 4 },
      ),
      fc.constantFrom(' AND ', ' OR ', ' && ', ' || ', ' XOR ', ' AND NOT ', ' NOR '),
      fc.oneof(fc.constant([]), fc.array(fc.tuple(fc.nat(), token), { minLength: 1, maxLength: 2 })),
    )
    .map(([conditions, logic, noise]) => {
      let text = conditions.map(([c, paren]) => (paren ? `(${c})` : c)).join(logic);
      for (const [at, t] of noise) {
        const i = at % (text.length + 1);
        text = text.slice(0, i) + t + text.slice(i);
      }
      return text;
    });
  return fc.oneof(
    { weight: 5, arbitrary: nearValid },
    { weight: 2, arbitrary: fc.array(token, { maxLength: 14 }).map((t) => t.join(' ')) },
    { weight: 1, arbitrary: fc.array(token, { maxLength: 14 }).map((t) => t.join('')) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  );
}

/** What a response must never contain (security.md S2): database or runtime internals. */
export const LEAK = /syntax error|SQLSTATE|sqlite_|pg_|mysql|at or near|near "|stack|\.ts:\d/i;

/** Every string in a JSON body (keys and values), HTML entities decoded; the text itself when not JSON. */
function bodyStrings(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body;
  }
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') out.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) {
        out.push(k);
        walk(v);
      }
  };
  walk(parsed);
  return out
    .join('\n')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#0?39;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * LEAK applied to a response body after removing what the client itself sent: error messages quote the
 * offending filter text (`Invalid … field in filter request: 'pg_sleep(1'`), which is not a leak.
 */
export function leakIn(body: string, sent: string | string[]): RegExpExecArray | null {
  let text = bodyStrings(body);
  const pieces = new Set<string>();
  for (const whole of typeof sent === 'string' ? [sent] : sent) {
    pieces.add(whole.trim());
    for (const piece of whole.split(/[\s/]+/)) pieces.add(piece);
  }
  // Longest first, so a whole echoed value goes before its words.
  for (const piece of [...pieces].sort((a, b) => b.length - a.length)) {
    if (piece.length > 0) text = text.split(piece).join(' ');
  }
  // Messages may quote a cut piece of the request (`field in filter request: 'MediaTypeId pg_s'` for the token
  // `pg_s<>leep(`): a match whose whole word the client itself sent is an echo; `pg_catalog` from a request
  // that only said `pg_sleep` is still a leak.
  const sentText = (typeof sent === 'string' ? [sent] : sent).join('\n');
  for (const match of text.matchAll(new RegExp(LEAK.source, 'gi'))) {
    const word = wordAround(text, match.index, match[0].length);
    if (!sentText.includes(word)) return LEAK.exec(match[0]);
  }
  return null;
}

/** The run of identifier characters around text[start, start + length) (at least the match itself). */
function wordAround(text: string, start: number, length: number): string {
  let from = start;
  let to = start + length;
  while (from > 0 && /[\w$.]/.test(text[from - 1] ?? '')) from -= 1;
  while (to < text.length && /[\w$.]/.test(text[to] ?? '')) to += 1;
  return text.slice(from, to);
}
