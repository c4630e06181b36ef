/* eslint-disable @typescript-eslint/no-explicit-any -- responses and catalog rows are read dynamically */
// R4 (security.md §4.4): connection exhaustion. (1) 1,000 concurrent slow requests against a pool of 10: the
// excess is answered 503 SOURCE_UNAVAILABLE ("busy", Retry-After) within 2 s, our connections at the server
// never exceed the pool's max (sampled every 100 ms), and the next request succeeds at once (a busy pool
// does not open the breaker). (2) The database's connection limit used up by another client: 503, not 500,
// and instant recovery when it lets go. The limit is the test database's own (CONNECTION LIMIT on
// PostgreSQL, MAX_USER_CONNECTIONS of a test user on MariaDB), so other suites on the same server keep theirs.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../../src/config/types.js';
import { chinookName, useChinook } from './support/chinook.js';
import { MYSQL_URL, PG_URL, urlWithDatabase, type TestDialect } from './support/databases.js';
import { createJunctionServer } from '../../src/http/server.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { testConfig, type TestServer } from './support/graphql.js';
import { restClient, type RestClient } from './support/rest.js';

type Dialect = 'postgres' | 'mysql';

const POOL_MAX = 10;
const ACQUIRE_MS = 1000;
const MAX_WAITING = 100;
const REQUESTS = 1000;

const SLOW: Record<Dialect, { setup: string; path: string }> = {
  postgres: {
    setup:
      'create function slow_sleep() returns integer language plpgsql as $$ begin perform pg_sleep(30); return 1; end $$',
    path: '_func/slow_sleep',
  },
  mysql: { setup: 'create procedure slow_sleep() select sleep(30) as slept', path: '_proc/slow_sleep' },
};

/** How many connections the server holds to `database` for us (application_name / user). */
async function ourConnections(dialect: Dialect, database: string, admin: any): Promise<number> {
  if (dialect === 'postgres') {
    const { rows } = await admin.query(
      `select count(*)::int as n from pg_stat_activity where application_name = 'junction' and datname = $1`,
      [database],
    );
    return rows[0].n as number;
  }
  const [rows] = await admin.query('select count(*) as n from information_schema.PROCESSLIST where DB = ?', [
    database,
  ]);
  return Number((rows as any[])[0].n);
}

async function adminConnection(dialect: Dialect): Promise<{ query: any; close(): Promise<void> }> {
  if (dialect === 'postgres') {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    return { query: client.query.bind(client), close: () => client.end() };
  }
  const conn = await mysql.createConnection(MYSQL_URL);
  return { query: conn.query.bind(conn), close: () => conn.end() };
}

function percentiles(values: number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  return [0.5, 0.99, 1].map((q) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0),
  );
}

function describeDialect(dialect: Dialect, label: string) {
  describe(`connection exhaustion on ${label} (R4)`, () => {
    const chinook = useChinook(dialect as TestDialect, SLOW[dialect].setup);
    let server: TestServer;
    let rest: RestClient;
    let admin: Awaited<ReturnType<typeof adminConnection>>;
    const served: { status: number; ms: number }[] = [];
    const user = `junction_r4_${randomBytes(3).toString('hex')}`;
    const table = chinookName(dialect, 'Album');

    beforeAll(async () => {
      admin = await adminConnection(dialect);
      // A login of our own, so the connection limit in test (2) applies to it (PostgreSQL superusers are exempt).
      let service: ServiceConfig;
      if (dialect === 'postgres') {
        await admin.query(`create role ${user} login`);
        await chinook.db.exec(
          `grant all on schema public to ${user}; grant all on all tables in schema public to ${user};` +
            `grant execute on all functions in schema public to ${user}`,
        );
        const url = new URL(urlWithDatabase(PG_URL, chinook.db.name));
        url.username = user;
        service = { ...chinook.service, connection: { kind: 'url', url: url.toString() } };
      } else {
        await admin.query(`create user '${user}'@'%' with max_user_connections ${POOL_MAX}`);
        await admin.query(`grant all on \`${chinook.db.name}\`.* to '${user}'@'%'`);
        const url = new URL(urlWithDatabase(MYSQL_URL, chinook.db.name));
        url.username = user;
        service = { ...chinook.service, connection: { kind: 'url', url: url.toString() } };
      }
      const config = testConfig([
        {
          ...service,
          pool: { max: POOL_MAX, acquireTimeoutMs: ACQUIRE_MS, maxWaiting: MAX_WAITING },
          timeouts: { connectMs: 2000, statementMs: 2500 },
          breaker: { failures: 5, openMs: 5000 },
        },
      ]);
      const { runtime } = await Runtime.start(config, { cacheMode: 'off' });
      const junction = createJunctionServer(runtime, () => {});
      // The per-request recorder: from the moment the server has the request to the moment it has answered.
      junction.http.prependListener('request', (_req, res) => {
        const started = performance.now();
        res.on('finish', () => served.push({ status: res.statusCode, ms: performance.now() - started }));
      });
      const { port } = await junction.listen(0, '127.0.0.1');
      server = {
        url: `http://127.0.0.1:${port}/graphql`,
        log: [],
        query: () => Promise.reject(new Error('not used')),
        close: async () => {
          await junction.close();
          await runtime.close();
        },
      };
      rest = restClient(server);
    }, 60_000);

    afterAll(async () => {
      await server?.close();
      if (dialect === 'postgres') {
        await admin?.query(`alter database ${chinook.db.name} connection limit -1`);
        await admin?.query(`select pg_terminate_backend(pid) from pg_stat_activity where usename = $1`, [
          user,
        ]);
      }
      if (dialect === 'postgres') {
        // Its grants live in the test database: drop them there, then the role (the server is shared).
        await chinook.db.exec(`drop owned by ${user}`).catch(() => undefined);
        await admin?.query(`drop role if exists ${user}`).catch(() => undefined);
      }
      if (dialect === 'mysql') await admin?.query(`drop user if exists '${user}'@'%'`);
      await admin?.close();
    });

    it('answers the excess of 1,000 concurrent slow requests with 503 busy within 2 s, never above pool max', async () => {
      let maxSeen = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          maxSeen = Math.max(maxSeen, await ourConnections(dialect, chinook.db.name, admin));
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      served.length = 0;
      const timed = async () => {
        const started = performance.now();
        const result = await rest.get(`/api/v2/chinook/${SLOW[dialect].path}`);
        return { ...result, ms: performance.now() - started };
      };
      const results = await Promise.all(Array.from({ length: REQUESTS }, timed));
      sampling = false;
      await sampler;

      const busy = results.filter((r) => r.status === 503);
      const cancelled = results.filter((r) => r.status === 504);
      expect(busy.length + cancelled.length).toBe(REQUESTS);
      // Requests reach the server over a few seconds on a loaded machine: late ones may get a connection
      // freed by a cancelled statement (504) instead of waiting in vain; most of the 1,000 wait and get 503.
      expect(cancelled.length).toBeGreaterThanOrEqual(POOL_MAX);
      expect(busy.length).toBeGreaterThanOrEqual(REQUESTS / 2);
      // Client and server share this process and the machine's 2 cores, so the 2 s goal is checked on the
      // server's clock (the recorder above): the time a request sits in the client's own queue, before the
      // server has it, is not the server's doing. The client's view is printed for the report.
      const serverBusy = served.filter((r) => r.status === 503).map((r) => r.ms);
      expect(serverBusy.length).toBe(busy.length);
      console.log('R4 busy 503 server-side ms p50/p99/max', dialect, ...percentiles(serverBusy));
      for (const ms of serverBusy) expect(ms).toBeLessThanOrEqual(2000);
      console.log('R4 busy 503 client-side ms p50/p99/max', dialect, ...percentiles(busy.map((r) => r.ms)));
      const refusedAtOnce = busy.filter((r) => /too many requests are waiting/.test(r.body.error.message));
      console.log('R4 responses', dialect, {
        busy: busy.length,
        refusedAtOnce: refusedAtOnce.length,
        cancelled: cancelled.length,
      });
      expect(refusedAtOnce.length).toBeGreaterThan(0);
      for (const r of busy) {
        // Waited in the queue until the acquire timeout, or refused at once because the queue was full.
        expect([
          `Service 'chinook' is busy: no database connection became free within ${ACQUIRE_MS} ms; try again shortly.`,
          "Service 'chinook' is busy: too many requests are waiting for a database connection; try again shortly.",
        ]).toContain(r.body.error.message);
        expect(r.headers.get('retry-after')).toBe('1');
      }
      expect(maxSeen).toBeGreaterThan(0);
      expect(maxSeen).toBeLessThanOrEqual(POOL_MAX);

      // A busy pool is load, not an outage: the breaker stays closed and the next request is served.
      const ready = await rest.get('/ready');
      expect(ready.body.services[0].breaker).toBe('closed');
      const after = await rest.get(`/api/v2/chinook/_table/${table}?limit=1`);
      expect(after.status).toBe(200);
    }, 40_000);

    it('answers 503 (not 500) while another client holds every connection the database allows, and recovers at once', async () => {
      // Our idle pooled connections are killed at the server (they report `error` while idle, which must not
      // crash the process), so the next request needs a new connection.
      if (dialect === 'postgres') {
        await admin.query(`alter database ${chinook.db.name} connection limit 2`);
        await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where usename = $1`, [
          user,
        ]);
        // Terminated backends count against the limit until they have exited.
        for (let i = 0; i < 50 && (await ourConnections(dialect, chinook.db.name, admin)) > 0; i++)
          await new Promise((resolve) => setTimeout(resolve, 50));
      } else {
        const [rows] = await admin.query('select ID from information_schema.PROCESSLIST where USER = ?', [
          user,
        ]);
        for (const row of rows as any[]) await admin.query(`kill connection ${Number(row.ID)}`);
      }
      const hog = await holdEveryConnection(dialect, chinook.db.name, user);
      try {
        const started = performance.now();
        const refused = await rest.get(`/api/v2/chinook/_table/${table}?limit=1`);
        expect(performance.now() - started).toBeLessThanOrEqual(2000);
        expect(refused.status).toBe(503);
        expect(refused.body.error.message).toBe(
          "Service 'chinook' is unavailable: the database has no free connections; try again shortly.",
        );
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      } finally {
        await hog.release();
      }
      const after = await rest.get(`/api/v2/chinook/_table/${table}?limit=1`);
      expect(after.status).toBe(200);
      expect(after.body.resource).toHaveLength(1);
    }, 30_000);
  });
}

/** Opens connections to `database` as `user` until the server refuses the next one; returns how to let go. */
async function holdEveryConnection(
  dialect: Dialect,
  database: string,
  user: string,
): Promise<{ count: number; release(): Promise<void> }> {
  const closers: (() => Promise<void>)[] = [];
  for (let i = 0; i < 200; i++) {
    try {
      if (dialect === 'postgres') {
        const url = new URL(urlWithDatabase(PG_URL, database));
        url.username = user;
        const client = new pg.Client({ connectionString: url.toString() });
        client.on('error', () => undefined);
        await client.connect();
        closers.push(() => client.end());
      } else {
        const url = new URL(urlWithDatabase(MYSQL_URL, database));
        url.username = user;
        const conn = await mysql.createConnection(url.toString());
        conn.on('error', () => undefined);
        closers.push(() => conn.end());
      }
    } catch {
      break;
    }
  }
  if (closers.length === 0 || closers.length === 200)
    throw new Error(`could not use up the connections (${closers.length})`);
  return {
    count: closers.length,
    release: async () => {
      await Promise.all(closers.map((close) => close().catch(() => undefined)));
      if (dialect === 'postgres') {
        const admin = new pg.Client({ connectionString: PG_URL });
        await admin.connect();
        await admin.query(`alter database ${database} connection limit -1`);
        await admin.end();
      }
    },
  };
}

describeDialect('postgres', 'PostgreSQL');
describeDialect('mysql', 'MariaDB');
