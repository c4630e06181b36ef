/* eslint-disable @typescript-eslint/no-explicit-any -- responses and catalog rows are read dynamically */
// R3 (security.md §4.4): a routine that sleeps 30 s, called 100 times at once with a pool of 10 and a 1 s
// statement timeout. Every call is cancelled by the database at the timeout (504 STATEMENT_TIMEOUT), the pool
// is back to 10 idle connections within 1 s, and while it runs no connection of ours is busy longer than the
// timeout + 1 s (pg_stat_activity / information_schema.PROCESSLIST, sampled every 200 ms).
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useChinook } from './support/chinook.js';
import { MYSQL_URL, PG_URL, type TestDialect } from './support/databases.js';
import { startTestServer, testConfig, type TestServer } from './support/graphql.js';
import { restClient, type RestClient } from './support/rest.js';

const STATEMENT_MS = 1000;
const POOL_MAX = 10;
const CALLS = 100;

const SLOW: Record<'postgres' | 'mysql', { setup: string; path: string }> = {
  postgres: {
    setup:
      'create function slow_sleep() returns integer language plpgsql as $$ begin perform pg_sleep(30); return 1; end $$',
    path: '_func/slow_sleep',
  },
  mysql: { setup: 'create procedure slow_sleep() select sleep(30) as slept', path: '_proc/slow_sleep' },
};

/** Our connections to `database` busy in a statement for longer than `ms`, as the server sees them. */
async function longRunning(dialect: 'postgres' | 'mysql', database: string, ms: number): Promise<number> {
  if (dialect === 'postgres') {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      const { rows } = await client.query(
        `select count(*)::int as n from pg_stat_activity where application_name = 'junction' and datname = $1
           and state = 'active' and now() - query_start > make_interval(secs => $2::float8 / 1000)`,
        [database, ms],
      );
      return rows[0].n as number;
    } finally {
      await client.end();
    }
  }
  const conn = await mysql.createConnection(MYSQL_URL);
  try {
    const [rows] = await conn.query(
      `select count(*) as n from information_schema.PROCESSLIST where DB = ? and COMMAND = 'Query' and TIME_MS > ?`,
      [database, ms],
    );
    return Number((rows as any[])[0].n);
  } finally {
    await conn.end();
  }
}

function describeDialect(dialect: 'postgres' | 'mysql', label: string) {
  describe(`slow routines on ${label} (R3)`, () => {
    const chinook = useChinook(dialect as TestDialect, SLOW[dialect].setup);
    let server: TestServer;
    let rest: RestClient;

    beforeAll(async () => {
      server = await startTestServer(
        testConfig([
          {
            ...chinook.service,
            // Long enough an acquire wait that all 100 calls get a connection in turn (10 rounds of 1 s).
            pool: { max: POOL_MAX, acquireTimeoutMs: 20_000 },
            timeouts: { connectMs: 2000, statementMs: STATEMENT_MS },
          },
        ]),
      );
      rest = restClient(server);
    }, 60_000);

    afterAll(async () => {
      await server?.close();
    });

    it('cancels every one of 100 concurrent 30 s calls at the timeout with 504 STATEMENT_TIMEOUT', async () => {
      let maxLong = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          maxLong = Math.max(maxLong, await longRunning(dialect, chinook.db.name, STATEMENT_MS + 1000));
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      })();
      const started = performance.now();
      const results = await Promise.all(
        Array.from({ length: CALLS }, () => rest.get(`/api/v2/chinook/${SLOW[dialect].path}`)),
      );
      const finished = performance.now();
      sampling = false;
      await sampler;

      const statuses = new Map<number, number>();
      for (const r of results) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      expect(Object.fromEntries(statuses)).toEqual({ 504: CALLS });
      for (const r of results) {
        expect(r.body.error.message).toBe(
          'The database took too long to answer and the statement was cancelled.',
        );
        expect(r.text).not.toMatch(/sleep|select|call |max_statement_time|canceling/i);
      }
      // 10 rounds of 1 s through a pool of 10, not 30 s.
      expect(finished - started).toBeLessThan((CALLS / POOL_MAX) * STATEMENT_MS * 1.6);
      expect(maxLong).toBe(0);

      // The pool is whole again within 1 s: nothing in use, nobody waiting, the 10 connections idle.
      const deadline = performance.now() + 1000;
      let pool: any;
      do {
        pool = (await rest.get('/ready')).body.services[0].pool;
        if (pool.used === 0 && pool.pending === 0 && pool.free === POOL_MAX) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      } while (performance.now() < deadline);
      expect(pool).toEqual({ used: 0, free: POOL_MAX, pending: 0, max: POOL_MAX });
      expect(await longRunning(dialect, chinook.db.name, 0)).toBe(0);

      // And it serves at once.
      const after = await rest.get(
        '/api/v2/chinook/_table/' + (dialect === 'postgres' ? 'album' : 'Album') + '?limit=1',
      );
      expect(after.status).toBe(200);
    }, 40_000);
  });
}

describeDialect('postgres', 'PostgreSQL');
describeDialect('mysql', 'MariaDB');
