// The shared SQL compiler, per dialect, without a database: IR in, SQL text and bindings out. The expected
// text is the contract reviewers read; the integration suites prove the same SQL runs and is right.
import knex from 'knex';
import { describe, expect, it } from 'vitest';
import { CAPABILITIES } from '../../../src/adapters/sql/capabilities.js';
import { compileRead, compileRelated } from '../../../src/adapters/sql/compile-read.js';
import type { Expr, ReadQuery } from '../../../src/ir/types.js';
import type { RelationModel } from '../../../src/model/types.js';

const dbs = {
  postgres: knex({ client: 'pg' }),
  mysql: knex({ client: 'mysql2' }),
  sqlite: knex({ client: 'better-sqlite3', useNullAsDefault: true }),
};

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

function sql(dialect: keyof typeof dbs, build: (db: knex.Knex) => knex.Knex.QueryBuilder) {
  const compiled = build(dbs[dialect]).toSQL();
  return { sql: compiled.sql, bindings: compiled.bindings };
}

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
    expect(sql('postgres', (db) => compileRead(db, CAPABILITIES.postgres, query))).toEqual({
      sql: 'select "t0"."TrackId" as "trackId", "t0"."Name" as "name" from "Track" as "t0" where ("t0"."UnitPrice" >= ? and "t0"."Name" like ? escape \'!\') order by "t0"."Name" asc, "t0"."TrackId" asc limit ? offset ?',
      bindings: ['0.99', 'A!_!%%', 25, 25],
    });
  });

  it('emulates NULLS FIRST/LAST where the database has no such clause', () => {
    const query = read({ orderBy: [{ field: 'Composer', direction: 'desc', nulls: 'last' }] });
    expect(sql('mysql', (db) => compileRead(db, CAPABILITIES.mysql, query)).sql).toBe(
      'select `t0`.`TrackId` as `trackId`, `t0`.`Name` as `name` from `Track` as `t0` order by `t0`.`Composer` is null asc, `t0`.`Composer` desc',
    );
    expect(sql('postgres', (db) => compileRead(db, CAPABILITIES.postgres, query)).sql).toContain(
      'order by "t0"."Composer" desc nulls last',
    );
  });

  it('turns "= null" into IS NULL and ilike into lower() LIKE where there is no ILIKE', () => {
    const where: Expr = {
      kind: 'or',
      items: [
        { kind: 'compare', field: 'Composer', op: 'eq', value: null },
        { kind: 'match', field: 'Name', op: 'ilike', value: '%rock%', caseInsensitive: false },
      ],
    };
    expect(sql('sqlite', (db) => compileRead(db, CAPABILITIES.sqlite, read({ where }))).sql).toContain(
      'where ((`t0`.`Composer` is null) or (lower(`t0`.`Name`) like lower(?)))',
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
    expect(sql('postgres', (db) => compileRead(db, CAPABILITIES.postgres, album)).sql).toBe(
      'select "t0"."AlbumId" as "albumId" from "Album" as "t0" where not exists (select 1 from "Track" as "t1" where "t1"."AlbumId" = "t0"."AlbumId" and "t1"."Milliseconds" > ?)',
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
    expect(sql('sqlite', (db) => compileRead(db, CAPABILITIES.sqlite, read({ where }))).sql).toContain(
      'where (`t0`.`PlaylistId`, `t0`.`TrackId`) in (values (?, ?), (?, ?))',
    );
    expect(sql('postgres', (db) => compileRead(db, CAPABILITIES.postgres, read({ where }))).sql).toContain(
      'where ("t0"."PlaylistId", "t0"."TrackId") in ((?, ?), (?, ?))',
    );
  });

  it('quotes identifiers whole, so dots and quotes in names stay inside one identifier', () => {
    const query = read({ select: [{ column: 'we"ird.col', as: 'x' }] });
    expect(sql('postgres', (db) => compileRead(db, CAPABILITIES.postgres, query)).sql).toContain(
      '"t0"."we""ird.col" as "x"',
    );
  });
});

describe('the related-rows compiler', () => {
  it('reads one relation level for all parents in one statement, carrying each parent key', () => {
    expect(
      sql('postgres', (db) => compileRelated(db, CAPABILITIES.postgres, hasMany, read(), [[1], [4]], true)),
    ).toEqual({
      sql: 'select "t0"."TrackId" as "trackId", "t0"."Name" as "name", "t0"."AlbumId" as "__p0" from "Track" as "t0" where "t0"."AlbumId" in (?, ?)',
      bindings: [1, 4],
    });
  });

  it('cuts a per-parent limit with row_number() partitioned by the parent key', () => {
    const query = read({ orderBy: [{ field: 'TrackId', direction: 'asc' }], limit: 10, offset: 5 });
    expect(
      sql('mysql', (db) => compileRelated(db, CAPABILITIES.mysql, manyMany, query, [[1], [2]], true)),
    ).toEqual({
      sql: 'select `t2`.* from (select `t0`.`TrackId` as `trackId`, `t0`.`Name` as `name`, `t1`.`PlaylistId` as `__p0`, row_number() over (partition by `t1`.`PlaylistId` order by `t0`.`TrackId` asc) as `__rn` from `Track` as `t0` join `PlaylistTrack` as `t1` on `t1`.`TrackId` = `t0`.`TrackId` where `t1`.`PlaylistId` in (?, ?)) as `t2` where `t2`.`__rn` > ? and `t2`.`__rn` <= ? order by `t2`.`__p0`, `t2`.`__rn`',
      bindings: [1, 2, 5, 15],
    });
  });

  it('applies a DreamFactory-style global limit across all parents', () => {
    const compiled = sql('sqlite', (db) =>
      compileRelated(db, CAPABILITIES.sqlite, hasMany, read({ limit: 3 }), [[1], [2]], false),
    );
    expect(compiled.sql).toMatch(/in \(\?, \?\) limit \?$/);
    expect(compiled.bindings).toEqual([1, 2, 3]);
  });
});
