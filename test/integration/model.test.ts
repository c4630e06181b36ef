// The DataModel built from real introspection: Chinook's DreamFactory relation names on each dialect
// (dreamfactory-compat.md §8.5), golden printModel output, and virtual foreign keys across databases.
//
// Golden files: test/golden/chinook.{postgres,mysql,sqlite}.txt hold printModel(model) for each dialect.
// After an intended change to the model or its printout, regenerate them and review the diff:
//   UPDATE_GOLDEN=1 npx vitest run --project integration test/integration/model.test.ts
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceRegistry } from '../../src/adapters/source.js';
import type { JunctionConfig, ServiceConfig, VirtualForeignKeyConfig } from '../../src/config/types.js';
import type { RawCatalog } from '../../src/introspect/catalog.js';
import { buildModel } from '../../src/model/build-model.js';
import { printModel } from '../../src/model/print-model.js';
import type { CacheFile } from '../../src/model/snapshot.js';
import type { DataModel, RelationModel, RelationType, TableModel } from '../../src/model/types.js';
import { loadModel } from '../../src/runtime/load-model.js';
import { CHINOOK_TABLES, chinookName, useChinook, type ChinookHandle } from './support/chinook.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from './support/databases.js';

const GOLDEN_DIR = fileURLToPath(new URL('../golden/', import.meta.url));
const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

/** dreamfactory-compat.md §8.5, in Chinook's PascalCase spelling; only relations DreamFactory names. */
const CHINOOK_RELATIONS: Record<string, Partial<Record<RelationType, string[]>>> = {
  Album: {
    belongs_to: ['Artist_by_ArtistId'],
    has_many: ['Track_by_AlbumId'],
    many_many: ['Genre_by_Track', 'MediaType_by_Track'],
  },
  Artist: { has_many: ['Album_by_ArtistId'] },
  Customer: { belongs_to: ['Employee_by_SupportRepId'], has_many: ['Invoice_by_CustomerId'] },
  // The self-referencing key: the has_many replaces the belongs_to of the same name (§8.3).
  Employee: { has_many: ['Employee_by_ReportsTo', 'Customer_by_SupportRepId'] },
  Genre: { has_many: ['Track_by_GenreId'], many_many: ['Album_by_Track', 'MediaType_by_Track'] },
  Invoice: {
    belongs_to: ['Customer_by_CustomerId'],
    has_many: ['InvoiceLine_by_InvoiceId'],
    many_many: ['Track_by_InvoiceLine'],
  },
  InvoiceLine: { belongs_to: ['Invoice_by_InvoiceId', 'Track_by_TrackId'] },
  MediaType: { has_many: ['Track_by_MediaTypeId'], many_many: ['Album_by_Track', 'Genre_by_Track'] },
  Playlist: { has_many: ['PlaylistTrack_by_PlaylistId'], many_many: ['Track_by_PlaylistTrack'] },
  PlaylistTrack: { belongs_to: ['Playlist_by_PlaylistId', 'Track_by_TrackId'] },
  Track: {
    belongs_to: ['Album_by_AlbumId', 'Genre_by_GenreId', 'MediaType_by_MediaTypeId'],
    has_many: ['InvoiceLine_by_TrackId', 'PlaylistTrack_by_TrackId'],
    many_many: ['Invoice_by_InvoiceLine', 'Playlist_by_PlaylistTrack'],
  },
};

/** `Track_by_PlaylistTrack` → `track_by_playlist_track` on PostgreSQL; unchanged elsewhere. */
function relationName(dialect: TestDialect, name: string): string {
  return name
    .split('_by_')
    .map((part) => chinookName(dialect, part))
    .join('_by_');
}

function expectedRelations(dialect: TestDialect, table: string): string[] {
  return Object.entries(CHINOOK_RELATIONS[table] ?? {})
    .flatMap(([type, names]) => (names ?? []).map((name) => `${relationName(dialect, name)} ${type}`))
    .sort();
}

function restRelations(table: TableModel): string[] {
  return table.relations
    .filter((r) => r.name !== null)
    .map((r) => `${r.name} ${r.type}`)
    .sort();
}

function tableOf(model: DataModel, service: string, table: string): TableModel {
  const found = model.services.find((s) => s.name === service)?.tables.find((t) => t.name === table);
  if (!found) throw new Error(`no table ${service}.${table} in the model`);
  return found;
}

function relationOf(table: { name: string; relations: RelationModel[] }, name: string): RelationModel {
  const found = table.relations.find((r) => r.name === name);
  if (!found) {
    const have = table.relations.map((r) => r.name).join(', ');
    throw new Error(`no relation ${name} on ${table.name}; it has ${have}`);
  }
  return found;
}

async function introspect(service: ServiceConfig): Promise<RawCatalog> {
  const sources = new SourceRegistry([service]);
  try {
    return await sources.get(service.name).introspect();
  } finally {
    await sources.closeAll();
  }
}

/** Compares `actual` with test/golden/<name>, or rewrites the file when UPDATE_GOLDEN=1. */
function expectGolden(name: string, actual: string): void {
  const file = join(GOLDEN_DIR, name);
  if (UPDATE_GOLDEN) {
    writeFileSync(file, actual, 'utf8');
    return;
  }
  if (!existsSync(file)) {
    throw new Error(`${file} does not exist; create it with UPDATE_GOLDEN=1 and review it`);
  }
  expect(actual, `printModel output differs from ${file} (UPDATE_GOLDEN=1 rewrites it)`).toBe(
    readFileSync(file, 'utf8'),
  );
}

const chinook: Record<TestDialect, ChinookHandle> = {
  postgres: useChinook('postgres'),
  mysql: useChinook('mysql'),
  sqlite: useChinook('sqlite'),
};

describe.each(['postgres', 'mysql', 'sqlite'] as const)('the Chinook model on %s', (dialect) => {
  let model: DataModel;
  let warnings: string[];

  beforeAll(async () => {
    const service = chinook[dialect].service;
    const catalog = await introspect(service);
    ({ model, warnings } = buildModel(
      { services: [service], virtualForeignKeys: [] },
      new Map([[service.name, catalog]]),
    ));
  });

  it('has the 11 Chinook tables and no build warnings', () => {
    expect(model.services[0]?.tables.map((t) => t.name)).toEqual(
      CHINOOK_TABLES.map((t) => chinookName(dialect, t)),
    );
    expect(warnings).toEqual([]);
  });

  it.each(Object.keys(CHINOOK_RELATIONS))(
    'gives %s exactly the DreamFactory relation names and types of §8.5',
    (table) => {
      const found = tableOf(model, 'chinook', chinookName(dialect, table));
      expect(restRelations(found)).toEqual(expectedRelations(dialect, table));
    },
  );

  it('keeps Employee’s self-referencing belongs-to without a REST name, but with a GraphQL name', () => {
    const employee = tableOf(model, 'chinook', chinookName(dialect, 'Employee'));
    const hidden = employee.relations.filter((r) => r.name === null);
    expect(hidden.map((r) => [r.type, r.fields, r.refTable])).toEqual([
      ['belongs_to', [chinookName(dialect, 'ReportsTo')], employee.name],
    ]);
    expect(hidden[0]?.graphqlName).not.toBeNull();
  });

  it('tags every discovered relation as a constraint within the one service', () => {
    const relations = model.services.flatMap((s) => s.tables.flatMap((t) => t.relations));
    expect(relations.length).toBeGreaterThan(0);
    for (const relation of relations) {
      expect(relation).toMatchObject({ kind: 'constraint', crossService: false, refService: 'chinook' });
    }
  });

  it('prints the model exactly as the golden file', () => {
    expectGolden(`chinook.${dialect}.txt`, printModel(model));
  });
});

describe('virtual foreign keys between databases', () => {
  // chinook on PostgreSQL (snake_case), reviews on MariaDB, loyalty on SQLite.
  const reviewsSql = `create table review (review_id int not null auto_increment primary key,
    track_id int not null, rating int not null)`;
  const loyaltySql = `create table loyalty (customer_id integer primary key, points integer not null)`;
  const keys: VirtualForeignKeyConfig[] = [
    {
      from: { service: 'reviews', table: 'review', fields: ['track_id'] },
      to: { service: 'chinook', table: 'track', fields: ['track_id'] },
    },
    {
      from: { service: 'loyalty', table: 'loyalty', fields: ['customer_id'] },
      to: { service: 'chinook', table: 'customer', fields: ['customer_id'] },
    },
  ];
  let reviewsDb: TestDatabase | undefined;
  let loyaltyDb: TestDatabase | undefined;
  let cacheDir: string;
  let config: JunctionConfig;
  let model: DataModel;
  let written: string[];

  beforeAll(async () => {
    reviewsDb = await createTestDatabase('mysql');
    await reviewsDb.exec(reviewsSql);
    loyaltyDb = await createTestDatabase('sqlite');
    await loyaltyDb.exec(loyaltySql);
    cacheDir = mkdtempSync(join(tmpdir(), 'junction-cache-'));
    config = {
      source: null,
      server: { host: '127.0.0.1', port: 0, adminToken: null },
      schemaCache: { dir: cacheDir, mode: 'auto' },
      services: [
        chinook.postgres.service,
        reviewsDb.service({ name: 'reviews' }),
        loyaltyDb.service({ name: 'loyalty' }),
      ],
      virtualForeignKeys: keys,
      auth: { apiKeyInQuery: true, roles: [], apps: [] },
    };
    const sources = new SourceRegistry(config.services);
    try {
      ({ model, written } = await loadModel(config, (name) => sources.get(name), { cacheMode: 'auto' }));
    } finally {
      await sources.closeAll();
    }
  });

  afterAll(async () => {
    await reviewsDb?.drop();
    await loyaltyDb?.drop();
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  it('adds a belongs-to on the MariaDB table, named with the PostgreSQL service prefix', () => {
    const review = tableOf(model, 'reviews', 'review');
    expect(relationOf(review, 'chinook.track_by_track_id')).toMatchObject({
      type: 'belongs_to',
      kind: 'virtual',
      crossService: true,
      fields: ['track_id'],
      refService: 'chinook',
      refTable: 'track',
      refFields: ['track_id'],
      graphqlName: 'track',
    });
  });

  it('adds the has-many back on the PostgreSQL table, named with the MariaDB service prefix', () => {
    const track = tableOf(model, 'chinook', 'track');
    expect(relationOf(track, 'reviews.review_by_track_id')).toMatchObject({
      type: 'has_many',
      kind: 'virtual',
      crossService: true,
      fields: ['track_id'],
      refService: 'reviews',
      refTable: 'review',
      refFields: ['track_id'],
      graphqlName: 'reviews',
    });
  });

  it('links SQLite and PostgreSQL both ways, has-one where the SQLite column is its primary key', () => {
    const loyalty = tableOf(model, 'loyalty', 'loyalty');
    expect(relationOf(loyalty, 'chinook.customer_by_customer_id')).toMatchObject({
      type: 'belongs_to',
      kind: 'virtual',
      crossService: true,
      refService: 'chinook',
      refTable: 'customer',
    });
    const customer = tableOf(model, 'chinook', 'customer');
    expect(relationOf(customer, 'loyalty.loyalty_by_customer_id')).toMatchObject({
      type: 'has_one',
      kind: 'virtual',
      crossService: true,
      refService: 'loyalty',
      refTable: 'loyalty',
    });
  });

  it('leaves the real foreign keys of Chinook as they were', () => {
    expect(restRelations(tableOf(model, 'chinook', 'track'))).toEqual(
      [...expectedRelations('postgres', 'Track'), 'reviews.review_by_track_id has_many'].sort(),
    );
    expect(tableOf(model, 'reviews', 'review').fields.find((f) => f.name === 'track_id')).toMatchObject({
      isForeignKey: false,
      refTable: null,
    });
  });

  it('marks the four virtual relations as [virtual, cross-service] in printModel', () => {
    const lines = printModel(model).split('\n');
    for (const name of [
      'chinook.track_by_track_id',
      'reviews.review_by_track_id',
      'chinook.customer_by_customer_id',
      'loyalty.loyalty_by_customer_id',
    ]) {
      const line = lines.find((l) => l.trim().startsWith(`${name} `));
      expect(line, name).toMatch(/\[virtual, cross-service\]$/);
    }
    expect(lines.filter((l) => l.includes('[virtual, cross-service]'))).toHaveLength(4);
    expect(lines.find((l) => l.trim().startsWith('reviews.review_by_track_id '))).toContain(
      '→ reviews.review(track_id)',
    );
  });

  it('writes the virtual relations into the schema cache files of both ends', () => {
    expect(written.sort()).toEqual(
      ['chinook.json', 'loyalty.json', 'reviews.json'].map((f) => join(cacheDir, f)),
    );
    const cached = (service: string) =>
      JSON.parse(readFileSync(join(cacheDir, `${service}.json`), 'utf8')) as CacheFile;
    const track = cached('chinook').model.tables.find((t) => t.name === 'track');
    const review = cached('reviews').model.tables.find((t) => t.name === 'review');
    expect(track && relationOf(track, 'reviews.review_by_track_id')).toMatchObject({
      kind: 'virtual',
      crossService: true,
    });
    expect(review && relationOf(review, 'chinook.track_by_track_id')).toMatchObject({
      kind: 'virtual',
      crossService: true,
    });
  });

  it('builds the same model again from the cache alone, without writing it', async () => {
    const unreachable = () => {
      throw new Error('the cache is fresh: no database should be read');
    };
    const again = await loadModel(config, unreachable, { cacheMode: 'frozen' });
    expect([...again.origins.values()]).toEqual(['cache', 'cache', 'cache']);
    expect(again.written).toEqual([]);
    expect(again.model).toEqual(model);
  });
});
