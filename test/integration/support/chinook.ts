// The Chinook sample database (test/fixtures/chinook, MIT licence there) loaded into a test database, and
// the names it uses per dialect: snake_case on PostgreSQL (album.artist_id), PascalCase elsewhere.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { afterAll, beforeAll } from 'vitest';
import { createKnex, destroyKnex } from '../../../src/adapters/sql/connect.js';
import type { ServiceConfig } from '../../../src/config/types.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from './databases.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/chinook/', import.meta.url));

const SCRIPTS: Record<TestDialect, string> = {
  postgres: 'Chinook_PostgreSql_AutoIncrementPKs.sql',
  mysql: 'Chinook_MySql_AutoIncrementPKs.sql',
  sqlite: 'Chinook_Sqlite_AutoIncrementPKs.sql',
};

export const CHINOOK_TABLES = [
  'Album',
  'Artist',
  'Customer',
  'Employee',
  'Genre',
  'Invoice',
  'InvoiceLine',
  'MediaType',
  'Playlist',
  'PlaylistTrack',
  'Track',
] as const;

/** Chinook's script for `dialect`, without the lines that create, drop or switch databases. */
export function chinookScript(dialect: TestDialect): string {
  const script = readFileSync(FIXTURES + SCRIPTS[dialect], 'utf8');
  const lines = script.split('\n');
  switch (dialect) {
    case 'postgres':
      return lines.filter((l) => !/^\s*(DROP DATABASE|CREATE DATABASE|\\c\s)/i.test(l)).join('\n');
    case 'mysql':
      return lines.filter((l) => !/^\s*(DROP DATABASE|CREATE DATABASE|USE\s)/i.test(l)).join('\n');
    case 'sqlite':
      // Album rows come before Artist rows, so keys are checked after loading (one transaction: fast).
      return `PRAGMA foreign_keys = OFF;\nBEGIN;\n${script}\nCOMMIT;`;
  }
}

export async function loadChinook(dialect: TestDialect, target: TestDatabase): Promise<void> {
  await target.exec(chinookScript(dialect));
}

/** `Album` / `InvoiceLine.UnitPrice` as the dialect's Chinook spells it (`invoice_line.unit_price` on PostgreSQL). */
export function chinookName(dialect: TestDialect, name: string): string {
  if (dialect !== 'postgres') return name;
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export interface ChinookHandle {
  db: TestDatabase;
  service: ServiceConfig;
  knex: Knex;
}

/**
 * Registers beforeAll/afterAll hooks that create a fresh database with Chinook loaded (then `setupSql`, if
 * given) and drop it afterwards, also when tests or the setup itself fail. Read the fields inside tests.
 */
export function useChinook(dialect: TestDialect, setupSql?: string): ChinookHandle {
  const handle = {} as ChinookHandle;
  let db: TestDatabase | undefined;
  let knex: Knex | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    await loadChinook(dialect, db);
    if (setupSql) await db.exec(setupSql);
    knex = createKnex(db.service());
    Object.assign(handle, { db, service: db.service(), knex });
  });
  afterAll(async () => {
    if (knex) await destroyKnex(knex);
    if (db) await db.drop();
  });
  return handle;
}
