// Regressions for the bugs the security suites found (SECURITY.md "Found and fixed"): each was a 500 from
// PostgreSQL for a request that must be a 400 on every database.
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../src/adapters/sql/capabilities.js';
import { compileRead } from '../../../src/adapters/sql/compile-read.js';
import { ApiError } from '../../../src/errors/index.js';
import type { Expr, ReadQuery } from '../../../src/ir/types.js';
import { buildModel } from '../../../src/model/build-model.js';
import { ModelIndex } from '../../../src/model/model-index.js';
import { parseFilter } from '../../../src/rest/filter/index.js';
import { catalog, column, config, service, table } from '../model/fixtures.js';

const index = new ModelIndex(
  buildModel(
    config([service('s')]),
    new Map([
      [
        's',
        catalog([
          table(
            'Track',
            [
              column('TrackId', 'integer', { autoIncrement: true }),
              column('Name', 'nvarchar(200)'),
              column('UnitPrice', 'numeric(10,2)'),
              column('Explicit', 'boolean', { nullable: true }),
            ],
            { primaryKey: ['TrackId'] },
          ),
        ]),
      ],
    ]),
  ).model,
);
const track = index.entry('s', 'Track');

function error(run: () => unknown): ApiError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected an ApiError');
}

const read = (where: Expr): ReadQuery => ({
  service: 's',
  table: 'Track',
  select: [{ column: 'TrackId', as: 'TrackId' }],
  where,
  orderBy: [],
  limit: null,
  offset: 0,
  relations: [],
  relationAggregates: [],
});

describe('LIKE on a number or boolean column (S2: PostgreSQL 42883 "operator does not exist: numeric ~~ unknown")', () => {
  it.each(['UnitPrice LIKE -1', 'TrackId NOT LIKE 5', 'Explicit like true', 'UnitPrice like 0.99'])(
    '%s → 400 on every database',
    (filter) => {
      const e = error(() => parseFilter(filter, track));
      expect(e.status).toBe(400);
      expect(e.message).toMatch(/is not text: LIKE, CONTAINS, STARTS WITH and ENDS WITH are not supported/);
    },
  );

  it('keeps DreamFactory’s typecast message for wildcard patterns and LIKE on text columns', () => {
    expect(error(() => parseFilter("TrackId like '1%'", track)).message).toBe(
      "Field 'TrackId' must be a valid integer.",
    );
    expect(parseFilter('Name LIKE 5', track)).toMatchObject({ kind: 'match', field: 'Name', value: '5' });
  });
});

describe('a raw LIKE pattern ending in an unpaired backslash (S2: PostgreSQL 22025)', () => {
  const like = (value: string, op: 'like' | 'notLike' | 'ilike' = 'like'): Expr => ({
    kind: 'match',
    field: 'Name',
    op,
    value,
    caseInsensitive: false,
  });

  it.each(Object.keys(DIALECTS) as (keyof typeof DIALECTS)[])(
    'is a 400 on %s, before any SQL is run',
    (d) => {
      for (const value of ['\\', 'abc\\', 'a\\\\\\']) {
        for (const op of ['like', 'notLike', 'ilike'] as const) {
          const e = error(() => compileRead(DIALECTS[d], read(like(value, op))));
          expect(e.status).toBe(400);
          expect(e.message).toBe('Invalid LIKE pattern: it ends with the escape character \\.');
        }
      }
    },
  );

  it('accepts a paired backslash, one inside the pattern, and plain-text matches (escaped with !)', () => {
    for (const value of ['a\\\\', 'a\\%b', '\\_x']) {
      expect(compileRead(DIALECTS.postgres, read(like(value))).bindings).toEqual([value]);
    }
    const contains: Expr = {
      kind: 'match',
      field: 'Name',
      op: 'contains',
      value: 'x\\',
      caseInsensitive: false,
    };
    expect(compileRead(DIALECTS.postgres, read(contains)).bindings).toEqual(['%x\\%']);
    expect(parseFilter('Name = \\', track)).toEqual({
      kind: 'compare',
      field: 'Name',
      op: 'eq',
      value: '\\',
    });
  });
});
