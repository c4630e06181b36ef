// Runs one compiled statement on a connection of a knex pool or transaction (a transaction hands out its
// own connection), through the dialect's driver directly: no query builder on the hot path.
import type { Knex } from 'knex';
import type { Dialect } from '../../introspect/catalog.js';
import { runMysql } from '../mysql/run.js';
import { runPostgres } from '../postgres/run.js';
import { runSqlite } from '../sqlite/run.js';
import type { Statement } from './sql-text.js';

export interface RunResult {
  rows: Record<string, unknown>[];
  /** Rows returned, or rows changed by an update/delete. */
  count: number;
}

type Runner = (conn: never, statement: Statement) => RunResult | Promise<RunResult>;

const RUNNERS: Record<Exclude<Dialect, 'mongodb'>, Runner> = {
  postgres: runPostgres as Runner,
  mysql: runMysql as Runner,
  sqlite: runSqlite as Runner,
};

interface PoolClient {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<unknown>;
}

export async function runStatement(
  db: Knex,
  dialect: Exclude<Dialect, 'mongodb'>,
  statement: Statement,
): Promise<RunResult> {
  const client = db.client as PoolClient;
  const connection = await client.acquireConnection();
  try {
    return await RUNNERS[dialect](connection as never, statement);
  } finally {
    await client.releaseConnection(connection);
  }
}
