// Graceful shutdown of `junction serve` (issue 9, item 1): a child process against PostgreSQL with a slow
// function (pg_sleep 2 s, called through REST `_func`). SIGTERM while it runs: the slow request still gets its
// 200, new connections are refused at once, an idle kept-alive connection does not hold the stop up, and the
// process exits 0 well within server.shutdownTimeoutMs. Past the timeout, the connections still open are cut
// and it exits 0. The same drain with two workers is the last test of serve-workers.test.ts (one cluster
// start serves both files' checks).
import { Agent } from 'node:http';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, PG_URL, type TestDatabase } from './support/databases.js';
import {
  expectGracefulStop,
  fetchWith,
  serveUntilReady,
  SLOW_FUNCTION_SQL,
  stopAllServers,
  untilSleeping,
  writeConfig,
} from './support/serve-process.js';

let db: TestDatabase;

beforeAll(async () => {
  try {
    db = await createTestDatabase('postgres');
  } catch (error) {
    throw new Error(`PostgreSQL is needed at ${PG_URL} (start it, or set PG_URL): ${String(error)}`);
  }
  await db.exec(`create table note (id int primary key, body text); ${SLOW_FUNCTION_SQL};`);
});

afterAll(async () => {
  await stopAllServers();
  await db?.drop();
});

afterEach(stopAllServers);

function configWith(shutdownTimeoutMs: number): string {
  const connection = db.service().connection;
  if (connection.kind !== 'url') throw new Error('expected a url connection');
  return writeConfig({
    server: { shutdownTimeoutMs },
    services: [{ name: 'app', type: 'postgres', url: connection.url }],
  });
}

it('on SIGTERM lets the slow request finish with 200, refuses new connections and exits 0 within the timeout', async () => {
  const server = await serveUntilReady(configWith(10_000), ['--workers', '1']);
  expect(server.stderr).toContain('(1 process,');
  // Well within the 10 s timeout: the drain waited for the slow call only, not for the idle connection.
  await expectGracefulStop(server, db.name, 6_000);
});

it('cuts requests still running at server.shutdownTimeoutMs and exits 0', async () => {
  const server = await serveUntilReady(configWith(500), ['--workers', '1']);
  const agent = new Agent();
  const slow = fetchWith(agent, `${server.url}/api/v2/app/_func/slow(3)`).catch((error: Error) => error);
  await untilSleeping(db.name);
  const signalled = Date.now();
  server.child.kill('SIGTERM');
  const exit = await server.exited;
  expect(exit).toMatchObject({ code: 0, signal: null });
  // The cut comes at 0.5 s; closing the pool then waits for the statement (3 s) to end on the server.
  expect(Date.now() - signalled).toBeLessThan(5_000);
  expect(await slow).toBeInstanceOf(Error);
  expect(server.stderr).toContain('closed 1 request(s) still running after 500 ms');
  agent.destroy();
});
