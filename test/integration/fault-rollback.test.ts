/* eslint-disable @typescript-eslint/no-explicit-any -- REST answers and driver rows are read dynamically */
// R6 (security.md §4.4): REST nested inserts (artist → albums → tracks) from 50 concurrent clients × 200
// requests on private instances. 10 % of the records are designed to fail at a random depth — an artist name
// too long (depth 0), an album title too long (depth 1) or a track pointing at a missing media type (depth 2,
// a foreign-key violation), at a random position among their siblings. Every row carries its record's id in
// its name, so an invariant query groups what the database holds by record:
// - rollback=true: each record has all its rows or none; a 2xx record has all, a failed one none, and
//   failures are 4xx or 503 — also when the database is killed in the middle of the run;
// - rollback=false (continue=true, 3 records per request): the per-record result list (ids, or an error per
//   failed record) matches the database exactly — a success has its whole tree under the id it reported, a
//   failure has exactly the rows written before its failing row (DreamFactory's documented behaviour: the
//   record and its earlier nested rows stay, README "REST writes").
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chinookName } from './support/chinook.js';
import { eventually, FAULT_DIALECTS, startFaultWorld, type FaultWorld } from './support/faults/fixture.js';
import { sleep } from './support/faults/processes.js';

const CLIENTS = 50;
/**
 * security.md asks for 200 (10,000 requests per database). A nested request is 9 statements, so that takes
 * 70–210 s per scenario on a 2-core machine — far over the ~40 s a CI scenario may take. CI runs 40 per client
 * (2,000 requests, 14,000 rows); JUNCTION_R6_REQUESTS_PER_CLIENT=200 runs the full numbers (nightly).
 */
const REQUESTS_PER_CLIENT = Number(process.env.JUNCTION_R6_REQUESTS_PER_CLIENT ?? 40);
const FAIL_SHARE = 0.1;
const ALBUMS = 2;
const TRACKS = 2;
/** Records per request in the rollback=false scenario (so the per-record result list says something). */
const BATCH = 3;

const RESILIENCE = {
  pool: { max: 10, acquireTimeoutMs: 2_000 },
  timeouts: { connectMs: 1_000, statementMs: 5_000 },
  breaker: { failures: 5, openMs: 1_000 },
};

interface Failure {
  depth: 0 | 1 | 2;
  album: number;
  track: number;
}

interface Planned {
  key: string;
  fail: Failure | null;
  body: Record<string, unknown>;
  /** Names of every row of the complete record (artist, albums, tracks). */
  all: string[];
  /** Names of the rows written before the failing row, in the depth-first order nested writes use. */
  beforeFailure: string[];
}

/** A small seeded generator: the same plan on every run, so a failure can be reproduced. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function planRecord(dialect: FaultWorld['dialect'], key: string, fail: Failure | null): Planned {
  const n = (name: string) => chinookName(dialect, name);
  const artistName = `r6 ${key}`;
  const all = [artistName];
  const beforeFailure = fail?.depth === 0 ? [] : [artistName];
  let failed = fail?.depth === 0;
  const albums = [];
  for (let a = 0; a < ALBUMS; a++) {
    const title = `${artistName} a${a}`;
    all.push(title);
    const albumFails = fail?.depth === 1 && fail.album === a;
    if (albumFails) failed = true;
    if (!failed) beforeFailure.push(title);
    const tracks = [];
    for (let t = 0; t < TRACKS; t++) {
      const name = `${title} t${t}`;
      all.push(name);
      const trackFails = fail?.depth === 2 && fail.album === a && fail.track === t;
      if (trackFails) failed = true;
      if (!failed) beforeFailure.push(name);
      tracks.push({
        [n('Name')]: name,
        // A media type that does not exist: a foreign-key violation inside the database.
        [n('MediaTypeId')]: trackFails ? 999_999 : 1,
        [n('Milliseconds')]: 1000 + t,
        [n('UnitPrice')]: 0.99,
      });
    }
    albums.push({
      // One character past varchar(160).
      [n('Title')]: albumFails ? `${title} ${'x'.repeat(160)}` : title,
      [n('Track_by_AlbumId')]: tracks,
    });
  }
  const body = {
    // One character past varchar(120).
    [n('Name')]: fail?.depth === 0 ? `${artistName} ${'x'.repeat(120)}` : artistName,
    [n('Album_by_ArtistId')]: albums,
  };
  return { key, fail, body, all, beforeFailure };
}

function planFailure(next: () => number): Failure | null {
  if (next() >= FAIL_SHARE) return null;
  return {
    depth: Math.floor(next() * 3) as 0 | 1 | 2,
    album: Math.floor(next() * ALBUMS),
    track: Math.floor(next() * TRACKS),
  };
}

interface Sent {
  records: Planned[];
  status: number;
  body: any;
}

/** `clients` closed-loop clients each POSTing `perClient` requests of `batch` records. */
async function runClients(
  world: FaultWorld,
  run: string,
  options: { perClient: number; batch: number; query: string; onProgress?: (done: number) => void },
): Promise<Sent[]> {
  const next = random(run.split('').reduce((h, c) => h * 31 + c.charCodeAt(0), 7));
  const sent: Sent[] = [];
  const url = `${world.base}_table/${chinookName(world.dialect, 'Artist')}?${options.query}`;
  let done = 0;
  const client = async (c: number) => {
    for (let i = 0; i < options.perClient; i++) {
      const records = Array.from({ length: options.batch }, (_, r) =>
        planRecord(world.dialect, `${run} ${c}-${i}-${r}`, planFailure(next)),
      );
      let status = 0;
      let body: any = null;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ resource: records.map((r) => r.body) }),
          signal: AbortSignal.timeout(30_000),
        });
        status = response.status;
        const text = await response.text();
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
      } catch (error) {
        body = String(error);
      }
      sent.push({ records, status, body });
      options.onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
  return sent;
}

/** The invariant query: every row of `run`, as names grouped by record key, checked for their links. */
async function rowsByRecord(
  world: FaultWorld,
  run: string,
): Promise<{ names: Map<string, string[]>; broken: string[] }> {
  const n = (name: string) => chinookName(world.dialect, name);
  const like = `r6 ${run} %`;
  const artists = await world.sql(
    `select ${n('ArtistId')} as id, ${n('Name')} as name from ${n('Artist')} where ${n('Name')} like ?`,
    [like],
  );
  const albums = await world.sql(
    `select ${n('AlbumId')} as id, ${n('Title')} as name, ${n('ArtistId')} as parent from ${n('Album')} where ${n('Title')} like ?`,
    [like],
  );
  const tracks = await world.sql(
    `select ${n('TrackId')} as id, ${n('Name')} as name, ${n('AlbumId')} as parent from ${n('Track')} where ${n('Name')} like ?`,
    [like],
  );
  const names = new Map<string, string[]>();
  const keyOf = (name: string) => name.split(' ').slice(1, 3).join(' ');
  for (const row of [...artists, ...albums, ...tracks]) {
    const key = keyOf(row.name);
    names.set(key, [...(names.get(key) ?? []), row.name]);
  }
  // Each album hangs under its own artist, each track under its own album.
  const artistName = new Map(artists.map((a) => [Number(a.id), a.name as string]));
  const albumName = new Map(albums.map((a) => [Number(a.id), a.name as string]));
  const broken: string[] = [];
  for (const album of albums)
    if (!album.name.startsWith(`${artistName.get(Number(album.parent))} a`)) broken.push(album.name);
  for (const track of tracks)
    if (!track.name.startsWith(`${albumName.get(Number(track.parent))} t`)) broken.push(track.name);
  return { names, broken };
}

const sorted = (names: readonly string[] | undefined) => [...(names ?? [])].sort();

/** Records whose rows are neither all nor none. */
function partial(records: readonly Planned[], names: Map<string, string[]>): string[] {
  return records
    .filter((r) => {
      const found = names.get(r.key)?.length ?? 0;
      return found !== 0 && found !== r.all.length;
    })
    .map((r) => `${r.key}: ${names.get(r.key)?.length} of ${r.all.length} rows`);
}

const ok = (status: number) => status >= 200 && status < 300;

/**
 * rollback=true answers that disagree with the database or the plan: a 2xx must be a valid record with all
 * its rows; a failure must be 4xx or 503 with no rows, and a valid record may fail only with 503 (the
 * database was down or busy), never with a 4xx.
 */
/**
 * A 503 saying the connection died around COMMIT: the database may have committed before it went, which no
 * server can know; such a record must be whole or absent, never partial.
 */
function outcomeUnknown(s: Sent): boolean {
  const message = (s.body as { error?: { message?: string } } | null)?.error?.message ?? '';
  return s.status === 503 && message.includes('may or may not be saved');
}

function misjudged(sent: readonly Sent[], names: Map<string, string[]>): object[] {
  const wrong: object[] = [];
  for (const s of sent) {
    const record = s.records[0]!;
    const found = names.get(record.key)?.length ?? 0;
    const bad = ok(s.status)
      ? Boolean(record.fail) || found !== record.all.length
      : outcomeUnknown(s)
        ? found !== 0 && found !== record.all.length
        : found !== 0 ||
          (record.fail ? !(s.status >= 400 && s.status < 500) && s.status !== 503 : s.status !== 503);
    if (bad) wrong.push({ key: record.key, fail: record.fail, status: s.status, rows: found, body: s.body });
  }
  return wrong;
}

/** No partial record, no row under a wrong parent, and every answer true to what the database holds. */
function expectAllOrNothing(
  sent: readonly Sent[],
  records: readonly Planned[],
  names: Map<string, string[]>,
  broken: string[],
): void {
  expect(partial(records, names)).toEqual([]);
  expect(broken).toEqual([]);
  const wrong = misjudged(sent, names);
  expect(wrong.slice(0, 5)).toEqual([]);
  expect(wrong.length).toBe(0);
}

function summary(sent: readonly Sent[]): string {
  const counts: Record<string, number> = {};
  for (const s of sent) counts[s.status] = (counts[s.status] ?? 0) + 1;
  return JSON.stringify(counts);
}

describe.each(FAULT_DIALECTS)('R6: nested inserts on $label', ({ dialect }) => {
  let world: FaultWorld;
  beforeAll(async () => {
    world = await startFaultWorld(dialect, RESILIENCE);
  }, 120_000);
  // Each scenario starts on a healthy service (the previous one may have left the breaker open).
  beforeEach(async () => {
    await eventually(async () => {
      const response = await fetch(`${world.base}_table/${chinookName(dialect, 'Artist')}?limit=1`);
      if (response.status !== 200) throw new Error(`service answers ${response.status}`);
    });
  });
  afterAll(async () => {
    await world?.close();
  });

  it(`keeps every record all-or-nothing with rollback=true (${CLIENTS} clients × ${REQUESTS_PER_CLIENT} requests, 10 % failing at a random depth)`, async () => {
    const run = `a${Date.now().toString(36)}`;
    const started = Date.now();
    const sent = await runClients(world, run, {
      perClient: REQUESTS_PER_CLIENT,
      batch: 1,
      query: 'rollback=true',
    });
    const seconds = (Date.now() - started) / 1000;
    const { names, broken } = await rowsByRecord(world, run);
    const records = sent.flatMap((s) => s.records);
    console.log(
      `R6 ${dialect} rollback=true: ${sent.length} requests in ${seconds.toFixed(1)} s, statuses ${summary(sent)}, ` +
        `${records.filter((r) => r.fail).length} designed to fail`,
    );
    expect(sent).toHaveLength(CLIENTS * REQUESTS_PER_CLIENT);
    expectAllOrNothing(sent, records, names, broken);
  }, 300_000);

  it('keeps every record all-or-nothing with rollback=true when the database is killed mid-run', async () => {
    const run = `k${Date.now().toString(36)}`;
    let killed: Promise<void> | null = null;
    const total = CLIENTS * REQUESTS_PER_CLIENT;
    let killAtDone = 0;
    const sent = await runClients(world, run, {
      perClient: REQUESTS_PER_CLIENT,
      batch: 1,
      query: 'rollback=true',
      onProgress: (done) => {
        if (killed === null && done >= total * 0.3) {
          killAtDone = done;
          killed = (async () => {
            await world.server.kill();
            await sleep(2_000);
            await world.server.start();
          })();
        }
      },
    });
    await killed;
    const { names, broken } = await rowsByRecord(world, run);
    const records = sent.flatMap((s) => s.records);
    console.log(
      `R6 ${dialect} rollback=true with a kill after ${killAtDone} requests: statuses ${summary(sent)}`,
    );
    // A 500 is never expected: show what the server logged about it.
    if (sent.some((s) => s.status === 500))
      console.log(
        world.junction
          .stderr()
          .split('\n')
          .filter((line) => line.includes('unexpected') || line.includes('"level":"fatal"'))
          .slice(0, 5)
          .join('\n'),
      );
    expect(killAtDone).toBeGreaterThan(0);
    expect(sent.filter((s) => s.status === 503).length).toBeGreaterThan(0); // the kill was felt
    expectAllOrNothing(sent, records, names, broken);
  }, 300_000);

  it(`reports per record with rollback=false exactly what the database holds (continue=true, ${BATCH} records per request)`, async () => {
    const run = `c${Date.now().toString(36)}`;
    const started = Date.now();
    // BATCH records per request: half the requests give 1.5× the records of the rollback=true runs.
    const perClient = Math.ceil(REQUESTS_PER_CLIENT / 2);
    const sent = await runClients(world, run, { perClient, batch: BATCH, query: 'continue=true' });
    const seconds = (Date.now() - started) / 1000;
    const { names, broken } = await rowsByRecord(world, run);
    const idField = chinookName(dialect, 'ArtistId');
    const artistIds = new Map(
      (
        await world.sql(
          `select ${idField} as id, ${chinookName(dialect, 'Name')} as name from ${chinookName(dialect, 'Artist')} where ${chinookName(dialect, 'Name')} like ?`,
          [`r6 ${run} %`],
        )
      ).map((row) => [row.name as string, Number(row.id)]),
    );
    console.log(
      `R6 ${dialect} rollback=false: ${sent.length} requests (${sent.length * BATCH} records) in ${seconds.toFixed(1)} s, statuses ${summary(sent)}`,
    );
    expect(broken).toEqual([]);
    const mismatches: string[] = [];
    for (const s of sent) {
      const failed = new Set<number>(ok(s.status) ? [] : (s.body?.error?.context?.error ?? []));
      const results: any[] = ok(s.status) ? s.body?.resource : s.body?.error?.context?.resource;
      if (s.status === 503 && !Array.isArray(results)) {
        // The whole request refused as unavailable: then none of its records may have been written.
        for (const record of s.records)
          if (names.has(record.key))
            mismatches.push(`${record.key}: whole request 503, but rows were written`);
        continue;
      }
      if (!Array.isArray(results) || results.length !== s.records.length) {
        mismatches.push(`${s.status}: no per-record list: ${JSON.stringify(s.body).slice(0, 300)}`);
        continue;
      }
      s.records.forEach((record, i) => {
        const found = sorted(names.get(record.key));
        const result = results[i];
        if (failed.has(i) && result?.code === 503) {
          // Unavailable (breaker open, database gone): the rows written before that stay, in write order.
          const prefix = record.all.slice(0, found.length);
          if (JSON.stringify(found) !== JSON.stringify(sorted(prefix)))
            mismatches.push(`${record.key}: 503, holds ${JSON.stringify(found)}, not a prefix of its rows`);
        } else if (failed.has(i)) {
          if (!record.fail)
            mismatches.push(`${record.key}: reported failed (${JSON.stringify(result)}) but was valid`);
          if (JSON.stringify(found) !== JSON.stringify(sorted(record.beforeFailure)))
            mismatches.push(
              `${record.key}: failed at ${JSON.stringify(record.fail)}, holds ${JSON.stringify(found)}`,
            );
        } else {
          if (record.fail)
            mismatches.push(`${record.key}: reported ${JSON.stringify(result)} but was designed to fail`);
          if (JSON.stringify(found) !== JSON.stringify(sorted(record.all)))
            mismatches.push(
              `${record.key}: reported created, holds ${found.length} of ${record.all.length} rows`,
            );
          if (result?.[idField] !== artistIds.get(`r6 ${record.key}`))
            mismatches.push(
              `${record.key}: reported id ${JSON.stringify(result)}, stored ${artistIds.get(`r6 ${record.key}`)}`,
            );
        }
      });
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
    expect(mismatches.length).toBe(0);
  }, 300_000);
});
