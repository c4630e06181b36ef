/* eslint-disable @typescript-eslint/no-explicit-any -- responses and documents are read dynamically, as a client would */
// Security plan T5 over the wire (security.md §2 T5, §4.1 S5): fast-check fuzz of MongoDB operator injection
// against the `community` MongoDB service, with Chinook on SQLite beside it for the virtual keys. The data is
// demo/data/community seeded into a fresh database (reviews cut to the first 120 of 240: the stand-in's cost
// grows with every document a query returns) plus bait documents whose values ARE operator text, so that a
// literal reading finds exactly them. 10,000 generated cases in total, split per channel:
//
//   1. REST `filter=` strings (URL, or POST-tunnelled GET with `params` / a JSON-object filter)   4,000
//   2. REST ids: `/_table/T/{id}`, `?ids=`, id lists and records in bodies; GET, PATCH, PUT, DELETE   1,500
//   3. REST bodies: POST/PUT/PATCH records with operator values and keys, PATCH by filter          2,000
//   4. GraphQL: `where` inputs (variables and inline literals), mutations carrying JSON `$` keys     2,500
//
// Payloads: operator documents as text and as JSON values (`{"$ne":null}`, `{"$gt":""}`, `{"$regex":".*"}`,
// `$where`, `$expr`, `$function`, Extended JSON `$oid`/`$date`), server-side JavaScript (`this.rating > 0`,
// `'; return true; var x='`), regex text and metacharacters, unicode, NUL, JSON-looking strings, long and
// nested-bracket strings, and `$`-prefixed, dotted and prototype field names (`author.name`, `__proto__`).
// LIKE values carry at most MAX_PERCENT `%` (see there: many wildcards stall MongoDB, reported apart).
//
// Oracles. Every answer is < 500 (the one exception is DreamFactory's documented 500 for an unknown
// `id_field`, counted apart as in security-corpus.test.ts), comes in its envelope (DreamFactory
// `{error:{code,message,status_code,context}}`; GraphQL `errors` with a client-error `extensions.code`) and
// shows no driver internals (MongoServerError, E11000, BSONError, `$where`, stack frames, `mongodb://`, the
// database's name or port) that the request itself did not contain.
// Reads: a 200 returns exactly the documents the literal request matches, re-evaluated in JS over the data
// with the adapter's documented semantics (values are values; byte-order comparison; LIKE is a whole-string
// pattern; a condition on an array field holds for one of its elements; neq/notIn/notLike exclude null; NOT
// is plain negation). Simple REST filters (`field op 'payload'`) are re-derived here independently, and the
// DreamFactory grammar must read them the same way; compound ones are read by the grammar (src/rest/filter,
// shared with the SQL services and fuzzed there by S2/S3) and only their evaluation is ours. Ids: only the
// documents whose id literally equals the id asked.
// Writes: a 4xx changed nothing; a 2xx wrote exactly the literal values (read back raw with the driver: no
// operator applied, no `$` or dotted key stored) to exactly the documents the literal filter or id names.
// Two literal behaviours of REST records are accepted, whichever the server shows at the start (`policy`).
// Each write case marks what it writes and is undone at once; every 150 write cases and after each channel
// every collection must hash as it did before the run.
// Cases run in batches of BATCH: a batch's reads concurrently, its writes one at a time.
//
// Reproduce: MONGO_FUZZ_SEED (default below; printed with every failure) replays a run; MONGO_FUZZ_CASES
// scales the 10,000. MONGO_URL runs it against a real MongoDB (support/mongo.ts). No timing assertions: the
// run time per channel is printed.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { BSON, MongoClient, ObjectId, type Collection, type Db, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, ERROR_CODES } from '../../src/errors/index.js';
import type { Expr, Scalar } from '../../src/ir/types.js';
import { ModelIndex, type TableEntry } from '../../src/model/model-index.js';
import type { DataModel, FieldModel } from '../../src/model/types.js';
import { parseFilter } from '../../src/rest/filter/index.js';
import { useChinook } from './support/chinook.js';
import { communityKeys, useCommunity } from './support/community.js';
import { startTestServer, testConfig, type TestServer } from './support/graphql.js';
import { restClient, type RestClient, type RestResult } from './support/rest.js';

const SEED = Number(process.env.MONGO_FUZZ_SEED ?? 20_261_121);
const TOTAL = Number(process.env.MONGO_FUZZ_CASES ?? 10_000);
const CASES = {
  filter: Math.round(TOTAL * 0.4),
  ids: Math.round(TOTAL * 0.15),
  bodies: Math.round(TOTAL * 0.2),
  graphql: 0,
};
CASES.graphql = TOTAL - CASES.filter - CASES.ids - CASES.bodies;
/** A full-collection hash check after this many write cases (each case also checks its own effects). */
const SNAPSHOT_EVERY = 150;
const REPRO = `MONGO_FUZZ_SEED=${SEED} MONGO_FUZZ_CASES=${TOTAL}`;

type Table = 'reviews' | 'mixtapes' | 'preferences';
const TABLES: Table[] = ['reviews', 'mixtapes', 'preferences'];
/** Where a write case puts its marker: the one field every generated record sets to the case's own text. */
const MARK: Record<'reviews' | 'mixtapes', string> = { reviews: 'body', mixtapes: 'name' };

// ---- bait: documents whose values are the payloads, so a literal reading finds exactly them ---------------

const BAIT_TEXT: [string, string][] = [
  ['{"$ne":null}', '{"$gt":""}'],
  ['$where', 'this.rating > 0'],
  ["'; return true; var x='", '{"$regex":".*"}'],
  ['.*', '^'],
  ['a.b', 'author.name'],
  ['__proto__', 'constructor'],
  ['probe\n', 'probe'],
  ['100% _sure_ \\ ok', '%'],
  ['Ünïcödé 𝄞 \u202ertl', '\u200b'],
  ['nul\u0000byte', '\u0000'],
  ['[a-z]+$', '(a+)+$'],
  ['{"$where":"1"}', '$expr'],
];
const BAIT_REVIEWS = BAIT_TEXT.map(([title, body], i) => ({
  _id: new ObjectId(`65a0c0de0000badd${(i + 1).toString(16).padStart(8, '0')}`),
  track_id: i + 1,
  rating: (i % 5) + 1,
  title,
  body,
  author: { name: title, country: body },
  created_at: new Date(Date.UTC(2024, 0, i + 1)),
  tags: [title, body],
  helpful: i,
}));
const BAIT_MIXTAPE_IDS = ['{"$ne":null}', '$where', 'a.b', '.*', '65a0c0de0000c0ffee000001', '__proto__'];
const BAIT_MIXTAPES = BAIT_MIXTAPE_IDS.map((id, i) => ({
  _id: id,
  name: `bait ${id}`,
  curator_id: i + 1,
  track_ids: [i + 1],
  public: i % 2 === 0,
}));

// ---- payloads ---------------------------------------------------------------------------------------------

const OPERATOR_TEXT = [
  '{"$ne":null}',
  '{"$gt":""}',
  '{"$gte":0}',
  '{"$regex":".*"}',
  '{"$regex":"^","$options":"s"}',
  '{"$where":"1"}',
  '{"$where":"this.rating > 0"}',
  '{"$expr":{"$gt":["$rating",0]}}',
  '{"$function":{"body":"function(){return true}","args":[],"lang":"js"}}',
  '{"$accumulator":{}}',
  '{"$in":[]}',
  '{"$nin":[]}',
  '{"$exists":true}',
  '[{"$ne":null}]',
  '{"title":{"$ne":null}}',
  '{"$or":[{},{"a":1}]}',
  '{"$oid":"65a0c0de0000c0ffee000001"}',
  '{"$date":"2024-01-01T00:00:00Z"}',
  '{"$numberLong":"1"}',
  '$where',
  '$ne',
  '$gt',
  '$regex',
  '$expr',
  '$function',
  '$accumulator',
  '$lookup',
  '$out',
  '$merge',
  '$$ROOT',
  '$title',
  '$$CURRENT.title',
  'this.rating > 0',
  "'; return true; var x='",
  '"; return true; var x="',
  'function() { return true; }',
  '1; sleep(5000)',
  "' || '1'=='1",
  "' && this.password.match(/.*/)//",
  'db.dropDatabase()',
  'true',
  '1 == 1',
];
const REGEX_TEXT = [
  '.*',
  '^',
  '$',
  '^.*$',
  '.',
  '\\',
  '\\\\',
  '[a-z]',
  '(a+)+$',
  '(?i)a',
  '\\d+',
  '|',
  'a|b',
  '*',
  '+',
  '?',
  '{1,2}',
  '/.*/',
  '/.*/i',
  '%',
  '_',
  '\\%',
  '\\_',
  '%%',
  '[^]',
  '\\Q.*\\E',
];
const BRACKET_TEXT = [
  '(',
  ')',
  '((',
  '))',
  '[',
  ']',
  '{',
  '}',
  '{{',
  '}}',
  '([{',
  '}])',
  "('x')",
  '(SELECT 1)',
];
const UNICODE_TEXT = [
  'é',
  '𝄞',
  '\u202e',
  '\u0000',
  'a\u0000b',
  '\u200b',
  'ﬀ',
  'K',
  '\n',
  '\r\n',
  'x\n',
  '\t',
  '\u2028',
  '\ufeff',
];
const NAME_TEXT = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'author.name',
  'a.b',
  '.x',
  'x.',
];
const SCALAR_TEXT = [
  '',
  ' ',
  '0',
  '-1',
  '4',
  '1e3',
  '9007199254740993',
  'NaN',
  'Infinity',
  'null',
  'undefined',
  '{}',
  '[]',
  '""',
  "''",
  '2024-10-03T11:52:22.000Z',
  '2024-10-03',
  '2024-01-01 00:00:00',
];
/** Values that ARE in the data (seeded and bait): the literal reading must find exactly their documents. */
const LITERAL_HITS = [
  'muddy and tight',
  'tight and crisp',
  'dreamy and lush',
  'MUDDY AND TIGHT',
  'muddy',
  'probe',
  'pro_e',
  '%be',
  'e',
  'classic',
  'remaster',
  ...BAIT_TEXT.flat(),
];
const SEEDED_IDS = ['65a0c0de0000c0ffee000001', '65a0c0de0000c0ffee000002', '65a0c0de0000c0ffee000077'];
/** Seeded reviews kept (of 240): the stand-in's cost grows with every document a query returns. */
const KEEP_REVIEWS = 120;
const ID_HITS = [
  ...SEEDED_IDS,
  '65A0C0DE0000C0FFEE000003',
  ...BAIT_REVIEWS.slice(0, 3).map((d) => d._id.toHexString()),
  'mix-01',
  'mix-12',
  ...BAIT_MIXTAPE_IDS,
];
const PAYLOADS = [
  ...OPERATOR_TEXT,
  ...REGEX_TEXT,
  ...BRACKET_TEXT,
  ...UNICODE_TEXT,
  ...NAME_TEXT,
  ...SCALAR_TEXT,
  ...LITERAL_HITS,
];

/** Lone surrogates cannot travel in a URL or be stored: they become U+FFFD, as a client's encoder makes them. */
function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

const CLOSING: Record<string, string> = { '(': ')', '[': ']', '{': '}', '{"$or":[': ']}', "('": "')" };
const payload = fc.constantFrom(...PAYLOADS);
const shortText: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: payload },
  { weight: 3, arbitrary: fc.array(payload, { minLength: 2, maxLength: 4 }).map((p) => p.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 16 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 16 }).map(wellFormed) },
);
/** Long strings (up to ~2,000 characters) and brackets nested up to 60 deep. */
const longText: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('{"$ne":null}', '$where', '.*', '(', 'a', '𝄞', '\\', "'", '_', '\u0000'),
      fc.nat(400),
    )
    .map(([p, n]) => p.repeat(n + 20).slice(0, 2_000)),
  fc
    .tuple(fc.constantFrom(...Object.keys(CLOSING)), payload, fc.integer({ min: 1, max: 60 }))
    .map(([open, p, n]) => open.repeat(n) + p + (CLOSING[open] as string).repeat(n)),
);

/**
 * At most this many `%` in a generated filter or LIKE value. The adapter turns every `%` into a backtracking
 * `.*` and sets no maxTimeMS, so `title like '%a%a…%a%x'` keeps MongoDB busy for seconds per request (the
 * stand-in, which serves one request at a time, answers everything else 503 meanwhile). That is reported
 * apart, with its reproduction; here it would wedge the stand-in for the rest of the run.
 */
const MAX_PERCENT = 5;
const fewPercents = (text: string): boolean => (text.match(/%/g)?.length ?? 0) <= MAX_PERCENT;

/** The values of `like`, `notLike` and `ilike` anywhere in a GraphQL where. */
function likeValues(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) likeValues(v, out);
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      if ((k === 'like' || k === 'notLike' || k === 'ilike') && typeof v === 'string') out.push(v);
      else likeValues(v, out);
    }
  return out;
}

const OP_KEYS = [
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$regex',
  '$options',
  '$where',
  '$expr',
  '$function',
  '$accumulator',
  '$in',
  '$nin',
  '$exists',
  '$type',
  '$set',
  '$unset',
  '$inc',
  '$rename',
  '$push',
  '$lookup',
  '$out',
  '$merge',
  '$oid',
  '$date',
  '$numberLong',
  '$$ROOT',
  '$',
];
const ODD_KEYS = [
  'a.b',
  'author.name',
  'tags.0',
  '.',
  'x.',
  '.x',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  'é',
  '𝄞',
];
const PLAIN_KEYS = ['name', 'country', 'x', 'value', 'nested', 'a'];
const jsonKey = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...OP_KEYS) },
  { weight: 2, arbitrary: fc.constantFrom(...ODD_KEYS) },
  { weight: 4, arbitrary: fc.constantFrom(...PLAIN_KEYS) },
);

/** An object from key/value pairs, `__proto__` included as an own key (as JSON.parse makes it). */
function objectOf(pairs: [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of pairs)
    Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
  return out;
}

function nest(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

const jsonLeaf = fc.oneof(
  { weight: 4, arbitrary: shortText },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);
const jsonTree = fc.letrec<{ value: unknown; array: unknown[]; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 4 }, jsonLeaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 3 }),
  object: fc.array(fc.tuple(jsonKey, tie('value')), { maxLength: 3 }).map(objectOf),
})).value;
/** JSON values a body or a GraphQL JSON field can carry: operator documents first. */
const FIXED_JSON: unknown[] = [
  { $gt: '' },
  { $ne: null },
  { $where: '1' },
  { $set: { rating: 1 } },
  { $expr: { $gt: ['$rating', 0] } },
  [{ $ne: null }],
  { name: { $regex: '.*' } },
  { a: { b: { c: { $where: '1' } } } },
  { 'a.b': 1 },
  { oid: { $oid: '65a0c0de0000c0ffee000001' } },
  { $date: '2024-01-01T00:00:00Z' },
  objectOf([['__proto__', { polluted: true }]]),
  objectOf([['__proto__', { $where: '1' }]]),
  { constructor: { prototype: { polluted: true } } },
  nest(20, { $where: '1' }),
  nest(70, 1),
  { name: 'plain', country: 'literal' },
  ['classic', 'late-night'],
];
const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...FIXED_JSON) },
  { weight: 5, arbitrary: jsonTree },
  { weight: 1, arbitrary: shortText },
);
/** A value a client puts in a record: payload text, operator documents, numbers, expressions. */
const recordValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: shortText },
  { weight: 5, arbitrary: jsonValue },
  { weight: 1, arbitrary: fc.integer({ min: -10, max: 1_000 }) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom({ expression: 'NOW()' }, { expression: '{"$where":"1"}' }) },
  { weight: 1, arbitrary: longText },
);

// ---- the literal meaning of a request, evaluated in JS ------------------------------------------------------

const OID_TEXT = /^[0-9a-f]{24}$/i;
const DATE_TEXT = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;

/** A client value as the field stores it (the adapter's documented conversions; anything else stays as given). */
function meaning(value: unknown, dbType: string | undefined): unknown[] {
  if (typeof value === 'string') {
    if ((dbType === 'objectid' || dbType === 'mixed') && OID_TEXT.test(value)) {
      const oid = new ObjectId(value.toLowerCase());
      return dbType === 'mixed' ? [value, oid] : [oid];
    }
    if (dbType === 'date' && DATE_TEXT.test(value)) {
      const iso = value.replace(' ', 'T');
      const date = new Date(/(Z|[+-]\d{2}(:?\d{2})?)$/.test(iso) || iso.length === 10 ? iso : `${iso}Z`);
      return [Number.isNaN(date.getTime()) ? value : date];
    }
  }
  return [value === undefined ? null : value];
}

type Kind = 'null' | 'number' | 'string' | 'bool' | 'date' | 'oid' | 'array' | 'object' | 'other';

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof Date) return 'date';
  if (v instanceof ObjectId) return 'oid';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object' && (v as { _bsontype?: string })._bsontype === undefined) return 'object';
  return 'other';
}

/** MongoDB's order within one type (strings by UTF-8 bytes); null across types: comparisons never cross. */
function order(a: unknown, b: unknown): number | null {
  const kind = kindOf(a);
  if (kind !== kindOf(b)) return null;
  switch (kind) {
    case 'number':
      return (a as number) - (b as number);
    case 'string':
      return Buffer.compare(Buffer.from(a as string), Buffer.from(b as string));
    case 'bool':
      return Number(a) - Number(b);
    case 'date':
      return (a as Date).getTime() - (b as Date).getTime();
    case 'oid':
      return (a as ObjectId).toHexString().localeCompare((b as ObjectId).toHexString());
    default:
      return null;
  }
}

/** Deep equality of stored values (objects compared by their keys, in any order). */
function same(a: unknown, b: unknown): boolean {
  const kind = kindOf(a);
  if (kind !== kindOf(b)) return false;
  if (kind === 'null') return true;
  if (kind === 'array') {
    const x = a as unknown[];
    const y = b as unknown[];
    return x.length === y.length && x.every((item, i) => same(item, y[i]));
  }
  if (kind === 'object') {
    const x = a as Record<string, unknown>;
    const y = b as Record<string, unknown>;
    const keys = Object.keys(x);
    return (
      keys.length === Object.keys(y).length && keys.every((k) => Object.hasOwn(y, k) && same(x[k], y[k]))
    );
  }
  return order(a, b) === 0;
}

const isNullish = (v: unknown): boolean => v === null || v === undefined;

/** MongoDB reads a condition on an array field as "the array itself, or one of its elements". */
function anyOf(value: unknown, test: (v: unknown) => boolean): boolean {
  return test(value) || (Array.isArray(value) && value.some(test));
}

type LikeToken = { any: true } | { one: true } | { ch: string };

/**
 * Whole-string LIKE matching by dynamic programming, so the oracle cannot backtrack: `%` any run, `_` one
 * character, `\` makes the next one literal (`escapes`, MongoDB's and the grammar's reading; SQLite has no
 * escape). `fold` folds case. Null when the pattern ends with an unpaired `\` (refused).
 */
function likeMatch(
  pattern: string,
  text: string,
  fold: (c: string) => string,
  escapes = true,
): boolean | null {
  const tokens: LikeToken[] = [];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (escapes && ch === '\\') {
      const next = chars[++i];
      if (next === undefined) return null;
      tokens.push({ ch: fold(next) });
    } else if (ch === '%') tokens.push({ any: true });
    else if (ch === '_') tokens.push({ one: true });
    else tokens.push({ ch: fold(ch) });
  }
  const s = Array.from(text).map(fold);
  let row = s.map(() => false);
  row.unshift(true);
  for (const token of tokens) {
    const next = row.map(() => false);
    if ('any' in token) {
      let on = false;
      for (let j = 0; j <= s.length; j++) next[j] = on ||= row[j] as boolean;
    } else {
      for (let j = 1; j <= s.length; j++)
        next[j] = (row[j - 1] as boolean) && ('one' in token || s[j - 1] === token.ch);
    }
    row = next;
  }
  return row[s.length] as boolean;
}

const exact = (c: string): string => c;
const caseless = (c: string): string => c.toLowerCase();

/** A LIKE condition on a stored value (MongoDB's reading); throws Refused for a pattern the adapter refuses. */
function likeHolds(value: unknown, pattern: string, insensitive: boolean, negate: boolean): boolean {
  if (likeMatch(pattern, '', exact) === null) throw new Refused('LIKE pattern ends with \\');
  const fold = insensitive ? caseless : exact;
  return textHolds(value, (s) => likeMatch(pattern, s, fold) === true, negate);
}

function compareHolds(docValue: unknown, op: string, value: unknown, dbType: string | undefined): boolean {
  if (value === null || value === undefined)
    return op === 'eq' ? isNullish(docValue) : op === 'neq' ? !isNullish(docValue) : false;
  const values = meaning(value, dbType);
  const equal = () => anyOf(docValue, (x) => values.some((v) => same(x, v)));
  if (op === 'eq') return equal();
  if (op === 'neq') return !equal() && !isNullish(docValue);
  const v = values[0];
  return anyOf(docValue, (x) => {
    const o = order(x, v);
    if (o === null) return false;
    return op === 'gt' ? o > 0 : op === 'gte' ? o >= 0 : op === 'lt' ? o < 0 : o <= 0;
  });
}

function inHolds(docValue: unknown, values: unknown[], dbType: string | undefined): boolean {
  const all = values.flatMap((v) => meaning(v, dbType));
  if (all.includes(null) && isNullish(docValue)) return true;
  return anyOf(docValue, (x) => all.some((v) => v !== null && same(x, v)));
}

function textHolds(docValue: unknown, test: (s: string) => boolean, negate: boolean): boolean {
  const hit = anyOf(docValue, (x) => typeof x === 'string' && test(x));
  return negate ? !hit && !isNullish(docValue) : hit;
}

class Refused extends Error {}

/** Whether an IR filter holds for a document; throws Refused where the adapter must refuse the filter. */
function holds(expr: Expr, doc: Document, types: Map<string, string>): boolean {
  switch (expr.kind) {
    case 'and':
      return expr.items.map((item) => holds(item, doc, types)).every(Boolean);
    case 'or':
      return expr.items.map((item) => holds(item, doc, types)).some(Boolean);
    case 'not':
      return !holds(expr.item, doc, types);
    case 'const':
      return expr.value;
    case 'isNull':
      return isNullish(doc[expr.field]) === expr.isNull;
    case 'compare':
      return compareHolds(doc[expr.field], expr.op, expr.value, types.get(expr.field));
    case 'between':
      return (
        compareHolds(doc[expr.field], 'gte', expr.low, types.get(expr.field)) &&
        compareHolds(doc[expr.field], 'lte', expr.high, types.get(expr.field))
      );
    case 'in': {
      const hit = inHolds(doc[expr.field], expr.values, types.get(expr.field));
      return expr.negate ? !hit && !isNullish(doc[expr.field]) : hit;
    }
    case 'match': {
      const value = doc[expr.field];
      const v = expr.value;
      switch (expr.op) {
        case 'contains':
          return textHolds(value, (s) => s.includes(v), false);
        case 'startsWith':
          return textHolds(value, (s) => s.startsWith(v), false);
        case 'endsWith':
          return textHolds(value, (s) => s.endsWith(v), false);
        default:
          return likeHolds(value, v, expr.op === 'ilike' || expr.caseInsensitive, expr.op === 'notLike');
      }
    }
    default:
      throw new Error(`the oracle does not evaluate ${expr.kind}`);
  }
}

/** An `_id` as clients see it (hex for an ObjectId) and as a map key that keeps types apart. */
function shownId(id: unknown): string {
  return id instanceof ObjectId
    ? id.toHexString()
    : typeof id === 'string'
      ? id
      : BSON.EJSON.stringify(id as any);
}
function keyOf(id: unknown): string {
  return id instanceof ObjectId
    ? `o:${id.toHexString()}`
    : typeof id === 'string'
      ? `s:${id}`
      : `x:${BSON.EJSON.stringify(id as any)}`;
}

/** Keys anywhere in a value that MongoDB would read as an operator or a path, or cannot store (or `__proto__`, refused). */
function unsafeKeys(value: unknown, depth = 0): string[] {
  if (depth > 200 || value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((v) => unsafeKeys(v, depth + 1));
  if (value instanceof Date || value instanceof ObjectId || (value as any)._bsontype) return [];
  return Object.entries(value).flatMap(([k, v]) => [
    ...(k.startsWith('$') || k.includes('.') || k.includes('\u0000') || k === '' || k === '__proto__'
      ? [k]
      : []),
    ...unsafeKeys(v, depth + 1),
  ]);
}

function jsonDepth(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  return 1 + Math.max(0, ...Object.values(value).map(jsonDepth));
}

// ---- the run's state: data as seeded, the server, the raw driver --------------------------------------------

interface TableState {
  /** As stored (BSON wrappers kept), for restoring. */
  raw: Map<string, Document>;
  /** As the driver promotes them, for the oracle. */
  docs: Document[];
  byKey: Map<string, Document>;
  hash: string;
  types: Map<string, string>;
  entry: TableEntry;
}

const chinook = useChinook('sqlite');
const community = useCommunity();
let server: TestServer;
let rest: RestClient;
let client: MongoClient;
let db: Db;
let index: ModelIndex;
const tables = {} as Record<Table, TableState>;
/** Chinook Track names by TrackId, for GraphQL `track: {…}` conditions. */
const trackNames = new Map<number, string>();
/** What a response must not show besides the fixed patterns: this run's database name and MongoDB port. */
let runSecrets: RegExp;
const channelLines: string[] = [];
/**
 * Two literal behaviours the REST layer may have for MongoDB records, found out by probing at the start:
 * record keys starting with `$` or containing `.` refused (400) or ignored like any unknown key (compat
 * §5.3); JSON field values stored as sub-documents (operator-like keys inside then refused) or as JSON text.
 */
const policy = {
  recordKeys: 'refused' as 'refused' | 'ignored',
  jsonValues: 'document' as 'document' | 'text',
};

async function hashOf(table: Table): Promise<string> {
  const docs = await db.collection(table).find({}, { promoteValues: false, promoteLongs: false }).toArray();
  const lines = docs.map((d) => `${keyOf(d._id)} ${BSON.EJSON.stringify(d, { relaxed: false })}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

beforeAll(async () => {
  client = new MongoClient(community.mongo.url);
  await client.connect();
  db = client.db(community.database);
  const kept = await db
    .collection('reviews')
    .find({}, { projection: { _id: 1 }, sort: { _id: 1 }, limit: KEEP_REVIEWS })
    .toArray();
  await db.collection('reviews').deleteMany({ _id: { $nin: kept.map((d) => d._id) } });
  await db.collection('reviews').insertMany(BAIT_REVIEWS);
  await db.collection('mixtapes').insertMany(BAIT_MIXTAPES as Document[]);
  server = await startTestServer(testConfig([chinook.service, community.service], communityKeys()));
  rest = restClient(server);
  const model = (await (await fetch(`${rest.origin}/_model`)).json()) as { services: DataModel['services'] };
  index = new ModelIndex({ services: model.services } as DataModel);
  const probeKeys = await rest.request(TABLE_PATH('reviews'), {
    json: [{ body: 'policy probe 1', $set: { rating: 1 } }],
  });
  policy.recordKeys = probeKeys.status === 200 ? 'ignored' : 'refused';
  await rest.request(TABLE_PATH('reviews'), {
    json: [{ body: 'policy probe 2', author: { name: 'probe' } }],
  });
  const probed = await db.collection('reviews').findOne({ body: 'policy probe 2' });
  policy.jsonValues = typeof probed?.author === 'string' ? 'text' : 'document';
  await db.collection('reviews').deleteMany({ body: { $in: ['policy probe 1', 'policy probe 2'] } });
  for (const table of TABLES) {
    const entry = index.findTable('community', table);
    if (!entry) throw new Error(`the model has no community.${table}`);
    const raw = await db.collection(table).find({}, { promoteValues: false, promoteLongs: false }).toArray();
    const docs = await db.collection(table).find({}).toArray();
    tables[table] = {
      raw: new Map(raw.map((d) => [keyOf(d._id), d])),
      docs,
      byKey: new Map(docs.map((d) => [keyOf(d._id), d])),
      hash: await hashOf(table),
      types: new Map(entry.table.fields.map((f) => [f.name, f.dbType])),
      entry,
    };
  }
  const trackIds = [...new Set(tables.reviews.docs.map((d) => d.track_id as number))];
  const tracks = await rest.get(`/api/v2/chinook/_table/Track?fields=TrackId,Name&ids=${trackIds.join(',')}`);
  for (const t of tracks.body.resource as { TrackId: number; Name: string }[])
    trackNames.set(t.TrackId, t.Name);
  const port = new URL(community.mongo.url.replace(/^mongodb:/, 'http:')).port;
  runSecrets = new RegExp(`${community.database}|:${port}\\b`);
}, 120_000);

afterAll(async () => {
  if (channelLines.length > 0)
    console.log(
      `MongoDB injection fuzz (${REPRO}; REST records: $/dotted keys ${policy.recordKeys}, JSON values as ${policy.jsonValues}):\n  ${channelLines.join('\n  ')}`,
    );
  await client?.close();
  await server?.close();
});

// ---- counting and judging answers ----------------------------------------------------------------------------

class Tally {
  private readonly started = performance.now();
  cases = 0;
  private readonly classes = new Map<string, number>();
  private readonly codes = new Map<string, number>();
  private readonly notes = new Map<string, number>();
  private readonly failures = new Map<string, string[]>();
  private writes = 0;

  constructor(readonly channel: string) {}

  answer(status: number, code?: string): void {
    const cls = `${Math.floor(status / 100)}xx`;
    this.classes.set(cls, (this.classes.get(cls) ?? 0) + 1);
    const key = code === undefined ? String(status) : `${status} ${code}`;
    this.codes.set(key, (this.codes.get(key) ?? 0) + 1);
  }

  note(what: string): void {
    this.notes.set(what, (this.notes.get(what) ?? 0) + 1);
  }

  private readonly seen = new Set<string>();

  /** Records a failure; with `once`, one per kind and request (not one per document it touched). */
  fail(kind: string, repro: string, once?: string): void {
    if (once !== undefined) {
      if (this.seen.has(`${kind}\u0001${once}`)) return;
      this.seen.add(`${kind}\u0001${once}`);
    }
    this.failures.set(kind, [...(this.failures.get(kind) ?? []), repro]);
  }

  get failureCount(): number {
    return [...this.failures.values()].reduce((n, list) => n + list.length, 0);
  }

  /** Counts a write case; true when a full-collection check is due. */
  wrote(): boolean {
    this.writes += 1;
    return this.writes % SNAPSHOT_EVERY === 0;
  }

  line(): string {
    const seconds = ((performance.now() - this.started) / 1000).toFixed(1);
    const sort = (m: Map<string, number>) => JSON.stringify(Object.fromEntries([...m].sort()));
    return (
      `${this.channel}: ${this.cases} cases in ${seconds} s; answers ${sort(this.classes)}; ` +
      `by code ${sort(this.codes)}; ${this.failureCount} failures` +
      (this.notes.size > 0 ? `; noted ${sort(this.notes)}` : '')
    );
  }

  report(): string[] {
    return [...this.failures].map(
      ([kind, cases]) => `${cases.length} × ${kind}\n    e.g. ${cases.slice(0, 3).join('\n    e.g. ')}`,
    );
  }
}

function clip(text: string, max = 500): string {
  return text.length <= max ? text : `${text.slice(0, max)}…(${text.length} chars)`;
}

/** Every string in a value, keys included. */
function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out);
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      stringsIn(v, out);
    }
  return out;
}

const LEAK =
  /MongoServerError|MongoError|MongoBulkWriteError|MongoInvalidArgument|BSONError|BSONTypeError|E11000|errmsg|codeName|errInfo|\$where|\$function|\$accumulator|mongodb(\+srv)?:\/\/|mongomock|mockupdb|Traceback|node_modules|\bat \S+ \(|\.[cm]?[jt]s:\d+|\.py\b|\bstack\b/i;

/**
 * Driver internals in a response body, after removing what the client sent (messages quote the request's
 * own text, which is not a leak). HTML entities of DreamFactory messages are decoded first.
 */
function leakIn(text: string, sent: string[]): string | null {
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: search the text itself
  }
  let body = stringsIn(parsed)
    .join('\n')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#0?39;/g, "'")
    .replace(/&amp;/g, '&');
  for (const whole of [...sent].sort((a, b) => b.length - a.length))
    if (whole.length > 0) body = body.split(whole).join(' ');
  // Messages quote pieces of the request (`Invalid … field in filter request: '$where$lookup'`): a term the
  // client itself sent is an echo, not a leak.
  const echoed = sent.join('\n').toLowerCase();
  for (const match of body.matchAll(new RegExp(LEAK.source, 'gi')))
    if (!echoed.includes(match[0].toLowerCase())) return match[0];
  const secret = runSecrets.exec(body);
  return secret ? secret[0] : null;
}

// ---- REST requests --------------------------------------------------------------------------------------------

interface Req {
  method: string;
  path: string;
  headers?: Record<string, string>;
  json?: unknown;
}

const enc = encodeURIComponent;
const TABLE_PATH = (table: string) => `/api/v2/community/_table/${table}`;

function showReq(req: Req): string {
  const headers = req.headers ? ` ${JSON.stringify(req.headers)}` : '';
  const body = req.json === undefined ? '' : ` body ${clip(JSON.stringify(req.json), 700)}`;
  return `${req.method} ${clip(req.path, 700)}${headers}${body}`;
}

function sentStrings(req: Req): string[] {
  const url = new URL(req.path, 'http://x');
  const segments = url.pathname.split('/').map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      return segment;
    }
  });
  return [...segments, ...url.searchParams.values(), ...stringsIn(req.json)];
}

/** DreamFactory's documented 500 for an unknown id_field (dreamfactory-compat.md §1.2; security-corpus.test.ts). */
const DF_UNKNOWN_ID_FIELD =
  /^Failed to retrieve records from '[^']+'\.\nIdentifying field\(s\) could not be determined\.$/;

/**
 * Sends a REST request and judges what every answer must satisfy; returns the result when the case's own
 * oracle should look at it, null when it was already judged (failed, or the accepted DF 500).
 */
async function sendRest(t: Tally, req: Req): Promise<RestResult | null> {
  const logged = server.log.length;
  let r: RestResult;
  try {
    r = await rest.request(req.path, { method: req.method, headers: req.headers, json: req.json });
  } catch (error) {
    t.fail('no usable answer', `${showReq(req)} → ${(error as Error).message}`);
    return null;
  }
  t.answer(r.status);
  const what = () => `${showReq(req)} → ${r.status} ${clip(r.text, 300)}`;
  const leak = leakIn(r.text, sentStrings(req));
  if (leak) t.fail(`response shows ${JSON.stringify(leak)}`, what());
  if (r.status >= 400) {
    const e = (r.body as any)?.error;
    if (
      !e ||
      typeof e !== 'object' ||
      typeof e.message !== 'string' ||
      e.status_code !== r.status ||
      !('code' in e)
    ) {
      t.fail('error outside the DreamFactory envelope', what());
      return null;
    }
    if (r.status === 500 && DF_UNKNOWN_ID_FIELD.test(e.message)) {
      t.note('DreamFactory 500 for an unknown id_field');
      return null;
    }
  }
  if (r.status >= 500) {
    const causes = server.log.slice(logged).join(' | ').split('\n')[0] ?? '';
    t.fail(
      `${r.status} ${clip((r.body as any)?.error?.message ?? '', 60)}`,
      `${what()} [log: ${clip(causes, 300)}]`,
    );
    return null;
  }
  return r;
}

/** `_id`s of the records in a 200 list answer (`{resource:[…]}`). */
function listedIds(r: RestResult): string[] | null {
  const list = (r.body as any)?.resource;
  if (!Array.isArray(list)) return null;
  return list.map((row: any) => String(row?._id));
}

function compareSets(t: Tally, what: string, got: string[], expected: Set<string>): void {
  const extra = got.filter((id) => !expected.has(id));
  const missing = [...expected].filter((id) => !got.includes(id));
  if (extra.length > 0)
    t.fail(
      'widened: returned documents the literal request does not match',
      `${what} extra ${clip(extra.join(','), 200)}`,
    );
  if (missing.length > 0)
    t.fail(
      'narrowed: missed documents the literal request matches',
      `${what} missing ${clip(missing.join(','), 200)}`,
    );
}

// ---- writes: effects, checks, undo ----------------------------------------------------------------------------

function coll(table: Table): Collection<Document> {
  return db.collection(table);
}

/** Documents carrying the case's marker, and (for deletes) which seeded documents are gone. */
async function effects(table: 'reviews' | 'mixtapes', marker: string, scanIds: boolean) {
  const marked = await coll(table)
    .find({ [MARK[table]]: marker })
    .toArray();
  let gone: string[] = [];
  let count: number;
  if (scanIds) {
    const present = await coll(table)
      .find({}, { projection: { _id: 1 } })
      .toArray();
    const keys = new Set(present.map((d) => keyOf(d._id)));
    gone = [...tables[table].raw.keys()].filter((k) => !keys.has(k));
    count = present.length;
  } else {
    count = await coll(table).estimatedDocumentCount();
  }
  return { marked, gone, count };
}

/**
 * Puts back every document the case touched (the periodic full-collection check catches anything else); many
 * at once by reloading the collection.
 */
async function undo(table: 'reviews' | 'mixtapes', touched: Document[], gone: string[]): Promise<void> {
  const state = tables[table];
  if (touched.length + gone.length > 20) {
    await restoreAll(table);
    return;
  }
  for (const doc of touched) {
    const original = state.raw.get(keyOf(doc._id));
    if (original) await coll(table).replaceOne({ _id: original._id }, original);
    else await coll(table).deleteOne({ _id: doc._id });
  }
  for (const key of gone) {
    const original = state.raw.get(key) as Document;
    await coll(table).replaceOne({ _id: original._id }, original, { upsert: true });
  }
}

async function restoreAll(table: Table): Promise<void> {
  await coll(table).deleteMany({});
  await coll(table).insertMany([...tables[table].raw.values()]);
}

/** Every collection must hash as seeded; a difference is a failure of the window of cases since the last check. */
async function checkSnapshot(t: Tally, window: string): Promise<void> {
  for (const table of TABLES) {
    if ((await hashOf(table)) === tables[table].hash) continue;
    const now = await coll(table).find({}).toArray();
    const changed = now.filter((d) => !same(d, tables[table].byKey.get(keyOf(d._id))));
    const keys = new Set(now.map((d) => keyOf(d._id)));
    const lost = [...tables[table].raw.keys()].filter((k) => !keys.has(k));
    t.fail(
      `${table} changed outside what the cases wrote`,
      `${window}: changed ${clip(changed.map((d) => BSON.EJSON.stringify(d)).join(' '), 400)} lost ${lost.join(',')}`,
    );
    await restoreAll(table);
  }
}

/** Stored documents compared with the literal expectation: same keys, same values, no operator-like key. */
function storedDiff(stored: Document, expected: Record<string, unknown>): string | null {
  for (const [k, v] of Object.entries(expected))
    if (!same(stored[k], v))
      return `${k}: stored ${clip(BSON.EJSON.stringify(stored[k] ?? null), 120)}, sent ${clip(BSON.EJSON.stringify(v as any), 120)}`;
  for (const k of Object.keys(stored))
    if (k !== '_id' && !Object.hasOwn(expected, k)) return `stored unexpected key ${JSON.stringify(k)}`;
  const unsafe = unsafeKeys(stored);
  return unsafe.length > 0 ? `stored operator-like keys ${JSON.stringify(unsafe)}` : null;
}

// ---- REST record bodies: what a record literally means ------------------------------------------------------

const INTEGER_TYPES = new Set(['id', 'reference', 'integer', 'bigint']);
const NUMBER_TYPES = new Set(['decimal', 'double', 'float', 'money']);

function findField(entry: TableEntry, name: string): FieldModel | undefined {
  return (
    entry.fields.get(name) ?? entry.table.fields.find((f) => f.name.toLowerCase() === name.toLowerCase())
  );
}

/** One record → the values it sets (column → value as stored), or why DreamFactory refuses it. */
function recordMeaning(
  entry: TableEntry,
  record: unknown,
): { values: Record<string, unknown> } | { refused: string } {
  if (!record || typeof record !== 'object' || Array.isArray(record)) return { refused: 'not an object' };
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (policy.recordKeys === 'refused' && (key.startsWith('$') || key.includes('.')))
      return { refused: `key ${key}` };
    if (entry.relationsByName.has(key.toLowerCase())) {
      const empty = value === null || (typeof value === 'object' && Object.keys(value).length === 0);
      if (!empty) return { refused: `nested ${key}` };
      continue;
    }
    const field = findField(entry, key);
    if (!field) continue; // unknown keys are ignored (compat §5.3)
    if (value === null) {
      values[field.name] = null;
      continue;
    }
    if (typeof value === 'object' && !Array.isArray(value) && 'expression' in value)
      return { refused: 'expression' };
    if (INTEGER_TYPES.has(field.type)) {
      const ok =
        typeof value === 'number'
          ? Number.isInteger(value)
          : typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value);
      if (!ok) return { refused: `${field.name} not an integer` };
    } else if (NUMBER_TYPES.has(field.type)) {
      const ok =
        typeof value === 'number'
          ? Number.isFinite(value)
          : typeof value === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(value);
      if (!ok) return { refused: `${field.name} not a number` };
    }
    let literal: unknown = value;
    if (typeof value === 'object') {
      if (field.type !== 'json' && field.type !== 'array')
        return { refused: `${field.name} given an object` };
      if (policy.jsonValues === 'text') literal = JSON.stringify(value);
    }
    values[field.name] = literal;
  }
  // Sub-documents are checked as written, after a later key (`Author` after `author`) replaced an earlier one.
  for (const [column, value] of Object.entries(values))
    if (value !== null && typeof value === 'object' && unsafeKeys(value).length > 0)
      return { refused: `${column} holds operator-like keys` };
  return { values };
}

/** A value as the adapter stores it for a field (the documented conversions). */
function storedValue(entry: TableEntry, column: string, value: unknown): unknown {
  return meaning(value, entry.fields.get(column)?.dbType)[0];
}

/** Whether DreamFactory's create checks pass (checkCreate) for these values. */
function createRefusal(entry: TableEntry, values: Record<string, unknown>): string | null {
  if (Object.keys(values).length === 0) return 'no valid fields';
  for (const field of entry.table.fields) {
    if (field.readOnly) continue;
    const value = values[field.name];
    if (field.isPrimaryKey && !field.autoIncrement && isNullish(value) && field.default === null)
      return 'no id';
    if (value === undefined && field.required) return `${field.name} required`;
    if (value === null && !field.allowNull && !field.autoIncrement) return `${field.name} null`;
  }
  return null;
}

// ---- REST filters: generators and the independent reading of simple ones ----------------------------------

const REVIEW_FIELDS = [
  'title',
  'title',
  'title',
  'body',
  'body',
  '_id',
  'track_id',
  'rating',
  'author',
  'created_at',
  'tags',
  'helpful',
  'customer_id',
];
const FIELD_VARIANTS = ['TITLE', 'Title', 'RATING', '_ID', 'Created_At', 'BODY', 'Tags'];
const BAD_FIELDS = [
  '$where',
  '$expr',
  '$ne',
  '$gt',
  '$regex',
  '$title',
  '$$ROOT',
  '$',
  'author.name',
  'author.$where',
  'tags.0',
  'title.$gt',
  '_id.$oid',
  'this.rating',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '.',
  'title.',
  'title\u0000',
  'ti tle',
  '{"$ne":null}',
  '[title]',
  'author[name]',
  '%',
  '*',
  'chinook.Track_by_track_id',
];
const fieldName = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...REVIEW_FIELDS) },
  { weight: 1, arbitrary: fc.constantFrom(...FIELD_VARIANTS) },
  { weight: 3, arbitrary: fc.constantFrom(...BAD_FIELDS) },
);
const SIMPLE_OPS = [
  '=',
  '!=',
  '<>',
  '>',
  '>=',
  '<',
  '<=',
  'EQ',
  'NE',
  'GT',
  'GTE',
  'LT',
  'LTE',
  'like',
  'LIKE',
  'NOT LIKE',
  'CONTAINS',
  'NOT CONTAINS',
  'STARTS WITH',
  'ENDS WITH',
  'IS NULL',
  'IS NOT NULL',
  'NOT =',
];
const ALL_OPS = [...SIMPLE_OPS, 'IN', 'NOT IN', 'in'];
const filterText = fc.oneof({ weight: 6, arbitrary: shortText }, { weight: 1, arbitrary: longText });

interface SimpleFilter {
  field: string;
  op: string;
  quote: string;
  value: string;
}

function simpleText(s: SimpleFilter): string {
  return /NULL$/.test(s.op) ? `${s.field} ${s.op}` : `${s.field} ${s.op} ${s.quote}${s.value}${s.quote}`;
}

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

/** DreamFactory's typecast of filter value text (compat §4.1), for the fields the community data has. */
function castText(text: string, field: FieldModel): Scalar | Refused {
  if (INTEGER_TYPES.has(field.type)) {
    const t = text.trim();
    if (t === '' && field.allowNull) return null;
    if (!/^[+-]?\d+$/.test(t)) return new Refused('not an integer');
    const n = Number(t);
    return Number.isSafeInteger(n) ? n : t.replace(/^\+/, '');
  }
  if (field.type === 'boolean') {
    const t = text.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(t)) return true;
    if (['false', '0', 'no', 'off'].includes(t)) return false;
    return t === '' && field.allowNull ? null : new Refused('not a boolean');
  }
  return text;
}

/** `field op 'value'` read independently of src/rest/filter: the IR it must mean, or Refused. */
function simpleMeaning(s: SimpleFilter, entry: TableEntry): Expr | Refused {
  const field = findField(entry, s.field);
  if (!field) return new Refused('unknown field');
  const op = s.op.toUpperCase();
  if (op === 'IS NULL' || op === 'IS NOT NULL')
    return { kind: 'isNull', field: field.name, isNull: op === 'IS NULL' };
  const negate = op.startsWith('NOT ');
  const base = negate ? op.slice(4) : op;
  const quoted = `${s.quote}${s.value}${s.quote}`;
  const compare: Record<string, 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte'> = {
    '=': 'eq',
    EQ: 'eq',
    '!=': 'neq',
    '<>': 'neq',
    NE: 'neq',
    '>': 'gt',
    GT: 'gt',
    '>=': 'gte',
    GTE: 'gte',
    '<': 'lt',
    LT: 'lt',
    '<=': 'lte',
    LTE: 'lte',
  };
  const cmp = compare[base];
  if (cmp) {
    const value = castText(s.value, field);
    if (value instanceof Refused) return value;
    const expr: Expr = { kind: 'compare', field: field.name, op: cmp, value };
    return negate ? { kind: 'not', item: expr } : expr;
  }
  // LIKE takes the value; CONTAINS/STARTS WITH/ENDS WITH wrap the text WITH its quotes in % (compat Q13).
  const pattern =
    base === 'LIKE'
      ? s.value
      : base === 'CONTAINS'
        ? `%${quoted}%`
        : base === 'STARTS WITH'
          ? `${quoted}%`
          : `%${quoted}`;
  const value = castText(pattern, field);
  if (value instanceof Refused) return value;
  if (value === null) return { kind: 'const', value: false };
  if (NOT_TEXT.has(field.type)) return new Refused('LIKE on a non-text field');
  return {
    kind: 'match',
    field: field.name,
    op: negate ? 'notLike' : 'like',
    value: String(value),
    caseInsensitive: false,
  };
}

/** Equality and pattern operators first: negations and ranges return most of the collection (slow on the stand-in). */
const NARROW_OPS = ['=', 'EQ', 'like', 'LIKE', 'CONTAINS', 'STARTS WITH', 'ENDS WITH', 'IS NULL'];
const simpleOp = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NARROW_OPS) },
  { weight: 2, arbitrary: fc.constantFrom(...SIMPLE_OPS) },
);
const simpleFilter: fc.Arbitrary<SimpleFilter> = fc.record({
  field: fieldName,
  op: simpleOp,
  quote: fc.constantFrom("'", '"'),
  value: fc.oneof(
    { weight: 4, arbitrary: filterText },
    { weight: 1, arbitrary: fc.constantFrom(...LITERAL_HITS) },
  ),
});

const NOISE = [
  '(',
  ')',
  '((',
  '))',
  '[',
  ']',
  '{',
  '}',
  '{"$ne":null}',
  '$where',
  '$',
  '.',
  "'",
  '"',
  '\\',
  '\u0000',
  'AND',
  'OR',
  'NOT',
  ',',
  ';',
  '$expr',
  '||',
  '&&',
  ':p',
  '{user.id}',
];
const valueText = fc.oneof(
  { weight: 3, arbitrary: filterText.map((p) => `'${p}'`) },
  { weight: 1, arbitrary: filterText.map((p) => `"${p}"`) },
  { weight: 2, arbitrary: filterText },
  {
    weight: 1,
    arbitrary: fc
      .array(shortText, { minLength: 1, maxLength: 3 })
      .map((ps) => `(${ps.map((p) => `'${p}'`).join(', ')})`),
  },
  { weight: 1, arbitrary: fc.constantFrom('1', '0', '-1', '4', 'null', 'true', "''", "('a', 'b')") },
);
const condition = fc
  .tuple(fieldName, fc.constantFrom(...ALL_OPS), valueText)
  .map(([f, op, v]) => (/NULL$/.test(op) ? `${f} ${op}` : `${f} ${op} ${v}`));
const compoundFilter = fc
  .tuple(
    fc.array(
      fc.tuple(
        condition,
        fc.nat(3).map((n) => n > 0),
      ),
      { minLength: 1, maxLength: 4 },
    ),
    fc.constantFrom(' AND ', ' OR ', ' && ', ' || ', ' XOR ', ' NOR ', ' AND NOT ', ' or '),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom(...NOISE)), { maxLength: 2 }),
    fc.constantFrom('', 'NOT ', '(', '(('),
  )
  .map(([conditions, logic, noise, wrap]) => {
    let text = conditions.map(([c, paren]) => (paren ? `(${c})` : c)).join(logic);
    for (const [at, token] of noise) {
      const i = at % (text.length + 1);
      text = text.slice(0, i) + token + text.slice(i);
    }
    if (wrap === 'NOT ') return wellFormed(`NOT (${text})`);
    return wellFormed(wrap === '' ? text : `${wrap}${text}${wrap === '(' ? ')' : '))'}`);
  });
const soupFilter = fc.oneof(
  fc
    .array(fc.constantFrom(...NOISE, ...REVIEW_FIELDS, ...BAD_FIELDS, ...ALL_OPS, ...OPERATOR_TEXT), {
      maxLength: 12,
    })
    .map((t) => t.join(' ')),
  fc
    .array(fc.constantFrom(...NOISE, ...REVIEW_FIELDS, ...ALL_OPS, ...OPERATOR_TEXT), { maxLength: 12 })
    .map((t) => t.join('')),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  jsonTree.map((v) => JSON.stringify(v)),
);

type FilterCase =
  | { shape: 'simple'; filter: string; simple: SimpleFilter; tunnel: boolean }
  | { shape: 'compound' | 'soup'; filter: string; tunnel: boolean }
  | { shape: 'params'; filter: string; params: Record<string, unknown>; tunnel: true }
  | { shape: 'object'; filter: unknown; tunnel: true }
  | { shape: 'huge'; filter: string; tunnel: true };

const paramsCase = fc
  .tuple(
    fc.constantFrom(
      'title = :p',
      'body != :p',
      'title LIKE :p',
      'rating > :p',
      'title IN (:p, :q)',
      '(title = :p) OR (body = :q)',
      '_id = :p',
      'tags = :p',
      'created_at < :p',
    ),
    fc.constantFrom(':p', 'p'),
    recordValue,
    recordValue,
  )
  .map(([filter, key, p, q]): FilterCase => ({
    shape: 'params',
    filter,
    params: { [key]: p, [key.replace('p', 'q')]: q },
    tunnel: true,
  }));

const filterCase: fc.Arbitrary<FilterCase> = fc
  .oneof(
    {
      weight: 10,
      arbitrary: fc.tuple(simpleFilter, fc.nat(9)).map(([s, n]): FilterCase => ({
        shape: 'simple',
        filter: simpleText(s),
        simple: s,
        tunnel: n === 0,
      })),
    },
    {
      weight: 6,
      arbitrary: fc
        .tuple(compoundFilter, fc.nat(9))
        .map(([f, n]): FilterCase => ({ shape: 'compound', filter: f, tunnel: n === 0 })),
    },
    {
      weight: 2,
      arbitrary: soupFilter.map((f): FilterCase => ({ shape: 'soup', filter: f, tunnel: false })),
    },
    { weight: 1, arbitrary: paramsCase },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          jsonValue,
          fc.constantFrom(
            { rating: { $gt: 4 } },
            { $where: 'this.rating > 4' },
            { title: { $regex: '^m' } },
            [{ rating: 5 }],
          ),
        )
        .map((filter): FilterCase => ({ shape: 'object', filter, tunnel: true })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom('title = ', 'title LIKE ', 'body CONTAINS '),
          fc.constantFrom("'", ''),
          fc.constantFrom('{"$ne":null}', '.*', '(', 'a'),
          // Past the grammar's 100,000-character limit (a 400), or a few thousand characters (evaluated).
          fc.oneof(fc.constant(100_000), fc.integer({ min: 500, max: 2_000 })),
        )
        .map(([head, q, p, n]): FilterCase => ({
          shape: 'huge',
          filter: `${head}${q}${p.repeat(Math.ceil(n / p.length))}${q}`,
          tunnel: true,
        })),
    },
  )
  .filter((c) =>
    [...stringsIn(c.filter), ...(c.shape === 'params' ? stringsIn(c.params) : [])].every(fewPercents),
  );

/** What a filter request literally means: the matching reviews' ids, or Refused (a 400). */
function filterMeaning(c: FilterCase): Set<string> | Refused {
  const reviews = tables.reviews;
  if (typeof c.filter !== 'string') return new Set(reviews.docs.map((d) => shownId(d._id))); // compat Q15
  let expr: Expr | null;
  try {
    expr = parseFilter(c.filter, reviews.entry, c.shape === 'params' ? c.params : {});
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) return new Refused(error.message);
    throw error;
  }
  return exprMatches(expr);
}

/** The reviews an IR filter holds for (all for null), or Refused where the adapter must refuse it. */
function exprMatches(expr: Expr | null): Set<string> | Refused {
  const reviews = tables.reviews;
  if (expr === null) return new Set(reviews.docs.map((d) => shownId(d._id)));
  const matched = new Set<string>();
  try {
    for (const doc of reviews.docs) if (holds(expr, doc, reviews.types)) matched.add(shownId(doc._id));
  } catch (error) {
    if (error instanceof Refused) return error;
    throw error;
  }
  return matched;
}

// ---- REST ids ---------------------------------------------------------------------------------------------------

const idText = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ID_HITS) },
  { weight: 4, arbitrary: shortText },
);
const pathId = idText.filter((s) => s !== '' && s !== '.' && s !== '..');
/** What a JSON body can put where an id goes. */
const idValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: idText },
  { weight: 3, arbitrary: jsonValue },
  { weight: 1, arbitrary: fc.constantFrom(...SEEDED_IDS).map((id) => ({ _id: id })) },
  { weight: 1, arbitrary: fc.constantFrom(...SEEDED_IDS).map((id) => ({ $oid: id })) },
  { weight: 1, arbitrary: fc.integer({ min: -1, max: 300 }) },
);
const ID_FIELDS = [
  'title',
  'TITLE',
  'track_id',
  'tags',
  'author',
  'rating',
  'title,body',
  '$where',
  'author.name',
  '__proto__',
  ' ',
  '_id',
  'name',
];
const idField = fc.oneof(
  { weight: 8, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom(...ID_FIELDS) },
);
const idTable = fc.constantFrom<'reviews' | 'mixtapes'>('reviews', 'reviews', 'reviews', 'mixtapes');

type IdCase =
  | {
      kind: 'get' | 'patch' | 'delete';
      table: 'reviews' | 'mixtapes';
      id: string;
      idField: string | undefined;
    }
  | {
      kind: 'getIds' | 'patchIds' | 'deleteIds';
      table: 'reviews' | 'mixtapes';
      ids: string[];
      idField: string | undefined;
    }
  | {
      kind: 'bodyIds' | 'bodyRecords' | 'putRecords' | 'deleteRecords';
      table: 'reviews' | 'mixtapes';
      values: unknown[];
      idField: string | undefined;
    };

const idList = fc.array(idText, { minLength: 1, maxLength: 4 });
const idValues = fc.array(idValue, { minLength: 1, maxLength: 3 });
const idCase: fc.Arbitrary<IdCase> = fc.oneof(
  {
    weight: 25,
    arbitrary: fc.record({ kind: fc.constant('get' as const), table: idTable, id: pathId, idField }),
  },
  {
    weight: 20,
    arbitrary: fc.record({ kind: fc.constant('getIds' as const), table: idTable, ids: idList, idField }),
  },
  {
    weight: 15,
    arbitrary: fc.record({
      kind: fc.constant('bodyIds' as const),
      table: idTable,
      values: idValues,
      idField,
    }),
  },
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('bodyRecords' as const),
      table: idTable,
      values: idValues,
      idField,
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({ kind: fc.constant('patch' as const), table: idTable, id: pathId, idField }),
  },
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('patchIds' as const), table: idTable, ids: idList, idField }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('putRecords' as const),
      table: idTable,
      values: idValues,
      idField: fc.constant(undefined),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('delete' as const), table: idTable, id: pathId, idField }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('deleteIds' as const), table: idTable, ids: idList, idField }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('deleteRecords' as const),
      table: idTable,
      values: idValues,
      idField: fc.constant(undefined),
    }),
  },
);

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** The identifying fields (`id_field` or the key); 'unknown' for DreamFactory's 500. */
function idFieldsOf(entry: TableEntry, named: string | undefined): FieldModel[] | 'unknown' {
  if (named !== undefined && named.trim() !== '') {
    const fields = splitList(named).map((n) => findField(entry, n));
    return fields.every((f) => f !== undefined) ? (fields as FieldModel[]) : 'unknown';
  }
  return entry.table.primaryKey.map((c) => entry.fields.get(c) as FieldModel);
}

/** The id each item of a request names, as the request's own parsing reads it (compat §1.2, §3). */
function namedIds(c: IdCase, fields: FieldModel[] | 'unknown'): unknown[] {
  if ('id' in c) return [c.id];
  if ('ids' in c) return splitList(c.ids.join(','));
  if (c.kind !== 'bodyRecords') return c.values;
  // A GET body record gives its key column's value (the record itself for a composite key).
  const key = fields === 'unknown' || fields.length !== 1 ? null : (fields[0] as FieldModel).name;
  return c.values.map((v) => {
    const record: Record<string, unknown> = { _id: v };
    return key === null ? record : record[key];
  });
}

/** DreamFactory's id typecast (typedId): Refused for a non-integer on an integer field. */
function typedId(field: FieldModel, value: unknown): Scalar | Refused {
  if (value === null || value === undefined) return null;
  if (INTEGER_TYPES.has(field.type)) {
    const text = String(value).trim();
    if (!/^[-+]?\d+$/.test(text)) return new Refused('not an integer');
    return field.type === 'bigint' ? text : Number(text);
  }
  return typeof value === 'number' || typeof value === 'boolean' ? value : String(value);
}

/** The documents one id names literally (every identifying field equal to it); Refused for a 400. */
function idTargets(
  table: 'reviews' | 'mixtapes',
  fields: FieldModel[],
  id: unknown,
  typed: boolean,
): Set<string> | Refused {
  const state = tables[table];
  const values: unknown[] = [];
  for (const field of fields) {
    const raw = id !== null && typeof id === 'object' ? (id as Record<string, unknown>)[field.name] : id;
    const value = typed ? typedId(field, raw) : raw;
    if (value instanceof Refused) return value;
    values.push(value);
  }
  const out = new Set<string>();
  if (values.some((v) => v === null || v === undefined)) return out;
  for (const doc of state.docs)
    if (fields.every((f, i) => compareHolds(doc[f.name], 'eq', values[i], state.types.get(f.name))))
      out.add(shownId(doc._id));
  return out;
}

// ---- GraphQL --------------------------------------------------------------------------------------------------

interface GqlAnswer {
  status: number;
  text: string;
  body: any;
}

async function gql(query: string, variables?: Record<string, unknown>): Promise<GqlAnswer | Error> {
  try {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
    });
    const text = await response.text();
    return { status: response.status, text, body: JSON.parse(text) };
  } catch (error) {
    return error as Error;
  }
}

const CLIENT_CODES = new Set(['BAD_USER_INPUT', 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED']);

/** Judges what every GraphQL answer must satisfy; returns its error codes, or null when already failed. */
function judgeGql(t: Tally, what: string, a: GqlAnswer | Error, sent: string[]): string[] | null {
  if (a instanceof Error) {
    t.fail('no usable answer', `${what} → ${a.message}`);
    return null;
  }
  const errors: any[] = Array.isArray(a.body?.errors) ? a.body.errors : [];
  const codes = errors.map((e) => String(e?.extensions?.code));
  t.answer(a.status, errors.length > 0 ? codes[0] : 'data');
  const show = () => `${what} → ${a.status} ${clip(a.text, 300)}`;
  const leak = leakIn(a.text, sent);
  if (leak) t.fail(`response shows ${JSON.stringify(leak)}`, show());
  if (a.status >= 500) {
    t.fail(`HTTP ${a.status}`, show());
    return null;
  }
  for (const [i, code] of codes.entries()) {
    const known = (ERROR_CODES as Record<string, { status: number }>)[code];
    if (typeof errors[i]?.message !== 'string') t.fail('GraphQL error without a message', show());
    else if (known ? known.status >= 500 : !CLIENT_CODES.has(code)) {
      t.fail(`GraphQL error ${code}: ${clip(errors[i].message, 60)}`, show());
      return null;
    }
  }
  return codes;
}

const GQL_FIELDS: Record<string, string> = {
  id: '_id',
  title: 'title',
  body: 'body',
  rating: 'rating',
  helpful: 'helpful',
  trackId: 'track_id',
  customerId: 'customer_id',
  author: 'author',
  tags: 'tags',
  createdAt: 'created_at',
};
const GQL_TEXT_FIELDS = ['title', 'title', 'body', 'id'];
const GQL_INT_FIELDS = ['rating', 'helpful', 'trackId', 'customerId'];
const TEXT_OPS = [
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'like',
  'notLike',
  'ilike',
  'contains',
  'startsWith',
  'endsWith',
];
const DATE_TIMES = [
  '2024-10-03T11:52:22.000Z',
  '2024-10-03T11:52:22',
  '2024-01-01',
  '2024-06-01 00:00:00',
  '2024-01-03T00:00:00Z',
];
const GQL_DATE_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;
const gqlText = fc.oneof(
  { weight: 5, arbitrary: filterText },
  { weight: 2, arbitrary: fc.constantFrom(...LITERAL_HITS, ...ID_HITS) },
);

interface GqlWhere {
  where: Record<string, unknown>;
  /** Whether GraphQL accepts it (types, names, ranges); LIKE patterns are judged by the evaluation. */
  valid: boolean;
}

const gqlLeaf: fc.Arbitrary<GqlWhere> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...GQL_TEXT_FIELDS),
        fc.oneof(
          {
            weight: 2,
            arbitrary: fc.constantFrom('eq', 'like', 'ilike', 'contains', 'startsWith', 'endsWith'),
          },
          { weight: 1, arbitrary: fc.constantFrom(...TEXT_OPS) },
        ),
        gqlText,
      )
      .map(([f, op, v]) => ({ where: { [f]: { [op]: v } }, valid: true })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...GQL_TEXT_FIELDS),
        fc.constantFrom('in', 'nin'),
        fc.array(gqlText, { maxLength: 3 }),
      )
      .map(([f, op, v]) => ({ where: { [f]: { [op]: v } }, valid: true })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...GQL_TEXT_FIELDS), gqlText, gqlText)
      .map(([f, from, to]) => ({ where: { [f]: { between: { from, to } } }, valid: true })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...Object.keys(GQL_FIELDS)), fc.boolean())
      .map(([f, v]) => ({ where: { [f]: { isNull: v } }, valid: true })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...GQL_TEXT_FIELDS, ...GQL_INT_FIELDS), fc.constantFrom('eq', 'neq'))
      .map(([f, op]) => ({ where: { [f]: { [op]: null } }, valid: true })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...GQL_INT_FIELDS),
        fc.constantFrom('eq', 'neq', 'gt', 'gte', 'lt', 'lte'),
        fc.integer({ min: -5, max: 300 }),
      )
      .map(([f, op, v]) => ({ where: { [f]: { [op]: v } }, valid: true })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('eq', 'gt', 'lte'), fc.oneof(fc.constantFrom(...DATE_TIMES), gqlText))
      .map(([op, v]) => ({ where: { createdAt: { [op]: v } }, valid: GQL_DATE_TIME.test(v) })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('eq', 'like', 'contains'), gqlText)
      .map(([op, v]) => ({ where: { track: { name: { [op]: v } } }, valid: true })),
  },
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        fc
          .tuple(fc.constantFrom(...OP_KEYS, 'author.name', '__proto__', 'title.$gt'), gqlText)
          .map(([k, v]) => objectOf([[k, v]])),
        fc.tuple(fc.constantFrom(...OP_KEYS), gqlText).map(([k, v]) => ({ title: objectOf([[k, v]]) })),
        fc
          .tuple(
            fc.constantFrom('title', 'body', 'id', 'author', 'tags'),
            fc.constantFrom('eq', 'in', 'like'),
            jsonValue.filter((v) => v !== null && typeof v === 'object'),
          )
          .map(([f, op, v]) => ({ [f]: { [op]: v } })),
        fc.tuple(fc.constantFrom(...GQL_INT_FIELDS), gqlText).map(([f, v]) => ({ [f]: { eq: v } })),
        fc.constantFrom(...GQL_INT_FIELDS).map((f) => ({ [f]: { eq: 2 ** 40 } })),
        fc
          .tuple(fc.constantFrom('author', 'tags'), fc.constantFrom('eq', 'contains', 'isNull'), gqlText)
          .map(([f, op, v]) => ({ [f]: { [op]: v } })),
        fc.constantFrom(...OP_KEYS).map((k) => ({ track: objectOf([[k, '1']]) })),
      )
      .map((where) => ({ where, valid: false })),
  },
);
const gqlWhere = fc.letrec<{ node: GqlWhere; and: GqlWhere; or: GqlWhere; not: GqlWhere; merged: GqlWhere }>(
  (tie) => ({
    node: fc.oneof(
      { depthSize: 'small', maxDepth: 3 },
      gqlLeaf,
      tie('and'),
      tie('or'),
      tie('not'),
      tie('merged'),
    ),
    and: fc
      .array(tie('node'), { maxLength: 3 })
      .map((items) => ({ where: { and: items.map((i) => i.where) }, valid: items.every((i) => i.valid) })),
    or: fc
      .array(tie('node'), { maxLength: 3 })
      .map((items) => ({ where: { or: items.map((i) => i.where) }, valid: items.every((i) => i.valid) })),
    not: tie('node').map((n) => ({ where: { not: n.where }, valid: n.valid })),
    merged: fc.array(gqlLeaf, { minLength: 2, maxLength: 3 }).map((leaves) => {
      const where: Record<string, unknown> = {};
      let valid = true;
      for (const leaf of leaves) {
        const [key] = Object.keys(leaf.where);
        if (key === undefined || Object.hasOwn(where, key)) continue;
        Object.defineProperty(where, key, {
          value: leaf.where[key],
          enumerable: true,
          configurable: true,
          writable: true,
        });
        valid &&= leaf.valid;
      }
      return { where, valid };
    }),
  }),
).node;

function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Whether a (valid) GraphQL where holds for a review, by its own rules (src/graphql/where.ts semantics). */
function gqlHolds(where: Record<string, unknown> | null | undefined, doc: Document, sqlite = false): boolean {
  if (!where) return true;
  const types = tables.reviews.types;
  return Object.entries(where).every(([key, value]) => {
    if (key === 'and') return ((value as any[]) ?? []).every((w) => gqlHolds(w, doc, sqlite));
    if (key === 'or') return ((value as any[]) ?? []).some((w) => gqlHolds(w, doc, sqlite));
    if (key === 'not') return value === null || !gqlHolds(value as Record<string, unknown>, doc, sqlite);
    if (key === 'track') {
      const name = trackNames.get(doc.track_id as number);
      if (value === null) return name === undefined;
      return name !== undefined && gqlHolds(value as Record<string, unknown>, { name }, true);
    }
    const column = key === 'name' ? 'name' : (GQL_FIELDS[key] as string);
    if (value === null) return true;
    const dbType = key === 'name' ? 'string' : types.get(column);
    return Object.entries(value as Record<string, unknown>).every(([op, v]) => {
      const field = doc[column];
      if (op === 'eq' || op === 'neq' || op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte') {
        const arg = dbType === 'date' && typeof v === 'string' ? v.replace('T', ' ').replace(/Z$/, '') : v;
        return compareHolds(field, op, arg, dbType);
      }
      if (v === null) return true;
      if (op === 'in' || op === 'nin') {
        const hit = inHolds(field, v as unknown[], dbType);
        return op === 'in' ? hit : !hit && !isNullish(field);
      }
      if (op === 'isNull') return isNullish(field) === v;
      if (op === 'between') {
        const range = v as { from: unknown; to: unknown };
        return compareHolds(field, 'gte', range.from, dbType) && compareHolds(field, 'lte', range.to, dbType);
      }
      const text = String(v);
      if (sqlite) {
        // SQLite's LIKE would stop at a NUL: every SQL service refuses a pattern holding one.
        if (text.includes('\u0000')) throw new Refused('NUL in a SQL pattern');
        if ((op === 'like' || op === 'notLike' || op === 'ilike') && /(^|[^\\])(\\\\)*\\$/.test(text))
          throw new Refused('LIKE pattern ends with \\');
        const name = asciiLower(String(field));
        const lower = asciiLower(text);
        if (op === 'contains') return name.includes(lower);
        if (op === 'startsWith') return name.startsWith(lower);
        if (op === 'endsWith') return name.endsWith(lower);
        // SQLite's LIKE: no escape character, ASCII letters match either case.
        return likeMatch(text, name, asciiLower, false) !== (op === 'notLike');
      }
      if (op === 'contains') return textHolds(field, (s) => s.includes(text), false);
      if (op === 'startsWith') return textHolds(field, (s) => s.startsWith(text), false);
      if (op === 'endsWith') return textHolds(field, (s) => s.endsWith(text), false);
      return likeHolds(field, text, op === 'ilike', op === 'notLike');
    });
  });
}

function gqlMatches(where: Record<string, unknown>): Set<string> | Refused {
  try {
    return new Set(tables.reviews.docs.filter((d) => gqlHolds(where, d)).map((d) => shownId(d._id)));
  } catch (error) {
    if (error instanceof Refused) return error;
    throw error;
  }
}

/** A where object as a GraphQL literal (keys verbatim: a non-name key cannot parse, as it must not). */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${k}: ${literal(v)}`)
    .join(', ')}}`;
}

const READ = 'query($w: ReviewWhere) { community { reviews(where: $w, limit: 1000) { id } } }';

interface GqlObject {
  id?: string;
  title?: string;
  author?: unknown;
  tags?: unknown;
  rating?: number;
  createdAt?: string;
}
const freshHex = fc.uint8Array({ minLength: 12, maxLength: 12 }).map((b) => Buffer.from(b).toString('hex'));
const gqlObject: fc.Arbitrary<GqlObject> = fc.record(
  {
    id: fc.oneof(fc.constantFrom(...ID_HITS), shortText, freshHex),
    title: shortText,
    author: jsonValue,
    tags: jsonValue,
    rating: fc.integer({ min: -5, max: 10 }),
    createdAt: fc.oneof(fc.constantFrom(...DATE_TIMES), shortText),
  },
  { requiredKeys: [] },
);
const gqlSet = fc.record({ author: jsonValue, tags: jsonValue, title: shortText }, { requiredKeys: [] });

type GqlCase =
  | { kind: 'read'; where: GqlWhere; inline: boolean }
  | { kind: 'insertOne'; object: GqlObject }
  | { kind: 'insertMany'; objects: GqlObject[] }
  | { kind: 'updateMany'; where: GqlWhere; set: Record<string, unknown> }
  | { kind: 'updateOne'; id: string; set: Record<string, unknown> }
  | { kind: 'deleteMany'; where: GqlWhere }
  | { kind: 'deleteOne'; id: string }
  | { kind: 'upsert'; object: GqlObject };

const gqlId = fc.oneof(fc.constantFrom(...ID_HITS), shortText);
const gqlCase: fc.Arbitrary<GqlCase> = fc
  .oneof(
    {
      weight: 42,
      arbitrary: fc.record({ kind: fc.constant('read' as const), where: gqlWhere, inline: fc.boolean() }),
    },
    {
      weight: 18,
      arbitrary: fc.record({ kind: fc.constant('read' as const), where: gqlLeaf, inline: fc.boolean() }),
    },
    { weight: 12, arbitrary: fc.record({ kind: fc.constant('insertOne' as const), object: gqlObject }) },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('insertMany' as const),
        objects: fc.array(gqlObject, { minLength: 1, maxLength: 3 }),
      }),
    },
    {
      weight: 10,
      arbitrary: fc.record({
        kind: fc.constant('updateMany' as const),
        where: fc.oneof({ weight: 3, arbitrary: gqlLeaf }, { weight: 1, arbitrary: gqlWhere }),
        set: gqlSet,
      }),
    },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('updateOne' as const), id: gqlId, set: gqlSet }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('deleteMany' as const), where: gqlLeaf }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('deleteOne' as const), id: gqlId }) },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('upsert' as const),
        object: gqlObject.map((o) => ({ id: SEEDED_IDS[0], ...o })),
      }),
    },
  )
  .filter((c) => likeValues(c).every(fewPercents));

/** A GraphQL insert object → the document it must store (db field → value), or why it must be refused. */
function gqlInsertMeaning(o: GqlObject, marker: string): Record<string, unknown> | Refused {
  const doc: Record<string, unknown> = { body: marker };
  for (const [key, value] of Object.entries(o)) {
    if (value === undefined) continue;
    const column = GQL_FIELDS[key] as string;
    if (key === 'author' || key === 'tags') {
      if (unsafeKeys(value).length > 0) return new Refused('operator-like JSON key');
      doc[column] = value;
    } else if (key === 'createdAt') {
      if (typeof value !== 'string' || !GQL_DATE_TIME.test(value)) return new Refused('not a DateTime');
      doc[column] = meaning(value.replace('T', ' ').replace(/Z$/, ''), 'date')[0];
    } else doc[column] = meaning(value, tables.reviews.types.get(column))[0];
  }
  return doc;
}

// ---- the channels -----------------------------------------------------------------------------------------------

/** Cases per property run: its reads go out together (the stand-in serves one at a time, Node works meanwhile). */
const BATCH = 6;

/**
 * Runs `count` generated cases in batches of BATCH: the batch's reads concurrently, then its writes one by one
 * (each write case's oracle assumes the collections as seeded, and undoes itself before the next).
 */
function runCases<T>(
  arb: fc.Arbitrary<T>,
  count: number,
  seedOffset: number,
  isRead: (c: T) => boolean,
  run: (c: T, n: number) => Promise<void>,
  examples: T[] = [],
) {
  // Fixed cases (known-important payloads) run first, in batches too; they count within `count`.
  const fixed: T[][] = [];
  for (let i = 0; i < examples.length; i += BATCH) fixed.push(examples.slice(i, i + BATCH));
  let n = 0;
  return fc.assert(
    fc.asyncProperty(fc.array(arb, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
      const numbered = batch.map((c) => ({ c, n: ++n })).filter((x) => x.n <= count);
      await Promise.all(numbered.filter((x) => isRead(x.c)).map((x) => run(x.c, x.n)));
      for (const x of numbered.filter((x) => !isRead(x.c))) await run(x.c, x.n);
    }),
    {
      seed: SEED + seedOffset,
      examples: fixed.map((batch) => [batch]),
      numRuns: fixed.length + Math.ceil((count - examples.length) / BATCH),
    },
  );
}

const simpleCase = (field: string, op: string, value: string): FilterCase => {
  const simple = { field, op, quote: "'", value };
  return { shape: 'simple', filter: simpleText(simple), simple, tunnel: false };
};

/** Channel 1 runs these first: the payloads of the brief and the ones that found adapter bugs. */
const FILTER_EXAMPLES: FilterCase[] = [
  simpleCase('title', '=', '{"$ne":null}'),
  simpleCase('title', '=', '{"$gt":""}'),
  simpleCase('title', '=', '$where'),
  simpleCase('body', '=', 'this.rating > 0'),
  simpleCase('title', '=', "'; return true; var x='"),
  simpleCase('title', 'LIKE', '.*'),
  simpleCase('title', 'LIKE', '^'),
  simpleCase('title', 'LIKE', 'probe'),
  simpleCase('title', 'NOT LIKE', 'nul\u0000byte'),
  simpleCase('_id', '=', '{"$gt":""}'),
  simpleCase('author.name', '=', 'jun'),
  simpleCase('$where', '=', '1'),
  simpleCase('$expr', '=', '{"$gt":["$rating",0]}'),
  simpleCase('__proto__', '=', 'x'),
  simpleCase('constructor', '=', 'x'),
  { shape: 'params', filter: 'title = :p', params: { ':p': { $ne: null } }, tunnel: true },
  { shape: 'object', filter: { rating: { $gt: 4 } }, tunnel: true },
  { shape: 'object', filter: { $where: 'this.rating > 4' }, tunnel: true },
];

/** Channel 2 runs these first. */
const ID_EXAMPLES: IdCase[] = [
  { kind: 'get', table: 'reviews', id: '{"$ne":null}', idField: undefined },
  { kind: 'get', table: 'mixtapes', id: '{"$ne":null}', idField: undefined },
  { kind: 'getIds', table: 'mixtapes', ids: ['$where', 'a.b', '.*'], idField: undefined },
  { kind: 'getIds', table: 'reviews', ids: ['{"$gt":""}', SEEDED_IDS[0] as string], idField: undefined },
  { kind: 'bodyIds', table: 'reviews', values: [{ _id: { $gt: '' } }, { $ne: null }], idField: undefined },
  { kind: 'bodyRecords', table: 'reviews', values: [{ $ne: null }], idField: undefined },
  { kind: 'deleteRecords', table: 'reviews', values: [{ $ne: null }, { $gt: '' }], idField: undefined },
  { kind: 'deleteRecords', table: 'mixtapes', values: [{ $ne: null }], idField: undefined },
  { kind: 'putRecords', table: 'reviews', values: [{ $ne: null }], idField: undefined },
  { kind: 'delete', table: 'mixtapes', id: '.*', idField: undefined },
];

const gqlRead = (where: Record<string, unknown>, valid = true): GqlCase => ({
  kind: 'read',
  where: { where, valid },
  inline: false,
});

/** Channel 4 runs these first. */
const GQL_EXAMPLES: GqlCase[] = [
  gqlRead({ title: { eq: '{"$ne":null}' } }),
  gqlRead({ title: { in: ['$where', '.*'] } }),
  gqlRead({ title: { like: 'probe' } }),
  gqlRead({ title: { notLike: 'nul\u0000byte' } }),
  gqlRead({ title: { contains: '.*' } }),
  gqlRead(objectOf([['$where', '1']]), false),
  gqlRead({ author: { eq: { $ne: null } } }, false),
  { kind: 'insertOne', object: { title: 'json', author: { $where: '1' } } },
  { kind: 'insertOne', object: { title: 'json', tags: [{ a: { 'b.c': 1 } }] } },
  { kind: 'insertOne', object: { title: 'json', author: objectOf([['__proto__', { polluted: true }]]) } },
  {
    kind: 'updateMany',
    where: { where: { title: { eq: '{"$ne":null}' } }, valid: true },
    set: { title: 'x' },
  },
  {
    kind: 'updateMany',
    where: { where: { track: { name: { contains: '\u0000zzz' } } }, valid: true },
    set: { title: 'x' },
  },
  { kind: 'updateOne', id: '{"$ne":null}', set: { author: { $set: { rating: 1 } } } },
  { kind: 'deleteOne', id: '{"$gt":""}' },
  { kind: 'upsert', object: { id: '65a0c0de0000feed00000001', title: 'upserted' } },
];

function finish(t: Tally): void {
  const line = t.line();
  channelLines.push(line);
  console.log(line);
  const report = t.report();
  expect(report, `${t.channel} (${REPRO}):\n${report.join('\n')}`).toEqual([]);
}

describe('MongoDB operator injection (security.md T5)', () => {
  it(`treats ${CASES.filter} generated REST filters carrying operator payloads as literals: a 4xx, or exactly the reviews the literal filter matches`, async () => {
    const t = new Tally('1 REST filter');
    await runCases(filterCase, CASES.filter, 1, () => true, filterOne, FILTER_EXAMPLES);
    async function filterOne(c: FilterCase) {
      t.cases += 1;
      const path = `${TABLE_PATH('reviews')}?fields=_id&limit=1000`;
      const inUrl = !c.tunnel && typeof c.filter === 'string' && enc(c.filter).length <= 8_000;
      const req: Req = inUrl
        ? { method: 'GET', path: `${path}&filter=${enc(c.filter as string)}` }
        : {
            method: 'POST',
            path,
            headers: { 'X-HTTP-Method': 'GET' },
            json: { filter: c.filter, ...(c.shape === 'params' ? { params: c.params } : {}) },
          };
      let expected = filterMeaning(c);
      if (c.shape === 'simple') {
        // `field op 'payload'` is read here independently of the grammar, and the grammar must agree.
        const mine = simpleMeaning(c.simple, tables.reviews.entry);
        expected = mine instanceof Refused ? mine : exprMatches(mine);
        let theirs: Expr | null | Refused;
        try {
          theirs = parseFilter(c.filter, tables.reviews.entry, {});
        } catch (error) {
          theirs = new Refused((error as Error).message);
        }
        const agree =
          mine instanceof Refused
            ? theirs instanceof Refused
            : JSON.stringify(mine) === JSON.stringify(theirs);
        if (!agree)
          t.fail(
            'the DreamFactory grammar reads a simple filter otherwise than the literal reading',
            `${JSON.stringify(c.filter)}: ${JSON.stringify(mine)} vs ${JSON.stringify(theirs)}`,
          );
      }
      const r = await sendRest(t, req);
      if (!r) return;
      const what = showReq(req);
      if (expected instanceof Refused) {
        if (r.status === 200)
          t.fail(
            'answered a filter the grammar refuses',
            `${what} → ${clip(r.text, 200)} (expected 400: ${expected.message})`,
          );
        return;
      }
      if (r.status !== 200) {
        t.note(`refused a literal filter with ${r.status}`);
        return;
      }
      const ids = listedIds(r);
      if (!ids) t.fail('200 without a record list', `${what} → ${clip(r.text, 200)}`);
      else compareSets(t, what, ids, expected);
    }
    await checkSnapshot(t, 'channel 1');
    finish(t);
  }, 600_000);

  it(`answers ${CASES.ids} REST requests addressing records by payload ids with 404, 400 or the literally named record, and changes nothing else`, async () => {
    const t = new Tally('2 REST ids');
    let lastCheck = 0;
    const readsOnly = (c: IdCase) =>
      c.kind.startsWith('get') || c.kind === 'bodyIds' || c.kind === 'bodyRecords';
    await runCases(idCase, CASES.ids, 2, readsOnly, idCaseRun, ID_EXAMPLES);
    async function idCaseRun(c: IdCase, n: number) {
      t.cases += 1;
      const state = tables[c.table];
      const marker = `fz-ids-${n}`;
      const mark = MARK[c.table];
      const q = c.idField === undefined ? '' : `&id_field=${enc(c.idField)}`;
      const only = c.idField === undefined ? '' : `?id_field=${enc(c.idField)}`;
      const base = TABLE_PATH(c.table);
      const fields = idFieldsOf(state.entry, c.idField);
      let req: Req;
      switch (c.kind) {
        case 'get':
          req = { method: 'GET', path: `${base}/${enc(c.id)}?fields=_id${q}` };
          break;
        case 'patch':
          req = { method: 'PATCH', path: `${base}/${enc(c.id)}?fields=_id${q}`, json: { [mark]: marker } };
          break;
        case 'delete':
          req = { method: 'DELETE', path: `${base}/${enc(c.id)}${only}` };
          break;
        case 'getIds':
          req = { method: 'GET', path: `${base}?fields=_id&ids=${enc(c.ids.join(','))}${q}` };
          break;
        case 'patchIds':
          req = {
            method: 'PATCH',
            path: `${base}?ids=${enc(c.ids.join(','))}${q}`,
            json: { resource: [{ [mark]: marker }] },
          };
          break;
        case 'deleteIds':
          req = { method: 'DELETE', path: `${base}?ids=${enc(c.ids.join(','))}${q}` };
          break;
        case 'bodyIds':
          req = {
            method: 'POST',
            path: `${base}?fields=_id${q}`,
            headers: { 'X-HTTP-Method': 'GET' },
            json: { ids: c.values },
          };
          break;
        case 'bodyRecords':
          req = {
            method: 'POST',
            path: `${base}?fields=_id${q}`,
            headers: { 'X-HTTP-Method': 'GET' },
            json: { resource: c.values.map((v) => ({ _id: v })) },
          };
          break;
        case 'putRecords':
          req = {
            method: 'PUT',
            path: base,
            json: { resource: c.values.map((v) => ({ _id: v, [mark]: marker })) },
          };
          break;
        case 'deleteRecords':
          req = { method: 'DELETE', path: base, json: { resource: c.values.map((v) => ({ _id: v })) } };
          break;
      }
      const write = !readsOnly(c);
      const items = namedIds(c, fields);
      const r = await sendRest(t, req);
      const what = showReq(req);
      let targets: (Set<string> | Refused)[] = [];
      if (fields !== 'unknown') {
        // Records in PUT/DELETE bodies give their key as is (recordId); the other forms typecast it (typedId).
        const typed = c.kind !== 'putRecords' && c.kind !== 'deleteRecords';
        targets = items.map((id) => idTargets(c.table, fields, id, typed));
      }
      const union = new Set(targets.flatMap((s) => (s instanceof Refused ? [] : [...s])));
      if (write) {
        const scan = c.kind.startsWith('delete');
        const seen = await effects(c.table, marker, scan);
        const wrote = seen.marked.map((d) => shownId(d._id));
        const outside = [...wrote, ...seen.gone.map((k) => k.slice(2))].filter((id) => !union.has(id));
        if (outside.length > 0)
          t.fail(
            'widened: a write reached documents no id names',
            `${what} → ${r?.status} touched ${outside.join(',')}`,
          );
        if (wrote.length + seen.gone.length > items.length)
          t.fail('a write touched more documents than ids given', `${what} → ${r?.status}`);
        if (
          r &&
          r.status >= 400 &&
          c.kind !== 'patchIds' &&
          c.kind !== 'deleteIds' &&
          c.kind !== 'putRecords' &&
          c.kind !== 'deleteRecords' &&
          wrote.length + seen.gone.length > 0
        )
          t.fail('a refused write changed documents', `${what} → ${r.status}`);
        for (const doc of seen.marked) {
          const original = state.byKey.get(keyOf(doc._id));
          const diff = original ? storedDiff(doc, { ...original, [mark]: marker }) : 'not a seeded document';
          if (diff)
            t.fail('a write by id stored something else than the literal change', `${what}: ${diff}`, what);
        }
        if (
          !scan &&
          seen.count !== state.raw.size + seen.marked.filter((d) => !state.byKey.has(keyOf(d._id))).length
        )
          t.fail('documents appeared or vanished', `${what} → ${r?.status}: count ${seen.count}`);
        await undo(c.table, seen.marked, seen.gone);
        if (t.wrote()) {
          await checkSnapshot(t, `ids cases ${lastCheck + 1}..${n}`);
          lastCheck = n;
        }
        return;
      }
      if (!r) return;
      if (c.kind === 'get') {
        const target = targets[0];
        if (r.status === 200) {
          const id = String((r.body as any)?._id);
          if (target instanceof Refused || !target?.has(id))
            t.fail('widened: returned a record the id does not name', `${what} → ${id}`);
        } else if (
          target instanceof Set &&
          target.size > 0 &&
          (c.idField === undefined || c.idField === '_id')
        ) {
          t.fail('narrowed: missed the record the id names', `${what} → ${r.status}`);
        }
        return;
      }
      // ids= and body ids: a 200 lists, in order, one literally named record per id; a batch error may
      // carry the ones found. Nothing else.
      const listed: unknown[] | undefined =
        r.status === 200 ? (r.body as any)?.resource : (r.body as any)?.error?.context?.resource;
      if (r.status === 200 && (!Array.isArray(listed) || listed.length !== items.length)) {
        t.fail('200 without one record per id', `${what} → ${clip(r.text, 200)}`);
        return;
      }
      if (!Array.isArray(listed)) return;
      listed.forEach((row: any, i) => {
        if (row && typeof row === 'object' && '_id' in row) {
          const target = targets[i];
          if (target instanceof Refused || !target?.has(String(row._id)))
            t.fail('widened: returned a record the id does not name', `${what} → item ${i} ${row._id}`);
        }
      });
    }
    await checkSnapshot(t, 'channel 2');
    finish(t);
  }, 600_000);

  it(`writes ${CASES.bodies} REST bodies whose keys and values carry operators literally or not at all, and only where the literal request says`, async () => {
    const t = new Tally('3 REST bodies');
    let lastCheck = 0;
    const knownKeys = {
      reviews: [
        '_id',
        'track_id',
        'rating',
        'title',
        'author',
        'created_at',
        'tags',
        'helpful',
        'customer_id',
        'TITLE',
        'Author',
        '_ID',
      ],
      mixtapes: ['_id', 'curator_id', 'track_ids', 'public', 'Track_Ids', 'PUBLIC'],
    };
    const hostileKeys = [
      ...OP_KEYS,
      ...ODD_KEYS,
      'author.name',
      'tags.0',
      '_id.$oid',
      'chinook.Track_by_track_id',
    ];
    const recordFor = (table: 'reviews' | 'mixtapes') =>
      fc
        .tuple(
          fc.array(fc.tuple(fc.constantFrom(...knownKeys[table]), recordValue), { maxLength: 3 }),
          fc.oneof(
            { weight: 3, arbitrary: fc.constant([] as [string, unknown][]) },
            {
              weight: 2,
              arbitrary: fc.array(fc.tuple(fc.constantFrom(...hostileKeys), recordValue), {
                minLength: 1,
                maxLength: 2,
              }),
            },
          ),
        )
        .map(([known, hostile]) => [...known, ...hostile]);
    type BodyCase =
      | {
          kind: 'post';
          table: 'reviews' | 'mixtapes';
          records: [string, unknown][][];
          bare: boolean;
          rollback: boolean;
        }
      | {
          kind: 'patchId';
          table: 'reviews' | 'mixtapes';
          verb: string;
          id: string;
          record: [string, unknown][];
        }
      | { kind: 'patchFilter'; verb: string; filter: string; inBody: boolean; record: [string, unknown][] }
      | { kind: 'patchObjectFilter'; filter: unknown; record: [string, unknown][] };
    const table = fc.constantFrom<'reviews' | 'mixtapes'>('reviews', 'reviews', 'mixtapes');
    const bodyCase: fc.Arbitrary<BodyCase> = fc.oneof(
      {
        weight: 45,
        arbitrary: table.chain((tb) =>
          fc.record({
            kind: fc.constant('post' as const),
            table: fc.constant(tb),
            records: fc.array(recordFor(tb), { minLength: 1, maxLength: 3 }),
            bare: fc.boolean(),
            rollback: fc.boolean(),
          }),
        ),
      },
      {
        weight: 25,
        arbitrary: table.chain((tb) =>
          fc.record({
            kind: fc.constant('patchId' as const),
            table: fc.constant(tb),
            verb: fc.constantFrom('PATCH', 'PUT'),
            id: fc.constantFrom(
              ...(tb === 'reviews'
                ? [...SEEDED_IDS, BAIT_REVIEWS[1]!._id.toHexString()]
                : ['mix-01', 'mix-07', '$where', '{"$ne":null}']),
            ),
            record: recordFor(tb),
          }),
        ),
      },
      {
        weight: 22,
        arbitrary: fc.record({
          kind: fc.constant('patchFilter' as const),
          verb: fc.constantFrom('PATCH', 'PUT'),
          filter: fc.oneof(simpleFilter.map(simpleText), compoundFilter).filter(fewPercents),
          inBody: fc.boolean(),
          record: recordFor('reviews'),
        }),
      },
      {
        weight: 8,
        arbitrary: fc.record({
          kind: fc.constant('patchObjectFilter' as const),
          filter: jsonValue,
          record: recordFor('reviews'),
        }),
      },
    );
    /** Run first: the brief's body payloads and the ones that found adapter bugs. */
    const BODY_EXAMPLES: BodyCase[] = [
      { kind: 'post', table: 'reviews', records: [[['title', { $gt: '' }]]], bare: false, rollback: false },
      { kind: 'post', table: 'reviews', records: [[['$set', { rating: 1 }]]], bare: false, rollback: false },
      {
        kind: 'post',
        table: 'reviews',
        records: [[['author', { $where: '1' }]]],
        bare: true,
        rollback: false,
      },
      { kind: 'post', table: 'reviews', records: [[['author.name', 'x']]], bare: false, rollback: false },
      {
        kind: 'post',
        table: 'reviews',
        records: [[['tags', [{ a: { b: { $where: '1' } } }]]], [['title', 'second']]],
        bare: false,
        rollback: true,
      },
      {
        kind: 'post',
        table: 'mixtapes',
        records: [[['track_ids', objectOf([['__proto__', { polluted: true }]])]]],
        bare: false,
        rollback: false,
      },
      {
        kind: 'patchId',
        table: 'reviews',
        verb: 'PATCH',
        id: SEEDED_IDS[0] as string,
        record: [['$set', { title: 'x' }]],
      },
      { kind: 'patchId', table: 'mixtapes', verb: 'PUT', id: '$where', record: [['public', { $ne: null }]] },
      { kind: 'patchFilter', verb: 'PATCH', filter: 'title = \'{"$ne":null}\'', inBody: false, record: [] },
      { kind: 'patchFilter', verb: 'PATCH', filter: "title LIKE 'probe'", inBody: true, record: [] },
      { kind: 'patchObjectFilter', filter: { rating: { $gt: 0 } }, record: [] },
    ];
    await runCases(
      bodyCase,
      CASES.bodies,
      3,
      () => false,
      async (c, n) => {
        t.cases += 1;
        const tb = c.kind === 'post' || c.kind === 'patchId' ? c.table : 'reviews';
        const state = tables[tb];
        const mark = MARK[tb];
        const marker = `fz-body-${n}`;
        const build = (pairs: [string, unknown][], i: number) =>
          objectOf([
            ...(tb === 'mixtapes' && c.kind === 'post'
              ? ([['_id', `mx-${n}-${i}`]] as [string, unknown][])
              : []),
            [mark, marker],
            ...pairs,
          ]);
        let req: Req;
        let expectedWrites: Map<string, Record<string, unknown>> | 'inserts' = new Map();
        let insertExpect: Record<string, unknown>[] = [];
        const base = TABLE_PATH(tb);
        const idField = state.entry.fields.get('_id') as FieldModel;
        /** The literal change of an update: the record's known fields but the key, as stored. */
        const changeOf = (record: unknown) => {
          const m = recordMeaning(state.entry, JSON.parse(JSON.stringify(record)));
          if ('refused' in m) return null;
          return Object.fromEntries(
            Object.entries(m.values)
              .filter(([k]) => k !== '_id')
              .map(([k, v]) => [k, storedValue(state.entry, k, v)]),
          );
        };
        if (c.kind === 'post') {
          const records = c.records.map(build);
          req = {
            method: 'POST',
            path: `${base}${c.rollback ? '?rollback=true' : ''}`,
            json: c.bare ? records : { resource: records },
          };
          // Records are created in order until the first refusal; rollback=true keeps all or none.
          const sent = JSON.parse(JSON.stringify(records)) as unknown[];
          const ids = new Set(state.raw.keys());
          for (const record of sent) {
            const m = recordMeaning(state.entry, record);
            if ('refused' in m) break;
            const refusal = createRefusal(state.entry, m.values);
            if (refusal) break;
            const doc = Object.fromEntries(
              Object.entries(m.values).map(([k, v]) => [k, storedValue(state.entry, k, v)]),
            );
            if (doc._id === null) delete doc._id;
            if (doc._id !== undefined) {
              if (ids.has(keyOf(doc._id))) break;
              ids.add(keyOf(doc._id));
            }
            insertExpect.push(doc);
          }
          if (c.rollback && insertExpect.length < sent.length) insertExpect = [];
          expectedWrites = 'inserts';
        } else if (c.kind === 'patchId') {
          const record = build(c.record, 0);
          req = { method: c.verb, path: `${base}/${enc(c.id)}`, json: record };
          const set = changeOf(record);
          const target = [...(idTargets(tb, [idField], c.id, true) as Set<string>)][0];
          if (set && target !== undefined) expectedWrites.set(target, set);
        } else if (c.kind === 'patchFilter') {
          const record = build(c.record, 0);
          req =
            !c.inBody && enc(c.filter).length <= 8_000
              ? { method: c.verb, path: `${base}?filter=${enc(c.filter)}`, json: { resource: [record] } }
              : { method: c.verb, path: base, json: { filter: c.filter, resource: [record] } };
          const set = changeOf(record);
          const matched = filterMeaning({ shape: 'compound', filter: c.filter, tunnel: false });
          if (set && !(matched instanceof Refused)) for (const id of matched) expectedWrites.set(id, set);
        } else {
          // A JSON-object filter is no filter (compat Q15): the record then updates the one its own `_id` names.
          const record = build(c.record, 0);
          req = { method: 'PATCH', path: base, json: { filter: c.filter, resource: [record] } };
          const set = changeOf(record);
          const own = Object.hasOwn(record, '_id')
            ? idTargets(tb, [idField], record._id, false)
            : new Set<string>();
          const target = own instanceof Refused ? undefined : [...own][0];
          if (set && target !== undefined) expectedWrites.set(target, set);
        }
        // A body nested deeper than the limit is refused whole (limits.rest.maxJsonDepth).
        if (jsonDepth(req.json) > 64) {
          expectedWrites = expectedWrites === 'inserts' ? 'inserts' : new Map();
          insertExpect = [];
        }
        const r = await sendRest(t, req);
        const what = showReq(req);
        const seen = await effects(tb, marker, false);
        if (expectedWrites === 'inserts') {
          const created = seen.marked.filter((d) => !state.byKey.has(keyOf(d._id)));
          const touched = seen.marked.filter((d) => state.byKey.has(keyOf(d._id)));
          if (touched.length > 0)
            t.fail(
              'a create changed existing documents',
              `${what} → ${r?.status} changed ${touched.map((d) => shownId(d._id)).join(',')}`,
            );
          if (created.length !== insertExpect.length)
            t.fail(
              `created ${created.length < insertExpect.length ? 'fewer' : 'more'} documents than the literal records allow`,
              `${what} → ${r?.status} created ${created.length}, expected ${insertExpect.length}`,
            );
          const pool = [...insertExpect];
          for (const doc of created) {
            const at = pool.findIndex((expected) => storedDiff(doc, expected) === null);
            if (at >= 0) pool.splice(at, 1);
            else
              t.fail(
                'a created document is not the literal record',
                `${what}: ${pool[0] ? storedDiff(doc, pool[0]) : 'unexpected document'}`,
                what,
              );
          }
        } else {
          const wrote = new Set(seen.marked.map((d) => shownId(d._id)));
          const extra = [...wrote].filter((id) => !expectedWrites.has(id));
          const missing = [...expectedWrites.keys()].filter((id) => !wrote.has(id));
          if (extra.length > 0)
            t.fail(
              'widened: a write reached documents the literal filter or id does not name',
              `${what} → ${r?.status} extra ${clip(extra.join(','), 200)}`,
            );
          if (missing.length > 0 && r?.status === 200)
            t.fail(
              'narrowed: a write missed documents the literal request names',
              `${what} missing ${clip(missing.join(','), 200)}`,
            );
          if (missing.length > 0 && r && r.status !== 200) t.note(`refused a literal write with ${r.status}`);
          for (const doc of seen.marked) {
            const original = state.byKey.get(keyOf(doc._id));
            const set = expectedWrites.get(shownId(doc._id));
            if (!original || !set) continue;
            const diff = storedDiff(doc, { ...original, ...set });
            if (diff) t.fail('an updated document is not the literal change', `${what}: ${diff}`, what);
          }
          if (seen.count !== state.raw.size)
            t.fail('an update made documents appear or vanish', `${what}: count ${seen.count}`);
        }
        await undo(tb, seen.marked, []);
        if (t.wrote()) {
          await checkSnapshot(t, `body cases ${lastCheck + 1}..${n}`);
          lastCheck = n;
        }
      },
      BODY_EXAMPLES,
    );
    await checkSnapshot(t, 'channel 3');
    const tracks = await rest.get('/api/v2/chinook/_table/Track?count_only=true');
    if (tracks.body !== 3503) t.fail('nested writes changed Chinook', `Track count ${tracks.text}`);
    finish(t);
  }, 600_000);

  it(`answers ${CASES.graphql} GraphQL where inputs and mutations carrying operator payloads with client errors or exactly their literal meaning`, async () => {
    const t = new Tally('4 GraphQL');
    let lastCheck = 0;
    const reviewsState = tables.reviews;
    await runCases(
      gqlCase,
      CASES.graphql,
      4,
      (c) => c.kind === 'read',
      async (c, n) => {
        t.cases += 1;
        const marker = `fz-gql-${n}`;
        let query: string;
        let variables: Record<string, unknown> | undefined;
        switch (c.kind) {
          case 'read':
            if (c.inline)
              query = `query { community { reviews(where: ${literal(c.where.where)}, limit: 1000) { id } } }`;
            else [query, variables] = [READ, { w: c.where.where }];
            break;
          case 'insertOne':
            [query, variables] = [
              'mutation($o: ReviewInsertInput!) { community_insertReview(object: $o) { id } }',
              { o: { ...c.object, body: marker } },
            ];
            break;
          case 'insertMany':
            [query, variables] = [
              'mutation($os: [ReviewInsertInput!]!) { community_insertReviews(objects: $os) { affectedRows } }',
              { os: c.objects.map((o) => ({ ...o, body: marker })) },
            ];
            break;
          case 'updateMany':
            [query, variables] = [
              'mutation($w: ReviewWhere!, $s: ReviewSetInput!) { community_updateReviews(where: $w, set: $s) { affectedRows } }',
              { w: c.where.where, s: { ...c.set, body: marker } },
            ];
            break;
          case 'updateOne':
            [query, variables] = [
              'mutation($id: String!, $s: ReviewSetInput!) { community_updateReview(id: $id, set: $s) { id } }',
              { id: c.id, s: { ...c.set, body: marker } },
            ];
            break;
          case 'deleteMany':
            [query, variables] = [
              'mutation($w: ReviewWhere!) { community_deleteReviews(where: $w) { affectedRows } }',
              { w: c.where.where },
            ];
            break;
          case 'deleteOne':
            [query, variables] = [
              'mutation($id: String!) { community_deleteReview(id: $id) { id } }',
              { id: c.id },
            ];
            break;
          case 'upsert':
            [query, variables] = [
              'mutation($o: ReviewInsertInput!) { community_upsertReview(object: $o) { id } }',
              { o: { ...c.object, body: marker } },
            ];
            break;
        }
        const what = `${clip(query, 400)}${variables ? ` variables ${clip(JSON.stringify(variables), 700)}` : ''}`;
        const sent = [query, ...stringsIn(variables)];
        const deep = jsonDepth(variables ?? {}) > 64;
        const a = await gql(query, variables);
        const codes = judgeGql(t, what, a, sent);
        const answer = a instanceof Error ? null : a;
        const data = answer?.body?.data;
        if (c.kind === 'read') {
          if (!codes) return;
          const expected = c.where.valid ? gqlMatches(c.where.where) : new Refused('invalid where');
          if (expected instanceof Refused) {
            if (codes.length === 0)
              t.fail(
                'answered a where GraphQL must refuse',
                `${what} → ${clip(answer?.text ?? '', 200)} (${expected.message})`,
              );
            return;
          }
          if (codes.length > 0) {
            t.fail('refused a literal where', `${what} → ${clip(answer?.text ?? '', 300)}`);
            return;
          }
          const rows = data?.community?.reviews;
          if (!Array.isArray(rows))
            t.fail('data without the review list', `${what} → ${clip(answer?.text ?? '', 200)}`);
          else
            compareSets(
              t,
              what,
              rows.map((row: any) => String(row.id)),
              expected,
            );
          return;
        }
        // Mutations: the literal targets and documents.
        const scan = c.kind === 'deleteMany' || c.kind === 'deleteOne';
        const seen = await effects('reviews', marker, scan);
        const created = seen.marked.filter((d) => !reviewsState.byKey.has(keyOf(d._id)));
        const changed = seen.marked.filter((d) => reviewsState.byKey.has(keyOf(d._id)));
        const gone = seen.gone.map((k) => shownId(reviewsState.byKey.get(k)?._id));
        const refusedByUs = codes !== null && codes.length > 0;
        const check = (label: string, ok: boolean, detail: string) => {
          if (!ok) t.fail(label, `${what} → ${clip(answer?.text ?? '', 200)} ${detail}`, what);
        };
        if (c.kind === 'insertOne' || c.kind === 'insertMany' || c.kind === 'upsert') {
          const objects = c.kind === 'insertMany' ? c.objects : [c.object];
          const docs = objects.map((o) =>
            gqlInsertMeaning(JSON.parse(JSON.stringify(o)) as GqlObject, marker),
          );
          const ids = new Set(reviewsState.raw.keys());
          let refused = deep || docs.some((d) => d instanceof Refused);
          if (c.kind !== 'upsert')
            for (const d of docs) {
              if (d instanceof Refused || d._id === undefined) continue;
              if (ids.has(keyOf(d._id))) refused = true;
              ids.add(keyOf(d._id));
            }
          if (refused) {
            check('accepted an insert that must be refused', refusedByUs, '');
            check(
              'a refused insert wrote documents',
              created.length === 0 && changed.length === 0,
              `created ${created.length}`,
            );
          } else if (refusedByUs) {
            t.note('refused a literal GraphQL insert');
            check(
              'a refused insert wrote documents',
              created.length === 0 && changed.length === 0,
              `created ${created.length}`,
            );
          } else if (c.kind === 'upsert') {
            const doc = docs[0] as Record<string, unknown>;
            const existing = reviewsState.byKey.get(keyOf(doc._id));
            check(
              'an upsert wrote elsewhere than its literal id',
              existing
                ? changed.length === 1 && created.length === 0
                : created.length === 1 && changed.length === 0,
              `created ${created.map((d) => shownId(d._id)).join(',')} changed ${changed.map((d) => shownId(d._id)).join(',')}`,
            );
            const target = existing ? changed[0] : created[0];
            if (target) {
              const diff = storedDiff(target, existing ? { ...existing, ...doc } : doc);
              check('an upserted document is not the literal object', diff === null, diff ?? '');
            }
          } else {
            check(
              'changed existing documents',
              changed.length === 0,
              `changed ${changed.map((d) => shownId(d._id)).join(',')}`,
            );
            check(
              'did not create exactly the literal objects',
              created.length === docs.length,
              `created ${created.length} of ${docs.length}`,
            );
            const pool = docs.filter((d): d is Record<string, unknown> => !(d instanceof Refused));
            for (const doc of created) {
              const at = pool.findIndex((expected) => storedDiff(doc, expected) === null);
              if (at >= 0) pool.splice(at, 1);
              else
                check(
                  'an inserted document is not the literal object',
                  false,
                  pool[0] ? (storedDiff(doc, pool[0]) ?? '') : 'no such object',
                );
            }
          }
        } else if (c.kind === 'updateMany' || c.kind === 'deleteMany') {
          const setDoc =
            c.kind === 'updateMany'
              ? gqlInsertMeaning(JSON.parse(JSON.stringify(c.set)) as GqlObject, marker)
              : {};
          const matched = c.where.valid ? gqlMatches(c.where.where) : new Refused('invalid where');
          const refused = deep || matched instanceof Refused || setDoc instanceof Refused;
          const touched = c.kind === 'updateMany' ? [...changed.map((d) => shownId(d._id))] : gone;
          check(
            'wrote outside the literal where',
            refused ? touched.length === 0 : touched.every((id) => (matched as Set<string>).has(id)),
            `touched ${clip(touched.join(','), 200)}`,
          );
          check('created documents', created.length === 0, '');
          if (!refused && !refusedByUs) {
            const set = matched as Set<string>;
            check(
              'missed documents the literal where matches',
              touched.length === set.size,
              `touched ${touched.length} of ${set.size}`,
            );
            const field = c.kind === 'updateMany' ? 'community_updateReviews' : 'community_deleteReviews';
            check(
              'affectedRows is not the literal match count',
              data?.[field]?.affectedRows === set.size,
              `expected ${set.size}`,
            );
            if (c.kind === 'updateMany')
              for (const doc of changed) {
                const diff = storedDiff(doc, {
                  ...reviewsState.byKey.get(keyOf(doc._id)),
                  ...(setDoc as Record<string, unknown>),
                });
                check('an updated document is not the literal change', diff === null, diff ?? '');
              }
          } else if (!refused && refusedByUs) t.note('refused a literal GraphQL write');
        } else {
          const targets = idTargets(
            'reviews',
            [reviewsState.entry.fields.get('_id') as FieldModel],
            c.id,
            true,
          );
          const setDoc =
            c.kind === 'updateOne'
              ? gqlInsertMeaning(JSON.parse(JSON.stringify(c.set)) as GqlObject, marker)
              : {};
          const touched = c.kind === 'updateOne' ? changed.map((d) => shownId(d._id)) : gone;
          const allowed =
            targets instanceof Refused || setDoc instanceof Refused || deep ? new Set<string>() : targets;
          check(
            'wrote outside the literal id',
            touched.every((id) => allowed.has(id)) && touched.length <= 1,
            `touched ${touched.join(',')}`,
          );
          check('created documents', created.length === 0, '');
        }
        await undo('reviews', seen.marked, seen.gone);
        if (t.wrote()) {
          await checkSnapshot(t, `GraphQL cases ${lastCheck + 1}..${n}`);
          lastCheck = n;
        }
      },
      GQL_EXAMPLES,
    );
    await checkSnapshot(t, 'channel 4');
    finish(t);
  }, 600_000);
});
