import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/errors/index.js';
import type { Expr } from '../../../src/ir/types.js';
import { buildModel } from '../../../src/model/build-model.js';
import { ModelIndex } from '../../../src/model/model-index.js';
import { parseFilter } from '../../../src/rest/filter/index.js';
import { catalog, column, config, fk, service, table } from '../model/fixtures.js';

const id = (name: string) => column(name, 'integer', { autoIncrement: true });
const nullable = { nullable: true };

const index = new ModelIndex(
  buildModel(
    config([service('chinook')]),
    new Map([
      [
        'chinook',
        catalog([
          table('Artist', [id('ArtistId'), column('Name', 'nvarchar(120)', nullable)], {
            primaryKey: ['ArtistId'],
          }),
          table('Album', [id('AlbumId'), column('Title', 'nvarchar(160)'), column('ArtistId')], {
            primaryKey: ['AlbumId'],
            foreignKeys: [fk(['ArtistId'], 'Artist', ['ArtistId'])],
          }),
          table('Genre', [id('GenreId'), column('Name', 'nvarchar(120)', nullable)], {
            primaryKey: ['GenreId'],
          }),
          table('MediaType', [id('MediaTypeId'), column('Name', 'nvarchar(120)', nullable)], {
            primaryKey: ['MediaTypeId'],
          }),
          table(
            'Track',
            [
              id('TrackId'),
              column('Name', 'nvarchar(200)'),
              column('AlbumId', 'integer', nullable),
              column('MediaTypeId'),
              column('GenreId', 'integer', nullable),
              column('Composer', 'nvarchar(220)', nullable),
              column('Milliseconds'),
              column('Bytes', 'integer', nullable),
              column('UnitPrice', 'numeric(10,2)'),
              column('Explicit', 'boolean', nullable),
              column('Rating', 'real', nullable),
              column('Plays', 'bigint', nullable),
              column('ReleasedOn', 'date', nullable),
            ],
            {
              primaryKey: ['TrackId'],
              foreignKeys: [
                fk(['AlbumId'], 'Album', ['AlbumId']),
                fk(['MediaTypeId'], 'MediaType', ['MediaTypeId']),
                fk(['GenreId'], 'Genre', ['GenreId']),
              ],
            },
          ),
          table('Invoice', [id('InvoiceId'), column('CustomerId')], { primaryKey: ['InvoiceId'] }),
          table('Person', [id('PersonId'), column('gender', 'char(1)')], { primaryKey: ['PersonId'] }),
        ]),
      ],
    ]),
  ).model,
);

const entry = (name: string) => index.entry('chinook', name);
const track = (filter: string, params?: Record<string, unknown>) =>
  parseFilter(filter, entry('Track'), params);

const eq = (field: string, value: unknown): Expr => ({ kind: 'compare', field, op: 'eq', value }) as Expr;
const like = (field: string, value: string, negate = false): Expr => ({
  kind: 'match',
  field,
  op: negate ? 'notLike' : 'like',
  value,
  caseInsensitive: false,
});

/** The ApiError a filter raises (fails the test when it parses or throws anything else). */
function failure(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error('expected the filter to be rejected');
}

function rejects(filter: string, message: string, table = 'Track', params?: Record<string, unknown>) {
  const error = failure(() => parseFilter(filter, entry(table), params));
  expect(error.code).toBe('BAD_REQUEST');
  expect(error.status).toBe(400);
  expect(error.message).toBe(message);
}

const unparsable = 'Invalid or unparsable filter request.';
const listParens = 'Filter value lists must be wrapped in parentheses.';

describe('the §4.3 example table', () => {
  it("turns Title = 'Let There Be Rock' into an equality with the unquoted title", () => {
    expect(parseFilter("Title = 'Let There Be Rock'", entry('Album'))).toEqual(
      eq('Title', 'Let There Be Rock'),
    );
  });

  it("turns (ArtistId=1) AND (Title like 'F%') into an AND of an integer equality and a LIKE", () => {
    expect(parseFilter("(ArtistId=1) AND (Title like 'F%')", entry('Album'))).toEqual({
      kind: 'and',
      items: [eq('ArtistId', 1), like('Title', 'F%')],
    });
  });

  it('turns (GenreId in (1,2,3)) into an IN list of integers', () => {
    expect(track('(GenreId in (1,2,3))')).toEqual({
      kind: 'in',
      field: 'GenreId',
      values: [1, 2, 3],
      negate: false,
    });
  });

  it('turns GenreId not in (1, 2) into a negated IN list', () => {
    expect(track('GenreId not in (1, 2)')).toEqual({
      kind: 'in',
      field: 'GenreId',
      values: [1, 2],
      negate: true,
    });
  });

  it('turns Composer is null and Composer IS NOT NULL into null tests', () => {
    expect(track('Composer is null')).toEqual({ kind: 'isNull', field: 'Composer', isNull: true });
    expect(track('Composer IS NOT NULL')).toEqual({ kind: 'isNull', field: 'Composer', isNull: false });
  });

  it('turns Name contains Rock into the LIKE pattern %Rock%', () => {
    expect(track('Name contains Rock')).toEqual(like('Name', '%Rock%'));
  });

  it('turns starts with and ends with into the LIKE patterns AC% and %DC', () => {
    expect(track('Name starts with AC')).toEqual(like('Name', 'AC%'));
    expect(track('Name ends with DC')).toEqual(like('Name', '%DC'));
  });

  it("turns Name not like '%love%' into NOT LIKE with the pattern as given", () => {
    expect(track("Name not like '%love%'")).toEqual(like('Name', '%love%', true));
  });

  it('turns UnitPrice gt 0.99 into a greater-than binding the decimal as the string 0.99', () => {
    expect(track('UnitPrice gt 0.99')).toEqual({
      kind: 'compare',
      field: 'UnitPrice',
      op: 'gt',
      value: '0.99',
    });
  });

  it('turns ArtistId <> 1 and ArtistId NE 1 into a not-equal', () => {
    const neq = { kind: 'compare', field: 'ArtistId', op: 'neq', value: 1 };
    expect(parseFilter('ArtistId <> 1', entry('Album'))).toEqual(neq);
    expect(parseFilter('ArtistId NE 1', entry('Album'))).toEqual(neq);
    expect(parseFilter('ArtistId != 1', entry('Album'))).toEqual(neq);
  });

  it('turns NOT (GenreId = 1) into a negation', () => {
    expect(track('NOT (GenreId = 1)')).toEqual({ kind: 'not', item: eq('GenreId', 1) });
  });

  it('keeps the grouping of ((GenreId = 1) OR (GenreId = 2)) AND (Milliseconds > 300000)', () => {
    expect(track('((GenreId = 1) OR (GenreId = 2)) AND (Milliseconds > 300000)')).toEqual({
      kind: 'and',
      items: [
        { kind: 'or', items: [eq('GenreId', 1), eq('GenreId', 2)] },
        { kind: 'compare', field: 'Milliseconds', op: 'gt', value: 300000 },
      ],
    });
  });

  it('reads && between parenthesised conditions without spaces as AND', () => {
    expect(track('(GenreId = 1)&&(MediaTypeId = 1)')).toEqual({
      kind: 'and',
      items: [eq('GenreId', 1), eq('MediaTypeId', 1)],
    });
  });

  it('binds Name = :n to the value of params[":n"]', () => {
    expect(track('Name = :n', { ':n': 'AC/DC' })).toEqual(eq('Name', 'AC/DC'));
  });

  it('substitutes a {user.id} lookup in a value and types it for the column', () => {
    const lookups = (name: string) => (name === 'user.id' ? '7' : undefined);
    expect(parseFilter('CustomerId = {user.id}', entry('Invoice'), undefined, lookups)).toEqual(
      eq('CustomerId', 7),
    );
  });

  it('binds the unquoted guide example gender=M as the string M', () => {
    expect(parseFilter('gender=M', entry('Person'))).toEqual(eq('gender', 'M'));
  });
});

describe('the outcomes DreamFactory clients rely on (§4.2 MUST)', () => {
  it("rejects an unknown field with DreamFactory's message naming it as written", () => {
    rejects("Foo = 'x'", "Invalid or unparsable field in filter request: 'Foo'");
  });

  it('rejects a qualified field name as an unknown field', () => {
    rejects("Album.Title = 'x'", "Invalid or unparsable field in filter request: 'Album.Title'", 'Album');
  });

  it('rejects a condition without an operator', () => {
    rejects('Name', unparsable);
    rejects("Name 'Rock'", unparsable);
    rejects('Composer is', unparsable);
  });

  it('rejects an IN list without parentheses', () => {
    rejects('GenreId in 1,2', listParens);
    rejects('GenreId not in 1', listParens);
    rejects('GenreId in (1,2', listParens);
    rejects('GenreId in (1,2) 3', listParens);
  });

  it('rejects a non-numeric value on an integer column, naming the real column', () => {
    rejects("milliseconds = 'abc'", "Field 'Milliseconds' must be a valid integer.");
    rejects('GenreId in (1, x)', "Field 'GenreId' must be a valid integer.");
    rejects('TrackId = 1.5', "Field 'TrackId' must be a valid integer.");
  });

  it('keeps the quotes inside contains, starts with and ends with patterns (Q13)', () => {
    expect(track("Name contains 'Rock'")).toEqual(like('Name', "%'Rock'%"));
    expect(track("Name starts with 'AC'")).toEqual(like('Name', "'AC'%"));
    expect(track('Name ends with "DC"')).toEqual(like('Name', '%"DC"'));
  });

  it('rejects an unparenthesised AND after a value on an integer column (the tail is the value)', () => {
    rejects("GenreId = 1 AND Name = 'x'", "Field 'GenreId' must be a valid integer.");
    rejects("(GenreId = 1 AND Name = 'x')", "Field 'GenreId' must be a valid integer.");
  });

  it('compares a string column with the whole unparenthesised tail', () => {
    expect(track('Name = Rock AND GenreId = 1')).toEqual(eq('Name', 'Rock AND GenreId = 1'));
    expect(track("Name = 'a' AND Composer = 'b'")).toEqual(eq('Name', "a' AND Composer = 'b"));
    expect(track("Name = 'a' OR GenreId = 1")).toEqual(eq('Name', "'a' OR GenreId = 1"));
  });

  it('rejects a parenthesised value instead of running it as SQL (Q21)', () => {
    const message = 'Invalid value in filter request: function calls are not supported.';
    rejects('ReleasedOn > (NOW())', message);
    rejects('Name = (SELECT 1)', message);
    rejects('GenreId in ((1), 2)', message);
  });

  it('has no null literal: = null compares with the string null, and fails on an integer column', () => {
    expect(track('Composer = null')).toEqual(eq('Composer', 'null'));
    rejects('GenreId = null', "Field 'GenreId' must be a valid integer.");
  });
});

describe('value typing against the column (§4.1 scalar value rule)', () => {
  it('strips exactly one outer pair of quotes without unescaping', () => {
    expect(track("Name = 'O''Brien'")).toEqual(eq('Name', "O''Brien"));
    expect(track("Name = 'O'Brien'")).toEqual(eq('Name', "O'Brien"));
    expect(track(`Name = ''Rock''`)).toEqual(eq('Name', "'Rock'"));
    expect(track(`Name = 'Rock"`)).toEqual(eq('Name', `'Rock"`));
  });

  it('accepts the other quote character inside a quoted value', () => {
    expect(track(`Name = "Don't Stop"`)).toEqual(eq('Name', "Don't Stop"));
    expect(track(`Name = 'Say "Hi"'`)).toEqual(eq('Name', 'Say "Hi"'));
    expect(track(`(Name = "It's") OR (Composer = 'the "Boss"')`)).toEqual({
      kind: 'or',
      items: [eq('Name', "It's"), eq('Composer', 'the "Boss"')],
    });
  });

  it('types quoted integers and turns an empty value into null on a nullable integer column', () => {
    expect(track("GenreId = '3'")).toEqual(eq('GenreId', 3));
    expect(track("GenreId = ''")).toEqual(eq('GenreId', null));
    rejects("Milliseconds = ''", "Field 'Milliseconds' must be a valid integer.");
  });

  it('keeps bigints beyond 2^53 as exact digit strings', () => {
    expect(track('Plays = 9007199254740993')).toEqual(eq('Plays', '9007199254740993'));
    expect(track('Plays = 42')).toEqual(eq('Plays', 42));
  });

  it('reads boolean words and rejects other text on a boolean column', () => {
    for (const word of ['true', '1', 'YES', 'on'])
      expect(track(`Explicit = ${word}`)).toEqual(eq('Explicit', true));
    for (const word of ['false', '0', 'no', "'OFF'"])
      expect(track(`Explicit = ${word}`)).toEqual(eq('Explicit', false));
    rejects('Explicit = maybe', "Field 'Explicit' must be a valid boolean.");
  });

  it('keeps decimals and floats as exact strings and rejects non-numbers', () => {
    expect(track("UnitPrice >= '1.10'")).toEqual({
      kind: 'compare',
      field: 'UnitPrice',
      op: 'gte',
      value: '1.10',
    });
    expect(track('Rating < 2.5e1')).toEqual({ kind: 'compare', field: 'Rating', op: 'lt', value: '2.5e1' });
    rejects('UnitPrice = cheap', "Field 'UnitPrice' must be a valid number.");
  });

  it('passes dates and strings through unchanged', () => {
    expect(track("ReleasedOn >= '2020-01-01'")).toEqual({
      kind: 'compare',
      field: 'ReleasedOn',
      op: 'gte',
      value: '2020-01-01',
    });
    expect(track('Name = 42')).toEqual(eq('Name', '42'));
  });

  it('keeps unicode values intact', () => {
    expect(track("Name = 'Motörhead — Ace of Spades 🂡'")).toEqual(eq('Name', 'Motörhead — Ace of Spades 🂡'));
    expect(track('Composer contains Björk')).toEqual(like('Composer', '%Björk%'));
    expect(track("Name in ('日本', 'Ελλάδα')")).toEqual({
      kind: 'in',
      field: 'Name',
      values: ['日本', 'Ελλάδα'],
      negate: false,
    });
  });
});

describe('params and lookups', () => {
  it('accepts param keys with or without the colon and types the value for the column', () => {
    expect(track('GenreId = :g', { g: '2' })).toEqual(eq('GenreId', 2));
    expect(track('GenreId = :g', { ':g': 2 })).toEqual(eq('GenreId', 2));
    expect(track('UnitPrice = :p', { ':p': 0.99 })).toEqual(eq('UnitPrice', '0.99'));
    expect(track('Composer = :c', { ':c': null })).toEqual(eq('Composer', null));
  });

  it('does not strip quotes from a param value', () => {
    expect(track('Name = :n', { ':n': "'quoted'" })).toEqual(eq('Name', "'quoted'"));
  });

  it('uses params inside IN lists', () => {
    expect(track('GenreId in (:a, :b, 3)', { ':a': 1, ':b': '2' })).toEqual({
      kind: 'in',
      field: 'GenreId',
      values: [1, 2, 3],
      negate: false,
    });
  });

  it('treats an unknown param as literal text', () => {
    expect(track('Name = :missing', { ':n': 'x' })).toEqual(eq('Name', ':missing'));
    rejects('GenreId = :missing', "Field 'GenreId' must be a valid integer.");
  });

  it('rejects a param whose value is an object or a list', () => {
    rejects('GenreId = :g', "Invalid value for filter parameter ':g'.", 'Track', { ':g': [1, 2] });
  });

  it('leaves unknown lookups as written and substitutes known ones in patterns and lists', () => {
    const lookups = (name: string) => ({ 'user.name': 'Ann', 'user.id': '5' })[name];
    expect(parseFilter('Name = {role.name}', entry('Track'), undefined, lookups)).toEqual(
      eq('Name', '{role.name}'),
    );
    expect(parseFilter('Name contains {user.name}', entry('Track'), undefined, lookups)).toEqual(
      like('Name', '%Ann%'),
    );
    expect(parseFilter('GenreId in ({user.id}, 6)', entry('Track'), undefined, lookups)).toEqual({
      kind: 'in',
      field: 'GenreId',
      values: [5, 6],
      negate: false,
    });
    expect(parseFilter('Name = {user.name}', entry('Track'))).toEqual(eq('Name', '{user.name}'));
  });
});

describe('operators', () => {
  it('needs no spaces around symbolic operators', () => {
    expect(track('Milliseconds>300000')).toEqual({
      kind: 'compare',
      field: 'Milliseconds',
      op: 'gt',
      value: 300000,
    });
    expect(track('Milliseconds<=1')).toMatchObject({ op: 'lte', value: 1 });
    expect(track('Milliseconds>=1')).toMatchObject({ op: 'gte', value: 1 });
    expect(track('Milliseconds<1')).toMatchObject({ op: 'lt', value: 1 });
    expect(track('Milliseconds!=1')).toMatchObject({ op: 'neq', value: 1 });
  });

  it('reads every word operator in any case', () => {
    expect(track('Milliseconds eq 1')).toMatchObject({ op: 'eq' });
    expect(track('Milliseconds Gt 1')).toMatchObject({ op: 'gt' });
    expect(track('Milliseconds gte 1')).toMatchObject({ op: 'gte' });
    expect(track('Milliseconds lT 1')).toMatchObject({ op: 'lt' });
    expect(track('Milliseconds LTE 1')).toMatchObject({ op: 'lte' });
    expect(track("Name LiKe 'a%'")).toEqual(like('Name', 'a%'));
    expect(track('Name STARTS with x')).toEqual(like('Name', 'x%'));
    expect(track('Composer Is Not Null')).toEqual({ kind: 'isNull', field: 'Composer', isNull: false });
  });

  it('reads field names case-insensitively and returns the real column name', () => {
    expect(track('genreid = 1')).toEqual(eq('GenreId', 1));
    expect(track('COMPOSER IS NULL')).toEqual({ kind: 'isNull', field: 'Composer', isNull: true });
  });

  it('negates field NOT op value', () => {
    expect(track('GenreId NOT = 1')).toEqual({ kind: 'not', item: eq('GenreId', 1) });
    expect(track('Name not contains Rock')).toEqual(like('Name', '%Rock%', true));
    expect(track('Name NOT starts with A')).toEqual(like('Name', 'A%', true));
    expect(track('Name NOT ends with Z')).toEqual(like('Name', '%Z', true));
  });

  it('treats operators and logical words inside quotes as part of the value (Q14 superset)', () => {
    expect(track("Name like 'a=b'")).toEqual(like('Name', 'a=b'));
    expect(track("Name like '% in %'")).toEqual(like('Name', '% in %'));
    expect(track("(Name = 'x) OR (y') AND (GenreId = 1)")).toEqual({
      kind: 'and',
      items: [eq('Name', 'x) OR (y'), eq('GenreId', 1)],
    });
    expect(track("Name in ('a,b', 'c')")).toMatchObject({ values: ['a,b', 'c'] });
  });

  it('types contains patterns like any value, so an integer column rejects them as DreamFactory does', () => {
    rejects('TrackId contains 5', "Field 'TrackId' must be a valid integer.");
    rejects("TrackId like '1%'", "Field 'TrackId' must be a valid integer.");
  });

  it('lets a bare value outside any group keep a stray closing parenthesis', () => {
    expect(track('Name = Smiley :)')).toEqual(eq('Name', 'Smiley :)'));
    rejects('(Name = Smiley :))', unparsable);
  });

  it('binds an empty value as an empty string on a string column', () => {
    expect(track('Name =')).toEqual(eq('Name', ''));
  });
});

describe('logical structure', () => {
  const a = eq('GenreId', 1);
  const b = eq('GenreId', 2);
  const c = eq('GenreId', 3);

  it('binds AND tighter than OR: (a) OR (b) AND (c) groups b AND c', () => {
    expect(track('(GenreId = 1) OR (GenreId = 2) AND (GenreId = 3)')).toEqual({
      kind: 'or',
      items: [a, { kind: 'and', items: [b, c] }],
    });
    expect(track('(GenreId = 1) AND (GenreId = 2) OR (GenreId = 3)')).toEqual({
      kind: 'or',
      items: [{ kind: 'and', items: [a, b] }, c],
    });
  });

  it('reads || and lower-case or/and', () => {
    expect(track('(GenreId = 1)||(GenreId = 2) and (GenreId = 3)')).toEqual({
      kind: 'or',
      items: [a, { kind: 'and', items: [b, c] }],
    });
  });

  it('collects a chain of the same operator into one node', () => {
    expect(track('(GenreId = 1) OR (GenreId = 2) OR (GenreId = 3)')).toEqual({
      kind: 'or',
      items: [a, b, c],
    });
  });

  it('binds NOT tighter than AND and allows NOT NOT and NOT(…) without a space', () => {
    expect(track('NOT (GenreId = 1) AND (GenreId = 2)')).toEqual({
      kind: 'and',
      items: [{ kind: 'not', item: a }, b],
    });
    expect(track('NOT NOT(GenreId = 1)')).toEqual({ kind: 'not', item: { kind: 'not', item: a } });
    expect(track('not (GenreId = 1 )')).toEqual({ kind: 'not', item: a });
  });

  it('expresses NOR as NOT (a OR b)', () => {
    expect(track('(GenreId = 1) NOR (GenreId = 2)')).toEqual({
      kind: 'not',
      item: { kind: 'or', items: [a, b] },
    });
  });

  it('expresses XOR as (a AND NOT b) OR (NOT a AND b), binding tighter than OR', () => {
    const xor = {
      kind: 'or',
      items: [
        { kind: 'and', items: [a, { kind: 'not', item: b }] },
        { kind: 'and', items: [{ kind: 'not', item: a }, b] },
      ],
    };
    expect(track('(GenreId = 1) xor (GenreId = 2)')).toEqual(xor);
    expect(track('(GenreId = 1) XOR (GenreId = 2) OR (GenreId = 3)')).toEqual({
      kind: 'or',
      items: [xor, c],
    });
  });

  it('accepts unparenthesised conditions after IS NULL and IN lists (superset)', () => {
    expect(track('Composer IS NULL AND GenreId in (1)')).toEqual({
      kind: 'and',
      items: [
        { kind: 'isNull', field: 'Composer', isNull: true },
        { kind: 'in', field: 'GenreId', values: [1], negate: false },
      ],
    });
  });

  it('keeps nested parentheses as written', () => {
    expect(track('(((GenreId = 1)))')).toEqual(a);
    expect(track('((GenreId = 1) AND ((GenreId = 2) OR (GenreId = 3)))')).toEqual({
      kind: 'and',
      items: [a, { kind: 'or', items: [b, c] }],
    });
  });

  it('returns null for an empty or blank filter', () => {
    expect(track('')).toBeNull();
    expect(track('  \n\t ')).toBeNull();
  });

  it('rejects dangling logical operators and unbalanced parentheses', () => {
    rejects('(GenreId = 1) AND', unparsable);
    rejects('AND (GenreId = 1)', unparsable);
    rejects('(GenreId = 1', unparsable);
    rejects('(GenreId = 1))', unparsable);
    rejects('()', unparsable);
    rejects('(GenreId = 1) (GenreId = 2)', unparsable);
  });
});

describe('limits', () => {
  it('rejects a filter longer than 100,000 characters', () => {
    rejects(`Name = '${'x'.repeat(100_000)}'`, 'Invalid filter request: longer than 100000 characters.');
  });

  it('accepts a long filter under the limit', () => {
    const ids = Array.from({ length: 15_000 }, (_, i) => i + 1);
    const result = track(`TrackId in (${ids.join(',')})`);
    expect(result).toMatchObject({ kind: 'in', values: ids });
  });

  it('accepts 100 levels of nesting and rejects 101', () => {
    const nested = (n: number) => `${'('.repeat(n)}GenreId = 1${')'.repeat(n)}`;
    expect(track(nested(100))).toEqual(eq('GenreId', 1));
    rejects(nested(101), 'Invalid filter request: nested deeper than 100 levels.');
    rejects(`${'NOT '.repeat(101)}(GenreId = 1)`, 'Invalid filter request: nested deeper than 100 levels.');
  });

  it('rejects absurd nesting with a 400, not a stack overflow', () => {
    rejects(
      `${'('.repeat(49_000)}GenreId = 1${')'.repeat(49_000)}`,
      'Invalid filter request: nested deeper than 100 levels.',
    );
    rejects(
      `${'NOT ('.repeat(16_000)}GenreId = 1${')'.repeat(16_000)}`,
      'Invalid filter request: nested deeper than 100 levels.',
    );
  });

  it('limits XOR chains, whose IR doubles with each operator', () => {
    const chain = (n: number) => Array.from({ length: n + 1 }, (_, i) => `(GenreId = ${i})`).join(' XOR ');
    expect(track(chain(8))).not.toBeNull();
    rejects(chain(9), 'Invalid filter request: more than 8 XOR operators.');
  });

  it('stays fast on long runs of NOT inside a condition', () => {
    const started = Date.now();
    rejects(`Name ${'NOT '.repeat(20_000)}foo`, unparsable);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('random input', () => {
  /** mulberry32: a small seeded generator so failures reproduce. */
  function random(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  const pieces = [
    'GenreId',
    'name',
    'Composer',
    'UnitPrice',
    'Explicit',
    'Plays',
    'Foo',
    'Album.Title',
    'NOT',
    'not',
    'AND',
    'OR',
    'XOR',
    'NOR',
    '&&',
    '||',
    '(',
    ')',
    '((',
    '))',
    ',',
    '=',
    '!=',
    '<>',
    '>',
    '>=',
    '<',
    '<=',
    'eq',
    'GTE',
    'like',
    'in',
    'NOT IN',
    'contains',
    'starts with',
    'ENDS WITH',
    'IS NULL',
    'is not null',
    "'",
    '"',
    "'x'",
    '"y z"',
    "'O''Brien'",
    ':p',
    ':q',
    '{user.id}',
    '1',
    '-2',
    '0.99',
    '1e5',
    'true',
    'null',
    '',
    ' ',
    '  ',
    '\t',
    '%',
    '_',
    '\\',
    'é',
    '🂡',
    ';',
    'SELECT',
    '(NOW())',
    '9007199254740993',
    '!',
    '&',
    '|',
  ];

  it('either parses or raises a 400 ApiError for 600 random filters', () => {
    const next = random(20240611);
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
    const lookups = (name: string) => (name === 'user.id' ? '5' : undefined);
    let parsed = 0;
    for (let n = 0; n < 600; n++) {
      const length = 1 + Math.floor(next() * 14);
      const parts: string[] = [];
      for (let i = 0; i < length; i++) {
        parts.push(next() < 0.1 ? String.fromCodePoint(Math.floor(next() * 0x2fff)) : pick(pieces));
      }
      const filter = parts.join(next() < 0.7 ? ' ' : '');
      try {
        parseFilter(filter, entry('Track'), { ':p': 'x', ':q': [1] }, lookups);
        parsed++;
      } catch (error) {
        if (!(error instanceof ApiError) || error.code !== 'BAD_REQUEST') {
          throw new Error(`filter ${JSON.stringify(filter)} raised ${String(error)}`);
        }
      }
    }
    expect(parsed).toBeGreaterThan(0);
  });

  it('either parses or raises a 400 ApiError for random well-formed-looking conditions', () => {
    const next = random(7);
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
    const fields = ['GenreId', 'Name', 'Composer', 'UnitPrice', 'Explicit', 'ReleasedOn', 'Rating', 'Plays'];
    const ops = [
      '=',
      '!=',
      '>',
      'lte',
      'like',
      'not like',
      'contains',
      'starts with',
      'in',
      'not in',
      'is null',
    ];
    const values = ['1', "'a'", '(1,2)', "('x', 'y')", '0.5', 'true', "''", ':p', '(1', 'x y'];
    let parsed = 0;
    for (let n = 0; n < 300; n++) {
      const condition = () => `${pick(fields)} ${pick(ops)} ${pick(values)}`;
      const filter =
        next() < 0.5 ? condition() : `(${condition()}) ${pick(['AND', 'OR', 'XOR', '&&'])} (${condition()})`;
      try {
        parseFilter(filter, entry('Track'), { ':p': '1' });
        parsed++;
      } catch (error) {
        if (!(error instanceof ApiError) || error.code !== 'BAD_REQUEST') {
          throw new Error(`filter ${JSON.stringify(filter)} raised ${String(error)}`);
        }
      }
    }
    expect(parsed).toBeGreaterThan(50);
  });
});
