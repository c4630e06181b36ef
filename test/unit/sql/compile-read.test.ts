// The shared SQL compiler, per dialect, without a database: IR in, SQL text and bindings out. The expected
// text is the contract reviewers read; the integration suites prove the same SQL runs and is right.
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../src/adapters/sql/capabilities.js';
import { compileRead, compileRelated } from '../../../src/adapters/sql/compile-read.js';
import type { Statement } from '../../../src/adapters/sql/sql-text.js';
import type { Expr, ReadQuery } from '../../../src/ir/types.js';
import type { RelationModel } from '../../../src/model/types.js';

function read(extra: Partial<ReadQuery> = {}): ReadQuery {
  return {
    service: 's',
    table: 'Track',
    select: [
      { column: 'TrackId', as: 'trackId' },
      { column: 'Name', as: 'name' },
    ],
    where: null,
    orderBy: [],
    limit: null,
    offset: 0,
    relations: [],
    relationAggregates: [],
    ...extra,
  };
}

const hasMany: RelationModel = {
  name: 'Track_by_AlbumId',
  graphqlName: 'tracks',
  type: 'has_many',
  kind: 'constraint',
  crossService: false,
  fields: ['AlbumId'],
  refService: 's',
  refTable: 'Track',
  refFields: ['AlbumId'],
  junction: null,
  onUpdate: null,
  onDelete: null,
  source: 'fk',
};

const manyMany: RelationModel = {
  ...hasMany,
  name: 'Track_by_PlaylistTrack',
  type: 'many_many',
  fields: ['PlaylistId'],
  refFields: ['TrackId'],
  junction: { service: 's', table: 'PlaylistTrack', fields: ['PlaylistId'], refFields: ['TrackId'] },
};

const out = (s: Statement) => ({ sql: s.text, bindings: s.bindings });

describe('the read compiler', () => {
  it('selects only the requested columns under their output names, with bound filter values', () => {
    const where: Expr = {
      kind: 'and',
      items: [
        { kind: 'compare', field: 'UnitPrice', op: 'gte', value: '0.99' },
        { kind: 'match', field: 'Name', op: 'startsWith', value: 'A_%', caseInsensitive: false },
      ],
    };
    const query = read({
      where,
      orderBy: [
        { field: 'Name', direction: 'asc' },
        { field: 'TrackId', direction: 'asc' },
      ],
      limit: 25,
      offset: 25,
    });
    expect(out(compileRead(DIALECTS.postgres, query))).toEqual({
      sql: 'select "t0"."TrackId" as "trackId", "t0"."Name" as "name" from "Track" as "t0" where ("t0"."UnitPrice" >= $1 and "t0"."Name" like $2 escape \'!\') order by "t0"."Name" asc, "t0"."TrackId" asc limit $3 offset $4',
      bindings: ['0.99', 'A!_!%%', 25, 25],
    });
  });

  it('emulates NULLS FIRST/LAST where the database has no such clause', () => {
    const query = read({ orderBy: [{ field: 'Composer', direction: 'desc', nulls: 'last' }] });
    expect(compileRead(DIALECTS.mysql, query).text).toBe(
      'select `t0`.`TrackId` as `trackId`, `t0`.`Name` as `name` from `Track` as `t0` order by `t0`.`Composer` is null asc, `t0`.`Composer` desc',
    );
    expect(compileRead(DIALECTS.postgres, query).text).toContain('order by "t0"."Composer" desc nulls last');
  });

  it('turns "= null" into IS NULL and ilike into lower() LIKE where there is no ILIKE', () => {
    const where: Expr = {
      kind: 'or',
      items: [
        { kind: 'compare', field: 'Composer', op: 'eq', value: null },
        { kind: 'match', field: 'Name', op: 'ilike', value: '%rock%', caseInsensitive: false },
      ],
    };
    expect(compileRead(DIALECTS.sqlite, read({ where })).text).toContain(
      'where ("t0"."Composer" is null or lower("t0"."Name") like lower(?))',
    );
    expect(compileRead(DIALECTS.postgres, read({ where })).text).toContain(
      'where ("t0"."Composer" is null or "t0"."Name" ilike $1)',
    );
  });

  it('filters on related rows with a correlated EXISTS inside one database', () => {
    const where: Expr = {
      kind: 'related',
      relation: hasMany,
      quantifier: 'none',
      where: { kind: 'compare', field: 'Milliseconds', op: 'gt', value: 600000 },
    };
    const album = { ...read({ where }), table: 'Album', select: [{ column: 'AlbumId', as: 'albumId' }] };
    expect(compileRead(DIALECTS.postgres, album).text).toBe(
      'select "t0"."AlbumId" as "albumId" from "Album" as "t0" where not exists (select 1 from "Track" as "t1" where "t1"."AlbumId" = "t0"."AlbumId" and "t1"."Milliseconds" > $1)',
    );
  });

  it("writes composite key lists as row values, with SQLite's VALUES form", () => {
    const where: Expr = {
      kind: 'keys',
      fields: ['PlaylistId', 'TrackId'],
      keys: [
        [1, 2],
        [3, 4],
      ],
      negate: false,
    };
    expect(compileRead(DIALECTS.sqlite, read({ where })).text).toContain(
      'where ("t0"."PlaylistId", "t0"."TrackId") in (values (?, ?), (?, ?))',
    );
    expect(compileRead(DIALECTS.postgres, read({ where })).text).toContain(
      'where ("t0"."PlaylistId", "t0"."TrackId") in (($1, $2), ($3, $4))',
    );
  });

  it('binds a single-column key list as one array on PostgreSQL, so any length is the same statement', () => {
    const where = (keys: number[][]): Expr => ({ kind: 'keys', fields: ['TrackId'], keys, negate: false });
    const short = compileRead(DIALECTS.postgres, read({ where: where([[1]]) }));
    const long = compileRead(DIALECTS.postgres, read({ where: where([[1], [2], [3]]) }));
    expect(long.text).toBe(short.text);
    expect(long.text).toContain('where "t0"."TrackId" = any($1)');
    expect(long.bindings).toEqual([[1, 2, 3]]);
    expect(compileRead(DIALECTS.mysql, read({ where: where([[1], [2]]) })).text).toContain(
      'where `t0`.`TrackId` in (?, ?)',
    );
  });

  it('quotes identifiers whole, so dots and quotes in names stay inside one identifier', () => {
    const query = read({ select: [{ column: 'we"ird.col', as: 'x' }] });
    expect(compileRead(DIALECTS.postgres, query).text).toContain('"t0"."we""ird.col" as "x"');
    expect(
      compileRead(DIALECTS.mysql, { ...query, select: [{ column: 'we`ird.col', as: 'x' }] }).text,
    ).toContain('`t0`.`we``ird.col` as `x`');
  });
});

describe('the related-rows compiler', () => {
  it('reads one relation level for all parents in one statement, carrying each parent key', () => {
    expect(out(compileRelated(DIALECTS.postgres, hasMany, read(), [[1], [4]], true))).toEqual({
      sql: 'select "t0"."TrackId" as "trackId", "t0"."Name" as "name", "t0"."AlbumId" as "__p0" from "Track" as "t0" where "t0"."AlbumId" = any($1)',
      bindings: [[1, 4]],
    });
  });

  it('cuts a per-parent limit with row_number() partitioned by the parent key where there is no LATERAL', () => {
    const query = read({ orderBy: [{ field: 'TrackId', direction: 'asc' }], limit: 10, offset: 5 });
    expect(out(compileRelated(DIALECTS.mysql, manyMany, query, [[1], [2]], true))).toEqual({
      sql: 'select `t2`.* from (select `t0`.`TrackId` as `trackId`, `t0`.`Name` as `name`, `t1`.`PlaylistId` as `__p0`, row_number() over (partition by `t1`.`PlaylistId` order by `t0`.`TrackId` asc) as `__rn` from `Track` as `t0` join `PlaylistTrack` as `t1` on `t1`.`TrackId` = `t0`.`TrackId` where `t1`.`PlaylistId` in (?, ?)) as `t2` where `t2`.`__rn` > ? and `t2`.`__rn` <= ? order by `t2`.`__p0`, `t2`.`__rn`',
      bindings: [1, 2, 5, 15],
    });
  });

  it('reads only limit rows per parent with a LATERAL join on PostgreSQL', () => {
    const query = read({ orderBy: [{ field: 'TrackId', direction: 'asc' }], limit: 10, offset: 5 });
    expect(out(compileRelated(DIALECTS.postgres, manyMany, query, [[1], [2]], true, ['integer']))).toEqual({
      sql: 'select "x".* from unnest($1::integer[]) as "t0"("k") cross join lateral (select "t1"."TrackId" as "trackId", "t1"."Name" as "name", "t0"."k" as "__p0" from "Track" as "t1" join "PlaylistTrack" as "t2" on "t2"."TrackId" = "t1"."TrackId" where "t2"."PlaylistId" = "t0"."k" order by "t1"."TrackId" asc limit $2 offset $3) as "x"',
      bindings: [[1, 2], 10, 5],
    });
  });

  it('applies a DreamFactory-style global limit across all parents', () => {
    expect(out(compileRelated(DIALECTS.sqlite, hasMany, read({ limit: 3 }), [[1], [2]], false))).toEqual({
      sql: 'select "t0"."TrackId" as "trackId", "t0"."Name" as "name", "t0"."AlbumId" as "__p0" from "Track" as "t0" where "t0"."AlbumId" in (?, ?) limit ?',
      bindings: [1, 2, 3],
    });
  });
});
