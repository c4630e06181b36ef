// Calling stored procedures and functions through SqlDataSource.callRoutine (dreamfactory-compat.md §11.2–11.4)
// on PostgreSQL and MariaDB: result sets, OUT and INOUT values, scalar values, missing arguments, values that
// look like SQL, errors, transactions and the statements each call costs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceRegistry, type Source } from '../../src/adapters/source.js';
import { ApiError } from '../../src/errors/index.js';
import type { DataSource, ExecStats, RoutineResult } from '../../src/executor/data-source.js';
import { guardSource } from '../../src/http/limits.js';
import { buildModel } from '../../src/model/build-model.js';
import type { RoutineModel, ServiceModel } from '../../src/model/types.js';
import { routinesSql } from '../fixtures/routines/routines.js';
import { chinookName, useChinook } from './support/chinook.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';

// Customer 2's invoices in Chinook, and their sum.
const CUSTOMER_2_INVOICES = [1, 12, 67, 196, 219, 241, 293];
const CUSTOMER_2_TOTAL = '37.62';
const INJECTION = '1); drop table genre; --';

const EXTRAS = {
  postgres: `
    create function greet(who text default 'world') returns text
      language sql immutable as $$ select 'hello ' || who $$;
    create function plus(int, int default 10) returns int language sql immutable as 'select $1 + $2';
    create function pair(in a int, out doubled int, out tripled int)
      language sql immutable as 'select a * 2, a * 3';
    create function nothing() returns void language sql as 'select';
    create procedure set_label(in id int, in label text default 'none')
      language sql as $$ update genre set name = label where genre_id = id $$;`,
  mysql: '',
} as const;

describe.each(['postgres', 'mysql'] as const)('calling stored routines on %s', (dialect) => {
  const chinook = useChinook(dialect, routinesSql(dialect) + EXTRAS[dialect]);
  const pg = dialect === 'postgres';
  const n = (name: string) => chinookName(dialect, name);
  let sources: SourceRegistry;
  let source: Source;
  let data: DataSource;
  let service: ServiceModel;

  beforeAll(async () => {
    sources = new SourceRegistry([chinook.service]);
    source = sources.get(chinook.service.name);
    const catalog = await source.introspect();
    const built = buildModel(
      { services: [chinook.service], virtualForeignKeys: [] },
      new Map([[chinook.service.name, catalog]]),
    );
    service = built.model.services[0]!;
    data = source.data;
  });

  afterAll(async () => {
    await sources?.closeAll();
  });

  function routine(name: string): RoutineModel {
    const found = service.routines.find((r) => r.name === name);
    if (!found) throw new Error(`no routine ${name}`);
    return found;
  }

  async function call(
    name: string,
    args: Record<string, unknown> = {},
    on: DataSource = data,
  ): Promise<RoutineResult & { statements: number }> {
    const stats: ExecStats = { statements: 0 };
    const result = await on.callRoutine!(routine(name), args, stats);
    return { ...result, statements: stats.statements };
  }

  async function genreName(id: unknown): Promise<unknown> {
    const row = (await chinook
      .knex(n('Genre'))
      .where(n('GenreId'), id as number)
      .first()) as Record<string, unknown> | undefined;
    return row?.[n('Name')];
  }

  it('offers callRoutine on the SQL source', () => {
    expect(typeof data.callRoutine).toBe('function');
  });

  it('returns customer_invoices’ rows as one result set', async () => {
    const result = await call('customer_invoices', { cust: 2 });
    expect(result.resultSets).toHaveLength(1);
    const rows = result.resultSets[0]!;
    expect(rows.map((r) => Number(r[n('InvoiceId')]))).toEqual(CUSTOMER_2_INVOICES);
    expect(rows[0]).toEqual({ [n('InvoiceId')]: 1, [n('Total')]: '1.98' });
    expect(result.out).toEqual({});
    expect(result.value).toBeUndefined();
    expect(result.statements).toBe(1);
  });

  it('gives invoice_total’s OUT value by its name', async () => {
    const result = await call('invoice_total', { cust: 2 });
    expect(result.out).toEqual({ total: CUSTOMER_2_TOTAL });
    expect(result.resultSets).toEqual([]);
    // MySQL: the CALL, then one SELECT of the session variables.
    expect(result.statements).toBe(pg ? 1 : 2);
  });

  it('passes bump’s INOUT value in and gives the new one back', async () => {
    const result = await call('bump', { n: 5, step: 3 });
    // MySQL's session variables come back as the driver reads BIGINT: text.
    expect(Number(result.out.n)).toBe(8);
    expect(Object.keys(result.out)).toEqual(['n']);
    // MySQL: SET the INOUT variable, CALL, SELECT it.
    expect(result.statements).toBe(pg ? 1 : 3);
  });

  it('matches argument names case-insensitively', async () => {
    const result = await call('bump', { N: 1, Step: 1 });
    expect(Number(result.out.n)).toBe(2);
  });

  it('returns album_count’s value as a scalar', async () => {
    const result = await call('album_count', { artist: 1 });
    expect(result).toEqual({ resultSets: [], out: {}, value: 2, statements: 1 });
  });

  it('stores a value that looks like SQL literally when add_genre inserts it', async () => {
    const result = await call('add_genre', { genre_name: INJECTION });
    expect(typeof result.value).toBe('number');
    expect(await genreName(result.value)).toBe(INJECTION);
    const [{ count }] = (await chinook.knex(n('Genre')).count({ count: '*' })) as [{ count: unknown }];
    expect(Number(count)).toBe(26);
    expect(result.statements).toBe(1);
  });

  it('passes a quote-laden name as one value', async () => {
    const name = `O'Brien"; select 1; -- \\' \``;
    const result = await call('add_genre', { genre_name: name });
    expect(await genreName(result.value)).toBe(name);
  });

  it('runs touch, which returns nothing', async () => {
    const result = await call('touch');
    expect(result.resultSets).toEqual([]);
    expect(result.out).toEqual({});
    expect(result.statements).toBe(1);
  });

  it('passes NULL for a missing IN argument without a default', async () => {
    expect((await call('album_count', {})).value).toBe(0);
    const bumped = await call('bump', { step: 3 });
    expect(bumped.out).toEqual({ n: null });
  });

  it('reports a value of the wrong type as INVALID_VALUE, without the database’s words', async () => {
    const error = (await call('album_count', { artist: 'not a number' }).catch(
      (e: unknown) => e,
    )) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe('INVALID_VALUE');
    expect(error.message).not.toMatch(/album_count|integer|select/i);
    expect((error.cause as Error).message).toBeTruthy();
  });

  it('reports a routine the database no longer has as a database error, its text only in the cause', async () => {
    const gone: RoutineModel = { ...routine('touch'), name: 'no_such_routine' };
    const stats: ExecStats = { statements: 0 };
    const error = (await data.callRoutine!(gone, {}, stats).catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe('DATABASE_ERROR');
    expect(error.message).not.toContain('no_such_routine');
    expect(String((error.cause as Error).message)).toContain('no_such_routine');
    expect(stats.statements).toBe(1);
  });

  it('calls inside a transaction, whose rollback undoes what the routine wrote', async () => {
    let id: unknown;
    await expect(
      data.transaction(async (tx) => {
        id = (await call('add_genre', { genre_name: 'Rolled back' }, tx)).value;
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(id).toEqual(expect.any(Number));
    expect(await genreName(id)).toBeUndefined();
  });

  it('passes calls through the request guard', async () => {
    const guarded = guardSource(data, 10);
    expect((await call('customer_invoices', { cust: 2 }, guarded)).resultSets[0]).toHaveLength(7);
  });

  if (pg) {
    it('returns albums_of’s rows with the album table’s columns', async () => {
      const result = await call('albums_of', { a: 1 });
      expect(result.resultSets).toEqual([
        [
          { album_id: 1, title: 'For Those About To Rock We Salute You', artist_id: 1 },
          { album_id: 4, title: 'Let There Be Rock', artist_id: 1 },
        ],
      ]);
      expect(result.statements).toBe(1);
    });

    it('leaves a missing trailing argument out, so PostgreSQL applies its default', async () => {
      expect((await call('greet')).value).toBe('hello world');
      expect((await call('greet', { who: 'you' })).value).toBe('hello you');
      expect((await call('plus', { $1: 5 })).value).toBe(15);
      expect((await call('plus', { $1: 5, $2: 1 })).value).toBe(6);
    });

    it('applies a procedure’s default too', async () => {
      await call('set_label', { id: 1 });
      expect(await genreName(1)).toBe('none');
    });

    it('gives a function’s OUT parameters as out values', async () => {
      expect(await call('pair', { a: 4 })).toEqual({
        resultSets: [],
        out: { doubled: 8, tripled: 12 },
        statements: 1,
      });
    });

    it('gives a void function a null value', async () => {
      expect((await call('nothing')).value).toBeNull();
    });
  } else {
    it('returns artist_and_albums’ two result sets in order', async () => {
      const result = await call('artist_and_albums', { a: 1 });
      expect(result.resultSets).toEqual([
        [{ ArtistId: 1, Name: 'AC/DC' }],
        [
          { AlbumId: 1, Title: 'For Those About To Rock We Salute You' },
          { AlbumId: 4, Title: 'Let There Be Rock' },
        ],
      ]);
      expect(result.out).toEqual({});
      expect(result.statements).toBe(1);
    });

    it('sends an array or object argument as one JSON text value, never as several arguments', async () => {
      const result = await call('add_genre', { genre_name: ['a', 'b'] });
      expect(await genreName(result.value)).toBe('["a","b"]');
      const object = await call('add_genre', { genre_name: { a: 1 } });
      expect(await genreName(object.value)).toBe('{"a":1}');
    });

    it('keeps an empty result set', async () => {
      const result = await call('artist_and_albums', { a: -1 });
      expect(result.resultSets).toEqual([[], []]);
    });

    it('gives the OUT value of this call, not one an earlier call left in the session', async () => {
      await call('invoice_total', { cust: 2 });
      expect((await call('invoice_total', { cust: -1 })).out).toEqual({ total: '0.00' });
    });
  }
});

describe('routines on SQLite', () => {
  let db: TestDatabase;
  let sources: SourceRegistry;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    sources = new SourceRegistry([db.service()]);
  });

  afterAll(async () => {
    await sources?.closeAll();
    await db?.drop();
  });

  it('has no callRoutine, also behind the request guard', () => {
    const data = sources.get('chinook').data;
    expect(data.callRoutine).toBeUndefined();
    expect(guardSource(data, 10).callRoutine).toBeUndefined();
  });
});
