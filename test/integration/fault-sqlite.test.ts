// R3 for SQLite (security.md §4.4): better-sqlite3 is synchronous, so Junction runs a file database's statements
// in a statement process. Junction serves a Chinook SQLite copy in a child process with statementMs 2000, and
// /health is sampled every 10 ms over HTTP while (1) a read whose query would run far past 30 s is cancelled
// with 504 STATEMENT_TIMEOUT, (2) a rollback batch is interrupted by a timeout, (3) another process holds the
// file with BEGIN EXCLUSIVE (503 SOURCE_UNAVAILABLE with Retry-After after the busy timeout, recovery after).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadChinook } from './support/chinook.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';
import { startJunction, type JunctionProcess } from './support/faults/junction-process.js';
import { percentile, Recorder, type Sample } from './support/faults/load.js';
import { childPids, requireBinary, sleep } from './support/faults/processes.js';

const STATEMENT_MS = 2_000;
/** What Junction derives from STATEMENT_MS (src/adapters/sqlite/pragmas.ts): half of it, at most 5 s. */
const BUSY_MS = 1_000;
const HEALTH_EVERY_MS = 10;

// A count to 10^9 through a recursive CTE: minutes of work for SQLite, reachable as a plain REST read of a view.
// A trigger on fault_note runs the same work for rows marked slow, so a write can time out mid-transaction.
const SETUP = `
  create view slow_count as
    with recursive c(x) as (select 1 union all select x + 1 from c where x < 1000000000)
    select count(*) as n from c;
  create table fault_note (id integer primary key autoincrement, note text not null, slow integer not null default 0);
  create table fault_sink (n integer);
  create trigger fault_note_slow after insert on fault_note when new.slow = 1
    begin insert into fault_sink select n from slow_count; end;
`;

let db: TestDatabase;
let junction: JunctionProcess;
let idle = '';

beforeAll(async () => {
  db = await createTestDatabase('sqlite');
  await loadChinook('sqlite', db);
  await db.exec(SETUP);
  junction = await startJunction([
    { name: 'chinook', type: 'sqlite', filename: db.name, timeouts: { statementMs: STATEMENT_MS } },
  ]);
  // Warm-up: the first requests pay for connections and compilation, not for anything measured here.
  for (let i = 0; i < 20; i++) await fetch(`${junction.origin}/health`).then((r) => r.text());
  await fetch(`${junction.restBase('chinook')}_table/Artist?limit=1`).then((r) => r.text());
  // The same probes with nothing else running: printed next to a failure, to tell a frozen loop from a
  // loaded machine (the goal itself stays absolute).
  const { health } = await withHealth(() => sleep(1_000));
  idle = `idle p99 ${percentile(health, 99).toFixed(1)} ms over ${health.length} probes`;
});

afterAll(async () => {
  await junction?.stop();
  await db?.drop();
});

/** Samples /health every 10 ms until `during` settles; returns its result and the health samples. */
async function withHealth<T>(
  during: (recorder: Recorder) => Promise<T>,
): Promise<{ result: T; health: Sample[] }> {
  const recorder = new Recorder();
  let done = false;
  const probes: Promise<Sample>[] = [];
  const sampler = (async () => {
    while (!done) {
      probes.push(recorder.send({ kind: 'health', url: `${junction.origin}/health` }, 10_000));
      await sleep(HEALTH_EVERY_MS);
    }
  })();
  try {
    const result = await during(recorder);
    return { result, health: await Promise.all(probes) };
  } finally {
    done = true;
    await sampler;
  }
}

function expectHealthy(health: Sample[], window: number): void {
  const p99 = percentile(health, 99);
  const failed = health.filter((s) => s.status !== 200);
  // The probes are sent every 10 ms by this (busy) test process, so fewer arrive; one per 100 ms at least.
  expect(health.length, `health probes in ${window} ms`).toBeGreaterThanOrEqual(Math.floor(window / 100));
  if (process.env.FAULT_SQLITE_REPORT)
    console.log(`health: ${health.length} probes, p99 ${p99.toFixed(1)} ms (${idle})`);
  expect(failed, 'health probes that did not answer 200').toEqual([]);
  expect(p99, `/health p99 over ${health.length} probes (${idle})`).toBeLessThan(50);
}

/** Junction's SQLite statement processes (src/adapters/sqlite/statement-process.ts names them). */
function statementProcesses(): number[] {
  return childPids(junction.pid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('junction-sqlite');
    } catch {
      return false;
    }
  });
}

function rows(table: string): number {
  const conn = new Database(db.name, { readonly: true });
  try {
    return (conn.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
  } finally {
    conn.close();
  }
}

describe('a SQLite statement past the statement timeout', () => {
  it('is cancelled with 504 STATEMENT_TIMEOUT at about 2 s while /health keeps answering within 50 ms', async () => {
    const { result: slow, health } = await withHealth((recorder) =>
      recorder.send({ kind: 'slow', url: `${junction.restBase('chinook')}_table/slow_count` }),
    );
    expect(slow.status, slow.body).toBe(504);
    expect(JSON.parse(slow.body ?? '{}').error?.message).toMatch(/took too long/);
    expect(slow.latency).toBeGreaterThanOrEqual(STATEMENT_MS - 50);
    expect(slow.latency).toBeLessThan(STATEMENT_MS + 1_500);
    expectHealthy(health, slow.latency);
    expect(junction.crashed()).toBeNull();
    // The runaway statement is really stopped: its process is gone, and only the fresh one started for the
    // next request is left (two would mean the query still runs somewhere).
    const deadline = Date.now() + 3_000;
    while (statementProcesses().length !== 1 && Date.now() < deadline) await sleep(100);
    expect(statementProcesses()).toHaveLength(1);
  });

  it('leaves the service working: the next request succeeds', async () => {
    const response = await fetch(`${junction.restBase('chinook')}_table/Artist?limit=2&order=ArtistId`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { resource: { Name: string }[] };
    expect(body.resource.map((r) => r.Name)).toEqual(['AC/DC', 'Accept']);
  });

  it('rolls a GraphQL insert of three rows back when the second one times out: nothing is written', async () => {
    const { result: mutation, health } = await withHealth(async () => {
      const started = performance.now();
      const response = await fetch(`${junction.origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `mutation { chinook_insertFaultNotes(objects: [
            { note: "first" }, { note: "second", slow: 1 }, { note: "third" }]) { affectedRows } }`,
        }),
      });
      const body = (await response.json()) as {
        data: unknown;
        errors?: { extensions?: { code?: string } }[];
      };
      return { body, latency: performance.now() - started };
    });
    expect(mutation.body.errors?.map((e) => e.extensions?.code)).toEqual(['STATEMENT_TIMEOUT']);
    expect(mutation.body.data).toBeNull();
    expect(mutation.latency).toBeLessThan(STATEMENT_MS + 1_500);
    expectHealthy(health, mutation.latency);
    expect(rows('fault_note')).toBe(0);
    expect(rows('fault_sink')).toBe(0);
  });

  it('rolls a REST rollback batch back when one of its statements times out: 504, nothing written', async () => {
    const batch = await new Recorder().send({
      kind: 'batch',
      url: `${junction.restBase('chinook')}_table/fault_note?rollback=true`,
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          resource: [{ note: 'first' }, { note: 'second', slow: 1 }, { note: 'third' }],
        }),
      },
    });
    expect(rows('fault_note')).toBe(0);
    expect(rows('fault_sink')).toBe(0);
    // An unavailable or timed-out database fails a rollback batch as a whole (rest/records/write.ts), with
    // the error's own status: nothing was written, so there is no per-record list to report.
    expect(batch.status, batch.body).toBe(504);
    expect(JSON.parse(batch.body ?? '{}').error?.message).toMatch(/took too long/);
  });

  it('writes again once the timed-out transaction is gone', async () => {
    const after = await fetch(`${junction.restBase('chinook')}_table/fault_note`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resource: [{ note: 'after' }] }),
    });
    expect(after.status, await after.clone().text()).toBe(200);
    expect(rows('fault_note')).toBe(1);
  });
});

describe('a SQLite file locked by another process', () => {
  let holder: ChildProcess | undefined;

  afterAll(() => {
    holder?.kill('SIGKILL');
  });

  it('answers 503 SOURCE_UNAVAILABLE with Retry-After after the busy timeout, and recovers once released', async () => {
    const sqlite3 = requireBinary('/usr/bin/sqlite3', 'apt-get install -y sqlite3');
    holder = spawn(sqlite3, [db.name], { stdio: ['pipe', 'pipe', 'inherit'] });
    const locked = new Promise<void>((resolve, reject) => {
      holder?.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('locked')) resolve();
      });
      holder?.on('exit', () => reject(new Error('sqlite3 ended before it held the lock')));
    });
    holder.stdin?.write("BEGIN EXCLUSIVE;\nselect 'locked';\n");
    await locked;

    const url = `${junction.restBase('chinook')}_table/Artist?limit=1`;
    const { result: refused, health } = await withHealth((recorder) =>
      recorder.send({ kind: 'locked', url }),
    );
    expect(refused.status, refused.body).toBe(503);
    expect(refused.retryAfter).toMatch(/^[1-9][0-9]*$/);
    expect(JSON.parse(refused.body ?? '{}').error?.message).toMatch(/'chinook'.*locked/);
    expect(refused.latency).toBeGreaterThanOrEqual(BUSY_MS - 50);
    expect(refused.latency).toBeLessThan(STATEMENT_MS);
    expectHealthy(health, refused.latency);

    holder.stdin?.end('ROLLBACK;\n');
    await new Promise((resolve) => holder?.once('exit', resolve));
    const recovered = await fetch(url);
    expect(recovered.status).toBe(200);
  });
});
