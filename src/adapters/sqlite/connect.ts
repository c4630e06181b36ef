// ServiceConfig (type sqlite) → knex config for `better-sqlite3`: which file, opened how, with which pragmas.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { Knex } from 'knex';
import type { ServiceConfig } from '../../config/types.js';
import { ApiError } from '../../errors/index.js';
import type { ConnectionTarget } from '../sql/target.js';
import { resilienceOf } from '../../config/resilience-schema.js';
import { SqliteProcessClient } from './knex-client.js';
import { applyPragmas, busyTimeoutFor, sqlitePragmas } from './pragmas.js';
import type { RemoteOptions } from './remote.js';

export interface SqliteFile {
  /** Absolute path, or `:memory:`. */
  filename: string;
  readonly: boolean;
  /** Open only files that exist: a typo in the path must not silently create an empty database. */
  mustExist: boolean;
}

export interface SqliteOptions {
  /** Create the file when it is missing (tests, demo builds); default false. */
  createIfMissing?: boolean;
}

/**
 * Reads `file` connections and `sqlite:` / `file:` URLs (`sqlite:./x.db`, `sqlite:///abs/x.db`, `file:x.db`).
 * A URL may carry SQLite's own `?mode=ro` (read-only) or `?mode=rwc` (create when missing).
 */
export function resolveSqliteFile(service: ServiceConfig, options: SqliteOptions = {}): SqliteFile {
  const conn = service.connection;
  const mustExist = !options.createIfMissing;
  if (conn.kind === 'file')
    return withMemory({ filename: resolve(conn.filename), readonly: false, mustExist });
  if (conn.kind === 'url') {
    const match = /^(?:sqlite3?|file):(?:\/\/)?([^?]*)(?:\?(.*))?$/i.exec(conn.url);
    if (match?.[1]) {
      const mode = new URLSearchParams(match[2] ?? '').get('mode');
      const path = decodeURIComponent(match[1]);
      return withMemory({
        filename: path === ':memory:' ? path : resolve(path),
        readonly: mode === 'ro',
        mustExist: mustExist && mode !== 'rwc' && mode !== 'memory',
      });
    }
  }
  throw new ApiError(
    'CONFIG_INVALID',
    `Service '${service.name}' (sqlite) needs a file path or a sqlite:/file: URL such as sqlite:./data.db.`,
  );
}

function withMemory(file: SqliteFile): SqliteFile {
  return file.filename === ':memory:' ? { ...file, mustExist: false } : file;
}

export function sqliteKnexConfig(service: ServiceConfig, options: SqliteOptions = {}): Knex.Config {
  const file = resolveSqliteFile(service, options);
  const statementMs = resilienceOf(service).timeouts.statementMs;
  const busyTimeoutMs = busyTimeoutFor(statementMs);
  const pragmas = sqlitePragmas(busyTimeoutMs);
  const remote: RemoteOptions = { ...file, pragmas, service: service.name, statementMs };
  // knex's better-sqlite3 client passes only `readonly` to the driver, not `fileMustExist`, so the check
  // runs here: knex calls this before opening the first connection (and the pool keeps that one open).
  const connection = () => {
    if (file.mustExist && !existsSync(file.filename)) throw missingFile(service, file.filename);
    return { filename: file.filename, options: { readonly: file.readonly }, remote };
  };
  // A `:memory:` database lives inside its connection: one in another process would be another, empty
  // database, so it stays on this thread (its statements are fast and nothing else can lock it).
  const inProcess = file.filename === ':memory:';
  return {
    // knex accepts a client class; its declared type is the base Client, which ours extends at run time.
    client: inProcess ? 'better-sqlite3' : (SqliteProcessClient as unknown as typeof Knex.Client),
    useNullAsDefault: true,
    // knex warns about a missing `connection.filename` unless the provider function carries one.
    connection: Object.assign(connection, { filename: file.filename }),
    // One connection: SQLite allows one writer, a second connection would only contend for the file lock.
    // The statement process applies the pragmas itself when it opens the file.
    pool: inProcess ? { min: 1, max: 1, afterCreate: pragmasAfterCreate(busyTimeoutMs) } : { min: 1, max: 1 },
  };
}

function pragmasAfterCreate(busyTimeoutMs: number) {
  return (db: BetterSqlite3.Database, done: (err: Error | null, db: BetterSqlite3.Database) => void) => {
    try {
      applyPragmas(db, busyTimeoutMs);
      done(null, db);
    } catch (error) {
      done(error as Error, db);
    }
  };
}

function missingFile(service: ServiceConfig, filename: string): ApiError {
  return new ApiError(
    'SOURCE_UNAVAILABLE',
    `Service '${service.name}' (sqlite at ${filename}): the database file does not exist. ` +
      'Check the path (relative paths resolve from the directory Junction was started in).',
    { details: { service: service.name, dialect: 'sqlite', file: filename } },
  );
}

export function sqliteTarget(service: ServiceConfig): ConnectionTarget {
  try {
    return { where: resolveSqliteFile(service).filename, user: null, database: null };
  } catch {
    return { where: '(invalid sqlite connection)', user: null, database: null };
  }
}
