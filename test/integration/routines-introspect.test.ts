// Introspecting stored procedures and functions (dreamfactory-compat.md §11) on PostgreSQL and MariaDB:
// the fixtures of test/fixtures/routines plus a few extras per database (defaults, unnamed parameters,
// overloads, names that clash with table fields, things that are not callable routines), the model built
// from them, and the schema cache.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RawCatalog, RawParam, RawRoutine } from '../../src/introspect/catalog.js';
import { introspectService } from '../../src/introspect/index.js';
import { buildModel } from '../../src/model/build-model.js';
import { printModel } from '../../src/model/print-model.js';
import { readCache, writeCache } from '../../src/model/snapshot.js';
import type { RoutineModel, ServiceModel } from '../../src/model/types.js';
import { routinesSql } from '../fixtures/routines/routines.js';
import { useChinook } from './support/chinook.js';

const GOLDEN_DIR = fileURLToPath(new URL('../golden/', import.meta.url));

// No extra tables: the tables' printout must stay the Chinook golden file's.
const EXTRAS = {
  postgres: `
    create function greet(who text default 'world, and all', punctuation text default '!') returns text
      language sql immutable as $$ select 'hello ' || who || punctuation $$;
    comment on function greet(text, text) is 'Says hello';
    create function plus(int, int default 10) returns int language sql immutable as 'select $1 + $2';
    create function plus(numeric, numeric) returns numeric language sql immutable as 'select $1 + $2';
    create function pair(in a int, out doubled int, out tripled int)
      language sql immutable as 'select a * 2, a * 3';
    create function albums() returns setof int language sql stable as 'select album_id from album';
    create function nothing() returns void language sql as 'select';
    create aggregate total_of(numeric) (sfunc = numeric_add, stype = numeric);
    create function touch_trigger() returns trigger language plpgsql as $$ begin return new; end $$;
    create extension citext;`,
  mysql: `
    create function albums() returns int comment 'Counts albums' reads sql data
      return (select count(*) from Album);
    create procedure ping(out answer varchar(10) charset utf8mb4) no sql set answer = 'pong';`,
} as const;

function param(
  name: string,
  position: number,
  mode: RawParam['mode'],
  dbType: string,
  more: Partial<RawParam> = {},
): RawParam {
  return { name, position, mode, dbType, length: null, precision: null, scale: null, default: null, ...more };
}

/** PostgreSQL keeps no length or precision for parameters; MariaDB's are information_schema's. */
const int = (dialect: 'postgres' | 'mysql') =>
  dialect === 'postgres' ? { dbType: 'integer' } : { dbType: 'int(11)', precision: 10, scale: 0 };

function intParam(dialect: 'postgres' | 'mysql', name: string, position: number, mode: RawParam['mode']) {
  const { dbType, ...more } = int(dialect);
  return param(name, position, mode, dbType, more);
}

describe.each(['postgres', 'mysql'] as const)('introspecting stored routines on %s', (dialect) => {
  const chinook = useChinook(dialect, routinesSql(dialect) + EXTRAS[dialect]);
  const pg = dialect === 'postgres';
  let catalog: RawCatalog;
  let service: ServiceModel;

  beforeAll(async () => {
    catalog = await introspectService(chinook.service, chinook.knex);
    const built = buildModel(
      { services: [chinook.service], virtualForeignKeys: [] },
      new Map([[chinook.service.name, catalog]]),
    );
    service = built.model.services[0]!;
  });

  function routine(name: string, kind?: RawRoutine['kind']): RawRoutine {
    const found = catalog.routines?.find((r) => r.name === name && (kind === undefined || r.kind === kind));
    if (!found) throw new Error(`no routine ${name}: ${catalog.routines?.map((r) => r.name).join(', ')}`);
    return found;
  }

  function modelOf(name: string): RoutineModel {
    const found = service.routines.find((r) => r.name === name);
    if (!found) throw new Error(`no routine ${name} in the model`);
    return found;
  }

  it('lists every fixture routine, sorted case-insensitively', () => {
    const names = (catalog.routines ?? []).map((r) => r.name);
    const fixture = ['customer_invoices', 'invoice_total', 'bump', 'album_count', 'add_genre', 'touch'];
    expect(names).toEqual(expect.arrayContaining([...fixture, pg ? 'albums_of' : 'artist_and_albums']));
    expect(names).not.toContain(pg ? 'artist_and_albums' : 'albums_of');
    const lower = names.map((n) => n.toLowerCase());
    expect(lower).toEqual([...lower].sort());
  });

  it('reads customer_invoices: rows of the customer’s invoices', () => {
    if (pg) {
      expect(routine('customer_invoices')).toEqual({
        name: 'customer_invoices',
        kind: 'function',
        comment: null,
        params: [intParam(dialect, 'cust', 1, 'IN')],
        returnType: 'setof record',
        returnsSet: true,
        returnColumns: [
          { name: 'invoice_id', dbType: 'integer' },
          { name: 'total', dbType: 'numeric' },
        ],
        readOnly: true,
      });
    } else {
      // MySQL says nothing about the result sets a procedure returns.
      expect(routine('customer_invoices')).toEqual({
        name: 'customer_invoices',
        kind: 'procedure',
        comment: null,
        params: [intParam(dialect, 'cust', 1, 'IN')],
        returnType: null,
        returnsSet: false,
        returnColumns: [],
        readOnly: false,
      });
    }
  });

  it('reads invoice_total: a procedure with an IN and an OUT parameter', () => {
    expect(routine('invoice_total')).toEqual({
      name: 'invoice_total',
      kind: 'procedure',
      comment: null,
      params: [
        intParam(dialect, 'cust', 1, 'IN'),
        pg
          ? param('total', 2, 'OUT', 'numeric')
          : param('total', 2, 'OUT', 'decimal(10,2)', { precision: 10, scale: 2 }),
      ],
      returnType: null,
      returnsSet: false,
      returnColumns: [],
      readOnly: false,
    });
  });

  it('reads bump: a procedure with an INOUT parameter before an IN one', () => {
    expect(routine('bump')).toMatchObject({
      kind: 'procedure',
      params: [intParam(dialect, 'n', 1, 'INOUT'), intParam(dialect, 'step', 2, 'IN')],
      returnType: null,
      readOnly: false,
    });
  });

  it('reads album_count as a read-only scalar function returning an integer', () => {
    expect(routine('album_count')).toEqual({
      name: 'album_count',
      kind: 'function',
      comment: null,
      params: [intParam(dialect, 'artist', 1, 'IN')],
      returnType: int(dialect).dbType,
      returnsSet: false,
      returnColumns: [],
      readOnly: true,
    });
  });

  it('reads add_genre as a function that writes', () => {
    expect(routine('add_genre')).toEqual({
      name: 'add_genre',
      kind: 'function',
      comment: null,
      params: [
        pg
          ? param('genre_name', 1, 'IN', 'character varying')
          : param('genre_name', 1, 'IN', 'varchar(120)', { length: 120 }),
      ],
      returnType: int(dialect).dbType,
      returnsSet: false,
      returnColumns: [],
      readOnly: false,
    });
  });

  it('reads touch as a procedure without parameters', () => {
    expect(routine('touch')).toEqual({
      name: 'touch',
      kind: 'procedure',
      comment: null,
      params: [],
      returnType: null,
      returnsSet: false,
      returnColumns: [],
      readOnly: false,
    });
  });

  it('builds the model’s routines with labels, simple types and GraphQL names', () => {
    expect(modelOf('album_count')).toMatchObject({
      kind: 'function',
      label: 'Album Count',
      returnType: 'integer',
      returnDbType: int(dialect).dbType,
      readOnly: true,
      graphqlName: 'albumCount',
      params: [{ name: 'artist', type: 'integer', graphqlName: 'artist' }],
    });
    expect(modelOf('invoice_total')).toMatchObject({
      returnType: null,
      readOnly: false,
      graphqlName: 'invoiceTotal',
      params: [
        { name: 'cust', mode: 'IN', type: 'integer' },
        { name: 'total', mode: 'OUT', type: 'decimal', graphqlName: 'total' },
      ],
    });
    expect(modelOf('add_genre').params[0]).toMatchObject({ type: 'string', graphqlName: 'genreName' });
    expect(modelOf('touch')).toMatchObject({ params: [], graphqlName: 'touch', readOnly: false });
  });

  it('gives a routine named like a table’s list field its kind as a suffix', () => {
    expect(service.tables.find((t) => t.graphql.list === 'albums')).toBeDefined();
    expect(modelOf('albums').graphqlName).toBe('albumsFunction');
  });

  it('keeps the routines through the schema cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'junction-routines-cache-'));
    try {
      await writeCache(dir, chinook.service, catalog, service);
      const read = await readCache(dir, chinook.service);
      if (read.status !== 'fresh') throw new Error(`cache not fresh: ${read.status}`);
      expect(read.catalog.routines).toEqual(catalog.routines);
      expect(read.stored.model.routines).toEqual(service.routines);
      const again = buildModel(
        { services: [chinook.service], virtualForeignKeys: [] },
        new Map([[chinook.service.name, read.catalog]]),
      );
      expect(again.model.services[0]?.routines).toEqual(service.routines);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves the tables as the Chinook golden file prints them, and prints the routines after them', () => {
    const printed = printModel({ services: [service] });
    const routinesSection = /^ {2}routines \(\d+\)\n(?: {4}.*\n)*/m;
    expect(printed).toMatch(routinesSection);
    expect(printed.replace(routinesSection, '')).toBe(
      readFileSync(join(GOLDEN_DIR, `chinook.${dialect}.txt`), 'utf8'),
    );
    expect(printed).toMatch(/ {4}function +album_count +read-only +gql albumCount\(artist\) +\(artist /);
  });

  if (pg) {
    it('reads albums_of: a set-returning function whose columns are the album table’s', () => {
      expect(routine('albums_of')).toEqual({
        name: 'albums_of',
        kind: 'function',
        comment: null,
        params: [param('a', 1, 'IN', 'integer')],
        returnType: 'setof album',
        returnsSet: true,
        returnColumns: [
          { name: 'album_id', dbType: 'integer' },
          { name: 'title', dbType: 'character varying(160)' },
          { name: 'artist_id', dbType: 'integer' },
        ],
        readOnly: true,
      });
      expect(modelOf('albums_of')).toMatchObject({
        returnType: null,
        returnColumns: [
          { name: 'album_id', type: 'integer', graphqlName: 'albumId' },
          { name: 'title', type: 'string', graphqlName: 'title' },
          { name: 'artist_id', type: 'integer', graphqlName: 'artistId' },
        ],
      });
    });

    it('reads defaults as PostgreSQL prints them, commas inside literals included, and the comment', () => {
      expect(routine('greet')).toMatchObject({
        comment: 'Says hello',
        params: [
          param('who', 1, 'IN', 'text', { default: "'world, and all'::text" }),
          param('punctuation', 2, 'IN', 'text', { default: "'!'::text" }),
        ],
        returnType: 'text',
        readOnly: true,
      });
    });

    it('reads unnamed parameters with an empty name, and names them argN in GraphQL', () => {
      const [plusInt] = catalog.routines!.filter((r) => r.name === 'plus');
      expect(plusInt?.params).toEqual([
        param('', 1, 'IN', 'integer'),
        param('', 2, 'IN', 'integer', { default: '10' }),
      ]);
      expect(service.routines.find((r) => r.name === 'plus')?.params.map((p) => p.graphqlName)).toEqual([
        'arg1',
        'arg2',
      ]);
    });

    it('keeps both overloads of a name, the second with its own GraphQL name', () => {
      const overloads = service.routines.filter((r) => r.name === 'plus');
      expect(overloads.map((r) => r.params.map((p) => p.dbType).join())).toEqual([
        'integer,integer',
        'numeric,numeric',
      ]);
      expect(overloads.map((r) => r.graphqlName)).toEqual(['plus', 'plusFunction']);
    });

    it('reads a function with OUT parameters: they are its parameters and its row', () => {
      expect(routine('pair')).toMatchObject({
        params: [
          param('a', 1, 'IN', 'integer'),
          param('doubled', 2, 'OUT', 'integer'),
          param('tripled', 3, 'OUT', 'integer'),
        ],
        returnType: 'record',
        returnsSet: false,
        returnColumns: [
          { name: 'doubled', dbType: 'integer' },
          { name: 'tripled', dbType: 'integer' },
        ],
      });
      expect(modelOf('pair').returnType).toBeNull();
    });

    it('reads a void function as returning nothing', () => {
      expect(routine('nothing')).toMatchObject({ returnType: 'void', readOnly: false });
      expect(modelOf('nothing').returnType).toBeNull();
    });

    it('leaves out aggregates, trigger functions and the functions of extensions', () => {
      const names = catalog.routines!.map((r) => r.name);
      expect(names).not.toContain('total_of');
      expect(names).not.toContain('touch_trigger');
      expect(names.some((n) => n.startsWith('citext'))).toBe(false);
    });
  } else {
    it('reads artist_and_albums: a procedure (its two result sets are not in the catalog)', () => {
      expect(routine('artist_and_albums')).toEqual({
        name: 'artist_and_albums',
        kind: 'procedure',
        comment: null,
        params: [intParam(dialect, 'a', 1, 'IN')],
        returnType: null,
        returnsSet: false,
        returnColumns: [],
        readOnly: false,
      });
    });

    it('reads a routine’s comment and an OUT parameter’s full type', () => {
      expect(routine('albums')).toMatchObject({ comment: 'Counts albums', readOnly: true });
      expect(routine('ping').params).toEqual([param('answer', 1, 'OUT', 'varchar(10)', { length: 10 })]);
    });
  }
});
