// Introspection against real databases: Chinook plus a few extra tables (view, composite and cross-schema
// foreign keys, unique constraints, generated column, comments) on PostgreSQL, MariaDB and SQLite.
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKnex, destroyKnex, probeConnection } from '../../src/adapters/sql/connect.js';
import type { ServiceConfig } from '../../src/config/types.js';
import { ApiError } from '../../src/errors/index.js';
import type { RawCatalog, RawColumn, RawTable } from '../../src/introspect/catalog.js';
import { introspectService } from '../../src/introspect/index.js';
import { CHINOOK_TABLES, chinookName, useChinook } from './support/chinook.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from './support/databases.js';

// The same extra tables in each dialect's DDL: `box` has a composite foreign key to `shelf`'s composite
// primary key, two unique constraints (one composite, columns out of table order) and a generated column.
const EXTRAS: Record<TestDialect, string> = {
  postgres: `
    create table shelf (site_id int not null, code varchar(10) not null, label text,
      primary key (site_id, code));
    create schema otherschema;
    create table otherschema.warehouse (id int primary key, name text);
    create table otherschema.only_there (id int primary key);
    create table box (
      id serial primary key,
      site_id int not null, shelf_code varchar(10) not null, sku varchar(20) not null,
      width int, height int, area int generated always as (width * height) stored,
      warehouse_id int references otherschema.warehouse (id),
      constraint box_sku_key unique (sku),
      constraint box_place_key unique (shelf_code, site_id),
      constraint box_shelf_fkey foreign key (site_id, shelf_code) references shelf (site_id, code)
        on delete cascade on update restrict);
    create index box_size_idx on box (width, height);
    comment on table box is 'Boxes on shelves';
    comment on column box.sku is 'Stock keeping unit';
    create view album_titles as select album_id, title from album;
    create materialized view artist_names as select artist_id, name from artist;`,
  mysql: `
    create table shelf (site_id int not null, code varchar(10) not null, label text,
      primary key (site_id, code));
    create table box (
      id int not null auto_increment primary key,
      site_id int not null, shelf_code varchar(10) not null,
      sku varchar(20) not null comment 'Stock keeping unit',
      width int, height int, area int as (width * height) stored,
      constraint box_sku_key unique (sku),
      constraint box_place_key unique (shelf_code, site_id),
      constraint box_shelf_fkey foreign key (site_id, shelf_code) references shelf (site_id, code)
        on delete cascade on update restrict) comment 'Boxes on shelves';
    create index box_size_idx on box (width, height);
    create view album_titles as select AlbumId, Title from Album;`,
  sqlite: `
    create table shelf (site_id integer not null, code varchar(10) not null, label text,
      primary key (site_id, code));
    create table box (
      id integer primary key,
      site_id integer not null, shelf_code varchar(10) not null, sku varchar(20) not null,
      width integer, height integer, area integer generated always as (width * height) stored,
      constraint box_sku_key unique (sku),
      constraint box_place_key unique (shelf_code, site_id),
      constraint box_shelf_fkey foreign key (site_id, shelf_code) references shelf (site_id, code)
        on delete cascade on update restrict);
    create index box_size_idx on box (width, height);
    create table note (id integer primary key, album_id integer references album);
    create view album_titles as select AlbumId, Title from Album;`,
};

interface Expected {
  title: string;
  total: string;
  birthDate: string;
  intId: RegExp;
}

const EXPECTED: Record<TestDialect, Expected> = {
  postgres: {
    title: 'character varying(160)',
    total: 'numeric(10,2)',
    birthDate: 'timestamp without time zone',
    intId: /^integer$/,
  },
  // MariaDB prints the display width (int(11)); MySQL 8 does not.
  mysql: { title: 'varchar(160)', total: 'decimal(10,2)', birthDate: 'datetime', intId: /^int(\(11\))?$/ },
  sqlite: { title: 'nvarchar(160)', total: 'numeric(10,2)', birthDate: 'datetime', intId: /^integer$/ },
};

function table(catalog: RawCatalog, name: string): RawTable {
  const found = catalog.tables.find((t) => t.name === name);
  if (!found)
    throw new Error(`table ${name} not in catalog: ${catalog.tables.map((t) => t.name).join(', ')}`);
  return found;
}

function column(t: RawTable, name: string): RawColumn {
  const found = t.columns.find((c) => c.name === name);
  if (!found) throw new Error(`column ${t.name}.${name} not found`);
  return found;
}

describe.each(['postgres', 'mysql', 'sqlite'] as const)('introspecting Chinook on %s', (dialect) => {
  const chinook = useChinook(dialect, EXTRAS[dialect]);
  const n = (name: string) => chinookName(dialect, name);
  const progress: string[] = [];
  let catalog: RawCatalog;

  beforeAll(async () => {
    catalog = await introspectService(chinook.service, chinook.knex, (msg) => progress.push(msg));
  });

  it('lists all 11 Chinook tables as tables, sorted case-insensitively', () => {
    const names = catalog.tables.map((t) => t.name);
    for (const name of CHINOOK_TABLES) expect(names).toContain(n(name));
    for (const name of CHINOOK_TABLES) expect(table(catalog, n(name)).kind).toBe('table');
    const lower = names.map((name) => name.toLowerCase());
    expect(lower).toEqual([...lower].sort());
  });

  it('names the dialect, database and server version', () => {
    expect(catalog.dialect).toBe(dialect);
    expect(catalog.schema).toBe(dialect === 'postgres' ? 'public' : null);
    expect(catalog.database).toBe(dialect === 'sqlite' ? 'test.sqlite' : chinook.db.name);
    expect(catalog.serverVersion).toMatch(/^\d+\.\d+/);
  });

  it('reports progress at each phase', () => {
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.at(-1)).toMatch(/read \d+ tables and views in \d+ ms/);
  });

  it('reads Album.Title as a not-null varchar of length 160', () => {
    const title = column(table(catalog, n('Album')), n('Title'));
    expect(title).toMatchObject({ dbType: EXPECTED[dialect].title, nullable: false, length: 160 });
    expect(title).toMatchObject({ precision: null, scale: null, autoIncrement: false, generated: false });
  });

  it('reads Invoice.Total and Track.UnitPrice as numeric(10,2)', () => {
    for (const [t, c] of [
      ['Invoice', 'Total'],
      ['Track', 'UnitPrice'],
    ] as const) {
      const col = column(table(catalog, n(t)), n(c));
      expect(col).toMatchObject({
        dbType: EXPECTED[dialect].total,
        nullable: false,
        precision: 10,
        scale: 2,
      });
      expect(col.length).toBeNull();
    }
  });

  it('reads Employee.BirthDate as a nullable date-time column', () => {
    const birthDate = column(table(catalog, n('Employee')), n('BirthDate'));
    expect(birthDate).toMatchObject({ dbType: EXPECTED[dialect].birthDate, nullable: true, default: null });
  });

  it('keeps the columns in table order', () => {
    expect(table(catalog, n('Album')).columns.map((c) => c.name)).toEqual(
      ['AlbumId', 'Title', 'ArtistId'].map(n),
    );
  });

  it('reads the primary keys, including PlaylistTrack’s composite one in key order', () => {
    expect(table(catalog, n('Album')).primaryKey).toEqual([n('AlbumId')]);
    expect(table(catalog, n('PlaylistTrack')).primaryKey).toEqual([n('PlaylistId'), n('TrackId')]);
  });

  it('marks the identity primary keys as auto-increment, and nothing else in Chinook', () => {
    for (const name of CHINOOK_TABLES) {
      const t = table(catalog, n(name));
      const auto = t.columns.filter((c) => c.autoIncrement).map((c) => c.name);
      expect(auto).toEqual(name === 'PlaylistTrack' ? [] : [n(`${name}Id`)]);
      if (name !== 'PlaylistTrack') {
        expect(column(t, n(`${name}Id`)).dbType).toMatch(EXPECTED[dialect].intId);
      }
    }
  });

  it('reads all 11 foreign keys with NO ACTION rules', () => {
    const chinookTables = catalog.tables.filter((t) => CHINOOK_TABLES.map(n).includes(t.name));
    const fks = chinookTables.flatMap((t) =>
      t.foreignKeys.map((fk) => `${t.name}.${fk.columns.join()}>${fk.refTable}.${fk.refColumns.join()}`),
    );
    const expected = [
      'Album.ArtistId>Artist.ArtistId',
      'Customer.SupportRepId>Employee.EmployeeId',
      'Employee.ReportsTo>Employee.EmployeeId',
      'Invoice.CustomerId>Customer.CustomerId',
      'InvoiceLine.InvoiceId>Invoice.InvoiceId',
      'InvoiceLine.TrackId>Track.TrackId',
      'PlaylistTrack.PlaylistId>Playlist.PlaylistId',
      'PlaylistTrack.TrackId>Track.TrackId',
      'Track.AlbumId>Album.AlbumId',
      'Track.GenreId>Genre.GenreId',
      'Track.MediaTypeId>MediaType.MediaTypeId',
    ].map((s) => s.replace(/[A-Za-z]+/g, n));
    expect(fks.sort()).toEqual(expected.sort());
    for (const fk of chinookTables.flatMap((t) => t.foreignKeys)) {
      expect(fk).toMatchObject({ onUpdate: 'NO ACTION', onDelete: 'NO ACTION' });
      expect(fk.name).not.toBe('');
    }
  });

  it('reads Track’s three foreign keys with their rules', () => {
    const track = table(catalog, n('Track'));
    expect(track.foreignKeys.map((fk) => fk.refTable).sort()).toEqual(['Album', 'Genre', 'MediaType'].map(n));
    expect(track.foreignKeys.every((fk) => fk.onUpdate === 'NO ACTION' && fk.onDelete === 'NO ACTION')).toBe(
      true,
    );
  });

  it('reads the foreign-key indexes as non-unique indexes', () => {
    const track = table(catalog, n('Track'));
    const indexed = track.indexes.map((ix) => ix.columns.join());
    expect(indexed).toEqual(expect.arrayContaining(['AlbumId', 'GenreId', 'MediaTypeId'].map(n)));
    expect(track.uniqueKeys).toEqual([]);
  });

  it('reads a view as kind "view"', () => {
    const view = table(catalog, 'album_titles');
    expect(view.kind).toBe('view');
    expect(view.columns.map((c) => c.name)).toEqual(['AlbumId', 'Title'].map(n));
    expect(view.primaryKey).toEqual([]);
  });

  it('reads a composite foreign key with columns in constraint order and its rules', () => {
    const box = table(catalog, 'box');
    const fk = box.foreignKeys.find((f) => f.refTable === 'shelf');
    expect(fk).toMatchObject({
      columns: ['site_id', 'shelf_code'],
      refColumns: ['site_id', 'code'],
      onDelete: 'CASCADE',
      onUpdate: 'RESTRICT',
    });
    expect(table(catalog, 'shelf').primaryKey).toEqual(['site_id', 'code']);
  });

  it('reads unique constraints apart from the primary key, columns in key order', () => {
    const box = table(catalog, 'box');
    expect(box.uniqueKeys.map((k) => k.columns).sort()).toEqual([['shelf_code', 'site_id'], ['sku']]);
    expect(box.indexes.map((k) => k.columns)).toContainEqual(['width', 'height']);
    expect(box.primaryKey).toEqual(['id']);
    expect(column(box, 'id').autoIncrement).toBe(true);
  });

  it('marks a generated column as generated, with no default', () => {
    const box = table(catalog, 'box');
    expect(column(box, 'area')).toMatchObject({ generated: true, default: null, autoIncrement: false });
    expect(column(box, 'width').generated).toBe(false);
  });

  it('does not take a composite primary key column for an auto-increment', () => {
    expect(column(table(catalog, 'shelf'), 'site_id').autoIncrement).toBe(false);
  });

  if (dialect !== 'sqlite') {
    it('reads table and column comments', () => {
      const box = table(catalog, 'box');
      expect(box.comment).toBe('Boxes on shelves');
      expect(column(box, 'sku').comment).toBe('Stock keeping unit');
      expect(column(box, 'width').comment).toBeNull();
      expect(table(catalog, n('Album')).comment).toBeNull();
    });
  }

  if (dialect === 'sqlite') {
    it('resolves a REFERENCES without columns to the parent’s primary key, spelled as the parent is', () => {
      expect(table(catalog, 'note').foreignKeys).toMatchObject([
        { columns: ['album_id'], refTable: 'Album', refColumns: ['AlbumId'] },
      ]);
    });

    it('leaves out SQLite’s internal tables', () => {
      expect(catalog.tables.some((t) => t.name.startsWith('sqlite_'))).toBe(false);
    });
  }

  if (dialect === 'postgres') {
    it('reads a serial column as auto-increment and keeps its nextval default', () => {
      const id = column(table(catalog, 'box'), 'id');
      expect(id.autoIncrement).toBe(true);
      expect(id.default).toMatch(/^nextval\(/);
    });

    it('reads a materialized view as a view', () => {
      expect(table(catalog, 'artist_names').kind).toBe('view');
    });

    it('names a foreign key into another schema as schema.table', () => {
      const fk = table(catalog, 'box').foreignKeys.find((f) => f.columns[0] === 'warehouse_id');
      expect(fk).toMatchObject({ refTable: 'otherschema.warehouse', refColumns: ['id'] });
    });

    it('does not read tables of other schemas when the schema is public', () => {
      const names = catalog.tables.map((t) => t.name);
      expect(names).not.toContain('warehouse');
      expect(names).not.toContain('only_there');
    });

    it('reads only the other schema when service.schema points at it', async () => {
      const other = await introspectService({ ...chinook.service, schema: 'otherschema' }, chinook.knex);
      expect(other.schema).toBe('otherschema');
      expect(other.tables.map((t) => t.name)).toEqual(['only_there', 'warehouse']);
      expect(table(other, 'warehouse').primaryKey).toEqual(['id']);
    });
  }
});

describe('introspecting a wide PostgreSQL schema', () => {
  let db: TestDatabase;
  let knex: Knex;
  const TABLES = 500;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    const ddl = ['create schema wide;'];
    for (let i = 0; i < TABLES; i++) {
      const ref = i === 0 ? '' : `, parent_id int references wide.t${i - 1} (id)`;
      ddl.push(
        `create table wide.t${i} (id int generated always as identity primary key, code varchar(20) unique,` +
          ` name text not null, price numeric(8,2), created timestamp default now()${ref});`,
        `create index t${i}_name_idx on wide.t${i} (name);`,
      );
    }
    await db.exec(ddl.join('\n'));
    knex = createKnex(db.service({ schema: 'wide' }));
  });

  afterAll(async () => {
    if (knex) await destroyKnex(knex);
    if (db) await db.drop();
  });

  // How long it takes is measured by bench/introspect-500.ts, not asserted here.
  it('reads all 500 tables of a wide schema with their keys', async () => {
    const catalog = await introspectService(db.service({ schema: 'wide' }), knex);
    expect(catalog.tables).toHaveLength(TABLES);
    expect(table(catalog, 't499').foreignKeys).toMatchObject([{ refTable: 't498', refColumns: ['id'] }]);
    expect(table(catalog, 't7').uniqueKeys).toMatchObject([{ columns: ['code'] }]);
  });
});

describe('probing a connection', () => {
  function service(type: TestDialect, connection: ServiceConfig['connection']): ServiceConfig {
    return {
      name: 'legacy',
      type,
      label: null,
      description: null,
      connection,
      schema: type === 'postgres' ? 'public' : null,
      database: null,
      sampleSize: 1000,
      maxRecords: 1000,
      tables: {},
    };
  }

  async function probeError(svc: ServiceConfig): Promise<ApiError> {
    const knex = createKnex(svc);
    try {
      await probeConnection(knex, svc);
    } catch (error) {
      return error as ApiError;
    } finally {
      await destroyKnex(knex);
    }
    throw new Error('probe succeeded unexpectedly');
  }

  it.each([
    ['postgres', 'postgres://admin:s3cret-pw@127.0.0.1:1/shop', 'PostgreSQL'],
    ['mysql', 'mysql://admin:s3cret-pw@127.0.0.1:1/shop', 'MySQL/MariaDB'],
  ] as const)(
    'says a closed %s port is refused and asks whether the server runs',
    async (type, url, server) => {
      const error = await probeError(service(type, { kind: 'url', url }));
      expect(error).toBeInstanceOf(ApiError);
      expect(error.code).toBe('SOURCE_UNAVAILABLE');
      expect(error.status).toBe(503);
      expect(error.message).toContain(`service 'legacy' (${type} at 127.0.0.1:1)`);
      expect(error.message).toContain('connection refused');
      expect(error.message).toContain(`Is the ${server} server running`);
      expect(error.message).not.toContain('s3cret-pw');
    },
  );

  it('gives the same advice for host/port fields, without the password', async () => {
    const error = await probeError(
      service('postgres', {
        kind: 'fields',
        host: '127.0.0.1',
        port: 1,
        user: 'admin',
        password: 's3cret-pw',
        database: 'shop',
      }),
    );
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(error.message).toContain('127.0.0.1:1');
    expect(error.message).not.toContain('s3cret-pw');
  });

  it('says which database does not exist on a reachable server', async () => {
    const url = new URL(process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    url.pathname = '/junction_no_such_db';
    const error = await probeError(service('postgres', { kind: 'url', url: url.toString() }));
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(error.message).toContain("database 'junction_no_such_db' does not exist");
  });

  it('refuses to create a missing SQLite file and says so', async () => {
    const error = await probeError(
      service('sqlite', { kind: 'file', filename: '/nonexistent/dir/x.sqlite' }),
    );
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(error.message).toContain('/nonexistent/dir/x.sqlite');
    expect(error.message).toContain('does not exist');
  });

  it('gives NOT_SUPPORTED for MongoDB introspection', async () => {
    const mongo = service('sqlite', { kind: 'url', url: 'mongodb://127.0.0.1/x' });
    await expect(introspectService({ ...mongo, type: 'mongodb' }, {} as Knex)).rejects.toMatchObject({
      code: 'NOT_SUPPORTED',
    });
  });
});
