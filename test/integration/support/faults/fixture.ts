/* eslint-disable @typescript-eslint/no-explicit-any -- rows are read dynamically */
// One fault scenario's world: a private PostgreSQL or MariaDB instance with Chinook (plus the scenario's own
// tables) in a fresh database, `junction serve` over it in a child process with small explicit resilience
// settings, and plain SQL through the driver to check what the database really holds afterwards.
import type { Knex } from 'knex';
import { createKnex, destroyKnex } from '../../../../src/adapters/sql/connect.js';
import type {
  BreakerConfig,
  PoolConfig,
  ServiceConfig,
  TimeoutsConfig,
} from '../../../../src/config/types.js';
import { chinookName, loadChinook } from '../chinook.js';
import { createTestDatabase, type TestDatabase } from '../databases.js';
import { startJunction, type JunctionProcess } from './junction-process.js';
import { startPrivateMariadb } from './private-mariadb.js';
import { startPrivatePostgres } from './private-postgres.js';
import type { PrivateServer } from './processes.js';

export type FaultDialect = 'postgres' | 'mysql';

export const FAULT_DIALECTS = [
  { dialect: 'postgres', label: 'PostgreSQL (private cluster)' },
  { dialect: 'mysql', label: 'MariaDB (private server)' },
] as const satisfies readonly { dialect: FaultDialect; label: string }[];

export function startPrivateServer(dialect: FaultDialect): Promise<PrivateServer> {
  return dialect === 'postgres' ? startPrivatePostgres() : startPrivateMariadb();
}

export interface Resilience {
  pool: PoolConfig;
  timeouts: TimeoutsConfig;
  breaker: BreakerConfig;
}

export interface FaultWorld {
  dialect: FaultDialect;
  server: PrivateServer;
  db: TestDatabase;
  service: ServiceConfig;
  junction: JunctionProcess;
  /** Origin + `/api/v2/chinook/` (REST base of the service). */
  base: string;
  /** Origin of the Junction server (for /health). */
  origin: string;
  /** Plain SQL through the driver (its own small pool, not Junction's). */
  sql(query: string, bindings?: readonly unknown[]): Promise<any[]>;
  close(): Promise<void>;
}

/**
 * Starts the private instance, creates a database with Chinook and `extraSql`, and a Junction server with the
 * given resilience settings. On any failure everything started so far is stopped again.
 */
export async function startFaultWorld(
  dialect: FaultDialect,
  resilience: Resilience,
  extraSql?: string,
): Promise<FaultWorld> {
  const cleanups: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    const server = await startPrivateServer(dialect);
    cleanups.push(() => server.destroy());
    const db = await createTestDatabase(dialect, server.url);
    await loadChinook(dialect, db);
    if (extraSql) await db.exec(extraSql);
    const service = { ...db.service(), ...resilience };
    const connection = service.connection;
    if (connection.kind !== 'url') throw new Error('expected a url connection');
    let knex: Knex | null = createKnex(db.service());
    cleanups.push(async () => {
      if (knex) await destroyKnex(knex);
      knex = null;
    });
    const junction = await startJunction([
      { name: service.name, type: dialect, url: connection.url, ...resilience },
    ]);
    cleanups.push(() => junction.stop());
    const origin = junction.origin;
    const sql = async (query: string, bindings: readonly unknown[] = []) => {
      const result = await knex!.raw(query, bindings as any[]);
      return dialect === 'postgres' ? result.rows : result[0];
    };
    return {
      dialect,
      server,
      db,
      service,
      junction,
      base: junction.restBase(service.name),
      origin,
      sql,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Resolves when `probe` succeeds, retrying every 50 ms for up to `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The n-th read of the mixed load: Chinook tracks by page and albums by id (cheap, indexed, varied). */
export function chinookRead(world: FaultWorld, n: number): { kind: string; url: string } {
  const track = chinookName(world.dialect, 'Track');
  const album = chinookName(world.dialect, 'Album');
  if (n % 2 === 1) return { kind: 'read', url: `${world.base}_table/${album}/${1 + (n % 300)}` };
  return { kind: 'read', url: `${world.base}_table/${track}?limit=10&offset=${n % 3000}` };
}
