/* eslint-disable @typescript-eslint/no-explicit-any -- REST and GraphQL answers are read dynamically */
// `junction serve --workers 2` (issue 9, item 4) as a child process against PostgreSQL: the primary forks two
// workers that share the port and says so, restarts a worker that dies, reloads every worker on SIGHUP and on
// POST /_admin/reload (so all of them serve the same model version), and reports a taken port once without
// forking; a `_schema` change (issue 11) made in one worker is served by every worker, tables and relations
// alike; last, SIGTERM drains like one process does (serve-shutdown.test.ts): the slow request gets its
// 200, new connections are refused, all exit 0. The crash-loop limit and the warnings are unit-tested
// (test/unit/cli/serve-parts.test.ts).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, PG_URL, type TestDatabase } from './support/databases.js';
import {
  childPids,
  expectGracefulStop,
  SLOW_FUNCTION_SQL,
  serveUntilReady,
  sleep,
  startServe,
  stopAllServers,
  writeConfig,
  type ServeProcess,
} from './support/serve-process.js';

const TOKEN = 'admin-token-for-workers-test';
let db: TestDatabase;
let notes: TestDatabase;
let server: ServeProcess;

beforeAll(async () => {
  try {
    db = await createTestDatabase('postgres');
  } catch (error) {
    throw new Error(`PostgreSQL is needed at ${PG_URL} (start it, or set PG_URL): ${String(error)}`);
  }
  await db.exec(`create table artist (id int primary key, name text); ${SLOW_FUNCTION_SQL};`);
  notes = await createTestDatabase('sqlite');
  const connection = db.service().connection;
  if (connection.kind !== 'url') throw new Error('expected a url connection');
  const config = writeConfig({
    server: { adminToken: TOKEN },
    services: [
      { name: 'app', type: 'postgres', url: connection.url },
      { name: 'notes', type: 'sqlite', filename: notes.name },
    ],
  });
  server = await serveUntilReady(config, ['--workers', '2']);
});

afterAll(async () => {
  await stopAllServers();
  await db?.drop();
  await notes?.drop();
});

/** /_model over a new connection each time, so the primary hands the requests to both workers in turn. */
async function models(times = 6): Promise<{ version: number; tables: string[] }[]> {
  const seen = [];
  for (let i = 0; i < times; i++) {
    const response = await fetch(`${server.url}/_model`, { headers: { connection: 'close' } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { version: number; services: { tables: { name: string }[] }[] };
    seen.push({ version: body.version, tables: body.services[0]!.tables.map((t) => t.name).sort() });
  }
  return seen;
}

async function until<T>(what: string, probe: () => T | Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}\n${server.stderr}`);
    await sleep(50);
  }
}

/** The primary's workers (a cold tsx cache also leaves an esbuild child under it). */
function workers(): number[] {
  return childPids(server.child.pid!).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('src/cli/index.ts');
    } catch {
      return false; // exited in between
    }
  });
}

let probes = 0;

/**
 * Asks over a new connection each time until every worker has answered; each worker's pid → its answer. The
 * pid comes from the worker's access log line for the request id the probe sent.
 */
async function fromEachWorker<T>(
  ask: (headers: Record<string, string>) => Promise<T>,
): Promise<Map<number, T>> {
  const pids = workers();
  const answers = new Map<number, T>();
  const deadline = Date.now() + 30_000;
  while (answers.size < pids.length) {
    if (Date.now() > deadline) throw new Error(`only workers ${[...answers.keys()]} of ${pids} answered`);
    const requestId = `probe-${++probes}`;
    const answer = await ask({ connection: 'close', 'x-request-id': requestId });
    answers.set(await servedBy(requestId), answer);
  }
  expect([...answers.keys()].sort()).toEqual(pids.sort());
  return answers;
}

/** The pid in the JSON access line of `requestId` (written by the worker that answered it). */
async function servedBy(requestId: string): Promise<number> {
  await server.waitFor(`"requestId":"${requestId}"`, 10_000);
  const line = server.stderr.split('\n').find((l) => l.includes(`"requestId":"${requestId}"`))!;
  return (JSON.parse(line) as { pid: number }).pid;
}

async function rest(path: string, init: RequestInit = {}) {
  const response = await fetch(`${server.url}/api/v2/${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...init.headers },
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function graphql(query: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data?: any; errors?: { message: string }[] };
}

describe('serve --workers 2', () => {
  it('forks two workers sharing one port, says so, and warns that rate limits are per worker', async () => {
    expect(server.stderr).toContain(`at ${server.url}`);
    expect(server.stderr).toContain('(2 workers, ready in');
    expect(server.stderr).toContain('2 workers and no limits.rateLimit.redisUrl');
    expect(workers()).toHaveLength(2);
    expect(await models(4)).toEqual(Array(4).fill({ version: 1, tables: ['artist'] }));
  });

  it('reloads every worker on SIGHUP, and on POST /_admin/reload sent to any one of them', async () => {
    await db.exec('create table album (id int primary key, artist_id int references artist)');
    server.child.kill('SIGHUP');
    await server.waitFor('junction: model reloaded (version 2)', 30_000);
    expect(await models()).toEqual(Array(6).fill({ version: 2, tables: ['album', 'artist'] }));

    await db.exec('create table track (id int primary key, album_id int references album)');
    const response = await fetch(`${server.url}/_admin/reload`, {
      method: 'POST',
      headers: { 'X-Junction-Admin-Token': TOKEN },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'reloaded', version: 3 });
    // Answered only once every worker has reloaded: no request sees the old model afterwards.
    expect(await models()).toEqual(Array(6).fill({ version: 3, tables: ['album', 'artist', 'track'] }));
  });

  it('serves a table created through _schema in one worker from every worker, in REST and GraphQL', async () => {
    const created = await rest('notes/_schema', {
      method: 'POST',
      body: JSON.stringify({
        resource: [
          {
            name: 'note',
            field: [
              { name: 'note_id', type: 'id' },
              { name: 'artist_id', type: 'integer' },
              { name: 'text', type: 'string', length: 100 },
            ],
          },
        ],
      }),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    await notes.exec("insert into note (artist_id, text) values (1, 'first note')");

    const tables = await fromEachWorker((headers) => rest('notes/_table/note', { headers }));
    for (const answer of tables.values()) {
      expect(answer).toEqual({
        status: 200,
        body: { resource: [{ note_id: 1, artist_id: 1, text: 'first note' }] },
      });
    }
    const queries = await fromEachWorker((headers) => graphql('{ notes { notes { text } } }', headers));
    for (const answer of queries.values()) {
      expect(answer).toEqual({ data: { notes: { notes: [{ text: 'first note' }] } } });
    }
  });

  it('serves a virtual relation added through _schema from every worker (each reads the relations file)', async () => {
    await db.exec("insert into artist values (1, 'Miles')");
    const added = await rest('notes/_schema/note/_related', {
      method: 'POST',
      body: JSON.stringify({
        resource: [
          {
            type: 'belongs_to',
            is_virtual: true,
            field: 'artist_id',
            ref_service: 'app',
            ref_table: 'artist',
            ref_field: 'id',
          },
        ],
      }),
    });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    const relation = added.body.resource[0].name as string;

    const related = await fromEachWorker((headers) =>
      rest(`notes/_table/note?related=${relation}`, { headers }),
    );
    for (const answer of related.values()) {
      expect(answer.body.resource).toEqual([
        expect.objectContaining({ [relation]: { id: 1, name: 'Miles' } }),
      ]);
    }
    const queries = await fromEachWorker((headers) =>
      graphql('{ notes { notes { text artist { name } } } }', headers),
    );
    for (const answer of queries.values()) {
      expect(answer).toEqual({
        data: { notes: { notes: [{ text: 'first note', artist: { name: 'Miles' } }] } },
      });
    }
  });

  it('starts a new worker when one dies, and keeps serving meanwhile', async () => {
    const [victim, survivor] = workers();
    process.kill(victim!, 'SIGKILL');
    await server.waitFor(`worker pid ${victim} died (signal SIGKILL); starting a new one in 500 ms`, 10_000);
    expect((await fetch(`${server.url}/health`, { headers: { connection: 'close' } })).status).toBe(200);
    const pids = await until(
      'a new worker',
      () => workers(),
      (p) => p.length === 2 && !p.includes(victim!),
    );
    expect(pids).toContain(survivor);
    await server.waitFor(`worker pid ${pids.find((p) => p !== survivor)} is serving`, 45_000);
    expect(await models(4)).toHaveLength(4);
  });

  it('on SIGTERM lets every worker finish its requests, refuses new connections and exits 0', async () => {
    await expectGracefulStop(server, db.name, 6_000);
    expect(workers()).toEqual([]);
  });
});

it('reports a taken port once, before forking any worker', async () => {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const port = (busy.address() as { port: number }).port;
  try {
    const config = writeConfig({ services: [{ name: 'app', type: 'sqlite', filename: ':memory:' }] });
    const taken = startServe(config, ['--workers', '2'], port);
    const exit = await taken.exited;
    expect(exit.code).toBe(1);
    const message = `cannot listen on 127.0.0.1:${port}: the port is already in use`;
    expect(taken.stderr.split(message)).toHaveLength(2);
    expect(taken.stderr).not.toContain('introspecting');
  } finally {
    await new Promise((resolve) => busy.close(resolve));
  }
});
