// Throwaway test databases on the local servers: a uniquely named database on PostgreSQL or MariaDB, or a
// temp SQLite file, with a ServiceConfig that points at it and a way to run SQL scripts through the driver.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { ServiceConfig } from '../../../src/config/types.js';

export type TestDialect = 'postgres' | 'mysql' | 'sqlite';

export const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const MYSQL_URL = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export interface TestDatabase {
  dialect: TestDialect;
  /** Database name (PostgreSQL, MariaDB) or absolute file path (SQLite). */
  name: string;
  /** A ServiceConfig for this database; `overrides` replace single fields (e.g. `schema`). */
  service(overrides?: Partial<ServiceConfig>): ServiceConfig;
  /** Runs a script of several statements straight through the driver (no knex `?` parsing). */
  exec(sql: string): Promise<void>;
  /** Drops the database or deletes the file; safe to call twice. */
  drop(): Promise<void>;
}

/** The URL of `database` on the server `serverUrl` points at. */
export function urlWithDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

function uniqueName(): string {
  return `junction_t_${randomBytes(5).toString('hex')}`;
}

/** `serverUrl` points at another server than PG_URL/MYSQL_URL (e.g. a private instance in a fault test). */
export async function createTestDatabase(dialect: TestDialect, serverUrl?: string): Promise<TestDatabase> {
  switch (dialect) {
    case 'postgres':
      return createPostgresDatabase(serverUrl);
    case 'mysql':
      return createMysqlDatabase(serverUrl);
    case 'sqlite':
      return createSqliteFile();
  }
}

function serviceFor(dialect: TestDialect, connection: ServiceConfig['connection']) {
  return (overrides: Partial<ServiceConfig> = {}): ServiceConfig => ({
    name: 'chinook',
    type: dialect,
    label: null,
    description: null,
    connection,
    schema: dialect === 'postgres' ? 'public' : null,
    database: null,
    sampleSize: 1000,
    maxRecords: 1000,
    tables: {},
    ...overrides,
  });
}

async function withPg<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function createPostgresDatabase(server = PG_URL): Promise<TestDatabase> {
  const name = uniqueName();
  await withPg(server, (c) => c.query(`create database "${name}"`));
  const url = urlWithDatabase(server, name);
  let dropped = false;
  return {
    dialect: 'postgres',
    name,
    service: serviceFor('postgres', { kind: 'url', url }),
    // Without parameters pg uses the simple query protocol, which accepts many statements at once.
    exec: async (sql) => void (await withPg(url, (c) => c.query(sql))),
    drop: async () => {
      if (dropped) return;
      dropped = true;
      // FORCE ends connections a failed test may have left open.
      await withPg(server, (c) => c.query(`drop database if exists "${name}" with (force)`));
    },
  };
}

async function withMysql<T>(url: string, run: (conn: mysql.Connection) => Promise<T>): Promise<T> {
  const conn = await mysql.createConnection({ uri: url, multipleStatements: true, connectTimeout: 5_000 });
  try {
    return await run(conn);
  } finally {
    await conn.end();
  }
}

async function createMysqlDatabase(server = MYSQL_URL): Promise<TestDatabase> {
  const name = uniqueName();
  await withMysql(server, (c) => c.query(`create database \`${name}\` character set utf8mb4`));
  const url = urlWithDatabase(server, name);
  let dropped = false;
  return {
    dialect: 'mysql',
    name,
    service: serviceFor('mysql', { kind: 'url', url }),
    exec: async (sql) => void (await withMysql(url, (c) => c.query(sql))),
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await withMysql(server, (c) => c.query(`drop database if exists \`${name}\``));
    },
  };
}

async function createSqliteFile(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'junction-t-'));
  const file = join(dir, 'test.sqlite');
  new Database(file).close();
  return {
    dialect: 'sqlite',
    name: file,
    service: serviceFor('sqlite', { kind: 'file', filename: file }),
    exec: async (sql) => {
      const db = new Database(file);
      try {
        db.exec(sql);
      } finally {
        db.close();
      }
    },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}
