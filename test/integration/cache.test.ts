/* eslint-disable @typescript-eslint/no-explicit-any -- responses are read dynamically, as a client would */
// Data retrieval caching against real Chinook databases (PostgreSQL, SQLite) and a real Redis. With a service
// TTL set, a repeated workload query is answered without SQL (the x-junction-sql-statements header, and rows
// changed behind Junction's back that stay unseen until a write through Junction); writes through REST and
// through a GraphQL mutation invalidate; roles with different views never share an entry; entries expire;
// with caching off every request reads the database. Two servers sharing one Redis invalidate each other;
// with Redis unreachable the answers stay correct. REST GETs carry ETag (304) and Cache-Control.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { register } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoleAccessConfig } from '../../src/auth/types.js';
import type { CacheConfig, JunctionConfig, ServiceConfig } from '../../src/config/types.js';
import { createRedisStore } from '../../src/cache/redis-store.js';
import { STATEMENTS_HEADER } from '../../src/http/server.js';
import { chinookName, useChinook } from './support/chinook.js';
import type { TestDialect } from './support/databases.js';
import { startTestServer, testConfig, type TestServer } from './support/graphql.js';
import { REDIS_URL, uniqueKeyPrefix } from './support/redis.js';

const FULL_KEY = 'cache-test-full-key-0123456789abcdef';
const LIMITED_KEY = 'cache-test-limited-key-0123456789abcdef';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface Answer {
  status: number;
  body: any;
  text: string;
  headers: Headers;
  statements: number | null;
}

/** A started server and the calls the tests make on it, each with one app's API key. */
interface Api {
  server: TestServer;
  rest(
    key: string,
    path: string,
    init?: { method?: string; json?: unknown; headers?: Record<string, string> },
  ): Promise<Answer>;
  graphql(key: string, query: string): Promise<Answer>;
  close(): Promise<void>;
}

async function startApi(config: JunctionConfig): Promise<Api> {
  const server = await startTestServer(config);
  const origin = new URL(server.url).origin;
  const send = async (
    path: string,
    key: string,
    init: RequestInit & { headers?: Record<string, string> },
  ) => {
    const response = await fetch(origin + path, {
      ...init,
      headers: { accept: 'application/json', 'x-dreamfactory-api-key': key, ...init.headers },
    });
    const text = await response.text();
    const header = response.headers.get(STATEMENTS_HEADER);
    return {
      status: response.status,
      text,
      body: text === '' ? null : JSON.parse(text),
      headers: response.headers,
      statements: header === null ? null : Number(header),
    };
  };
  return {
    server,
    rest: (key, path, init = {}) =>
      send(path, key, {
        method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
        body: init.json === undefined ? undefined : JSON.stringify(init.json),
        headers: {
          ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
          ...init.headers,
        },
      }),
    graphql: (key, query) =>
      send('/graphql', key, {
        method: 'POST',
        body: JSON.stringify({ query }),
        headers: { 'content-type': 'application/json' },
      }),
    close: () => server.close(),
  };
}

/** Two roles: `full` sees everything; `limited` sees Track rows of genre 1 only, without Composer. */
function cacheConfig(
  dialect: TestDialect,
  service: ServiceConfig,
  ttlSeconds: number,
  cache?: Partial<CacheConfig>,
): JunctionConfig {
  const n = (name: string) => chinookName(dialect, name);
  const access = (component: string, extra: Partial<RoleAccessConfig> = {}): RoleAccessConfig => ({
    service: 'chinook',
    component,
    verbs: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    filters: [],
    filterOp: 'AND',
    hiddenFields: [],
    writableFields: null,
    ...extra,
  });
  const base = testConfig([{ ...service, cache: { ttlSeconds } }]);
  return {
    ...base,
    auth: {
      apiKeyInQuery: false,
      roles: [
        { name: 'full', description: null, active: true, access: [access('*')] },
        {
          name: 'limited',
          description: null,
          active: true,
          access: [
            access('_table/*', { verbs: ['GET'] }),
            access(`_table/${n('Track')}`, {
              verbs: ['GET'],
              filters: [{ field: n('GenreId'), operator: '=', value: '1' }],
              hiddenFields: [n('Composer')],
            }),
          ],
        },
      ],
      apps: [
        { name: 'full-app', description: null, active: true, role: 'full', apiKeyHash: sha256(FULL_KEY) },
        {
          name: 'limited-app',
          description: null,
          active: true,
          role: 'limited',
          apiKeyHash: sha256(LIMITED_KEY),
        },
      ],
    },
    cache: {
      store: 'memory',
      redisUrl: null,
      keyPrefix: 'junction',
      maxEntries: 1000,
      maxBytes: 16 * 1024 * 1024,
      maxEntryBytes: 1024 * 1024,
      ...cache,
    },
  };
}

/** Workload query (a): 50 tracks, each with its album and the album's artist; REST and GraphQL forms. */
function workloadA(dialect: TestDialect) {
  const n = (name: string) => chinookName(dialect, name);
  const album = n('Album_by_AlbumId');
  const artist = n('Artist_by_ArtistId');
  return {
    graphql: `{ chinook { tracks(limit: 50, orderBy: { trackId: ASC }) { trackId name unitPrice
      album { albumId title artist { artistId name } } } } }`,
    rest:
      `/api/v2/chinook/_table/${n('Track')}?limit=50&order=${n('TrackId')}&include_count=true` +
      `&fields=${n('TrackId')},${n('Name')},${n('UnitPrice')}&related=${album}` +
      `&${album}.fields=${n('AlbumId')},${n('Title')}&${album}.related=${artist}` +
      `&${album}.${artist}.fields=${n('ArtistId')},${n('Name')}`,
    /** The artist of track 1 (AC/DC) in a REST answer. */
    restArtist: (body: any) => body.resource[0][album][artist][n('Name')] as string,
  };
}

/** A procedure (may write: invalidates) and a stable function (cannot: does not), PostgreSQL only. */
const ROUTINES_SQL = `
create procedure rename_genre(which int, label text) language sql
  as $$ update genre set name = label where genre_id = which $$;
create function genre_name(which int) returns text stable language sql
  as $$ select name from genre where genre_id = which $$;`;

/** junction_cache_lookups_total{service="chinook",result} as the server process counted it so far. */
async function lookups(result: 'hit' | 'miss'): Promise<number> {
  const metric = register.getSingleMetric('junction_cache_lookups_total');
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((v) => v.labels.service === 'chinook' && v.labels.result === result)
    .reduce((sum, v) => sum + v.value, 0);
}

const DIALECTS = [
  { dialect: 'postgres', label: 'PostgreSQL' },
  { dialect: 'sqlite', label: 'SQLite' },
] as const satisfies readonly { dialect: TestDialect; label: string }[];

describe.each(DIALECTS)('the result cache on $label', ({ dialect }) => {
  const chinook = useChinook(dialect, dialect === 'postgres' ? ROUTINES_SQL : undefined);
  const n = (name: string) => chinookName(dialect, name);
  const query = workloadA(dialect);
  let api: Api;
  beforeAll(async () => {
    api = await startApi(cacheConfig(dialect, chinook.service, 60));
  });
  afterAll(async () => api?.close());

  /** Changes a row behind Junction's back: only a database read can see it. */
  const renameArtistDirectly = (id: number, name: string) =>
    chinook
      .knex(n('Artist'))
      .where(n('ArtistId'), id)
      .update({ [n('Name')]: name });

  it('answers a repeated nested read with 0 SQL statements and the same body, in both APIs', async () => {
    const [hits, misses] = [await lookups('hit'), await lookups('miss')];
    const first = await api.graphql(FULL_KEY, query.graphql);
    expect(first.status).toBe(200);
    expect(first.body.data.chinook.tracks).toHaveLength(50);
    expect(first.statements).toBe(3);
    const again = await api.graphql(FULL_KEY, query.graphql);
    expect(again.statements).toBe(0);
    expect(again.text).toBe(first.text);

    const rest = await api.rest(FULL_KEY, query.rest);
    expect(rest.status).toBe(200);
    expect(rest.body.resource).toHaveLength(50);
    expect(rest.statements).toBeGreaterThan(0);
    const restAgain = await api.rest(FULL_KEY, query.rest);
    expect(restAgain.statements).toBe(0);
    expect(restAgain.text).toBe(rest.text);
    // The metrics hook saw it: one lookup per statement, misses first, then hits.
    expect((await lookups('miss')) - misses).toBe(first.statements! + rest.statements!);
    expect((await lookups('hit')) - hits).toBe(first.statements! + rest.statements!);
  });

  it.runIf(dialect === 'postgres')(
    'is invalidated by a procedure call, not by a stable function call',
    async () => {
      const path = `/api/v2/chinook/_table/genre/2?fields=name`;
      const before = await api.rest(FULL_KEY, path);
      expect((await api.rest(FULL_KEY, path)).statements).toBe(0);
      const fn = await api.rest(FULL_KEY, '/api/v2/chinook/_func/genre_name(2)');
      expect(fn.status).toBe(200);
      expect(fn.text).toContain(before.body.name);
      expect((await api.rest(FULL_KEY, path)).statements).toBe(0);

      const proc = await api.rest(FULL_KEY, '/api/v2/chinook/_proc/rename_genre', {
        json: { params: { which: 2, label: 'Jazz (renamed by a procedure)' } },
      });
      expect(proc.status).toBe(200);
      const after = await api.rest(FULL_KEY, path);
      expect(after.statements).toBeGreaterThan(0);
      expect(after.body.name).toBe('Jazz (renamed by a procedure)');
    },
  );

  it('does not read the database on a hit: a change made around Junction stays unseen until a write through it', async () => {
    await api.rest(FULL_KEY, query.rest);
    await renameArtistDirectly(1, 'AC/DC (changed behind Junction)');
    const cached = await api.rest(FULL_KEY, query.rest);
    expect(cached.statements).toBe(0);
    expect(query.restArtist(cached.body)).toBe('AC/DC');

    // Any write through Junction to the service drops its entries: the next read sees the database again.
    const write = await api.rest(FULL_KEY, `/api/v2/chinook/_table/${n('Genre')}/1`, {
      method: 'PATCH',
      json: { [n('Name')]: 'Rock' },
    });
    expect(write.status).toBe(200);
    const fresh = await api.rest(FULL_KEY, query.rest);
    expect(fresh.statements).toBeGreaterThan(0);
    expect(query.restArtist(fresh.body)).toBe('AC/DC (changed behind Junction)');
    await renameArtistDirectly(1, 'AC/DC');
    await api.rest(FULL_KEY, `/api/v2/chinook/_table/${n('Genre')}/1`, {
      method: 'PATCH',
      json: { [n('Name')]: 'Rock' },
    });
  });

  it('is invalidated by a REST write: the next GraphQL and REST reads show the new value', async () => {
    const albumQuery = '{ chinook { album(albumId: 1) { title } } }';
    const restPath = `/api/v2/chinook/_table/${n('Album')}/1?fields=${n('Title')}`;
    await api.graphql(FULL_KEY, albumQuery);
    await api.rest(FULL_KEY, restPath);
    expect((await api.graphql(FULL_KEY, albumQuery)).statements).toBe(0);
    expect((await api.rest(FULL_KEY, restPath)).statements).toBe(0);

    const write = await api.rest(FULL_KEY, `/api/v2/chinook/_table/${n('Album')}/1`, {
      method: 'PATCH',
      json: { [n('Title')]: 'Retitled through REST' },
    });
    expect(write.status).toBe(200);
    const graphql = await api.graphql(FULL_KEY, albumQuery);
    expect(graphql.statements).toBeGreaterThan(0);
    expect(graphql.body.data.chinook.album.title).toBe('Retitled through REST');
    const rest = await api.rest(FULL_KEY, restPath);
    expect(rest.statements).toBeGreaterThan(0);
    expect(rest.body[n('Title')]).toBe('Retitled through REST');
  });

  it('is invalidated by a GraphQL mutation: the next reads of the workload query show the new artist name', async () => {
    await api.graphql(FULL_KEY, query.graphql);
    await api.rest(FULL_KEY, query.rest);
    expect((await api.rest(FULL_KEY, query.rest)).statements).toBe(0);

    const mutation = await api.graphql(
      FULL_KEY,
      'mutation { chinook_updateArtist(artistId: 1, set: { name: "AC/DC (mutated)" }) { name } }',
    );
    expect(mutation.body.errors).toBeUndefined();
    const graphql = await api.graphql(FULL_KEY, query.graphql);
    expect(graphql.statements).toBe(3);
    expect(graphql.body.data.chinook.tracks[0].album.artist.name).toBe('AC/DC (mutated)');
    const rest = await api.rest(FULL_KEY, query.rest);
    expect(rest.statements).toBeGreaterThan(0);
    expect(query.restArtist(rest.body)).toBe('AC/DC (mutated)');
    await api.graphql(
      FULL_KEY,
      'mutation { chinook_updateArtist(artistId: 1, set: { name: "AC/DC" }) { name } }',
    );
  });

  it('keeps the entries of two roles apart where their views differ', async () => {
    const path = `/api/v2/chinook/_table/${n('Track')}?limit=5&order=${n('TrackId')}`;
    const full = await api.rest(FULL_KEY, path);
    expect(full.body.resource[0]).toHaveProperty(n('Composer'));
    const limited = await api.rest(LIMITED_KEY, path);
    expect(limited.status).toBe(200);
    // Not served from the full role's entry: its own statements, its own rows, no hidden column.
    expect(limited.statements).toBeGreaterThan(0);
    expect(limited.body.resource.every((t: any) => t[n('GenreId')] === 1)).toBe(true);
    expect(limited.body.resource[0]).not.toHaveProperty(n('Composer'));
    expect(limited.text).not.toBe(full.text);
    // Each role's repeat is a hit on its own entry.
    const fullAgain = await api.rest(FULL_KEY, path);
    const limitedAgain = await api.rest(LIMITED_KEY, path);
    expect([fullAgain.statements, limitedAgain.statements]).toEqual([0, 0]);
    expect(fullAgain.text).toBe(full.text);
    expect(limitedAgain.text).toBe(limited.text);
  });

  it('reads the database again for refresh=true (DreamFactory), and caches what it read', async () => {
    const path = `/api/v2/chinook/_table/${n('Artist')}?limit=3&order=${n('ArtistId')}`;
    await api.rest(FULL_KEY, path);
    expect((await api.rest(FULL_KEY, path)).statements).toBe(0);
    expect((await api.rest(FULL_KEY, `${path}&refresh=true`)).statements).toBeGreaterThan(0);
    expect((await api.rest(FULL_KEY, path)).statements).toBe(0);
  });

  it('sends a strong ETag and Cache-Control private, max-age = the TTL, and answers If-None-Match with 304', async () => {
    const path = `/api/v2/chinook/_table/${n('Genre')}?order=${n('GenreId')}`;
    const first = await api.rest(FULL_KEY, path);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(first.headers.get('cache-control')).toBe('private, max-age=60');
    expect(first.headers.get('vary')).toContain('X-DreamFactory-API-Key');
    const notModified = await api.rest(FULL_KEY, path, { headers: { 'if-none-match': etag! } });
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe('');
    expect(notModified.headers.get('etag')).toBe(etag);
    const head = await api.rest(FULL_KEY, path, { method: 'HEAD' });
    expect([head.status, head.text, head.headers.get('etag')]).toEqual([200, '', etag]);
    // Another role's view of the same URL is another representation.
    const limited = await api.rest(LIMITED_KEY, `/api/v2/chinook/_table/${n('Track')}?limit=5`);
    const full = await api.rest(FULL_KEY, `/api/v2/chinook/_table/${n('Track')}?limit=5`);
    expect(limited.headers.get('etag')).not.toBe(full.headers.get('etag'));
  });

  it('sends no ETag on errors and no-store for them and for the session endpoint', async () => {
    const missing = await api.rest(FULL_KEY, `/api/v2/chinook/_table/NoSuchTable`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('etag')).toBeNull();
    expect(missing.headers.get('cache-control')).toBe('no-store');
    const session = await api.rest(FULL_KEY, '/api/v2/user/session');
    expect(session.headers.get('etag')).toBeNull();
    expect(session.headers.get('cache-control')).toBe('no-store');
  });

  describe('with a TTL of 1 second', () => {
    let short: Api;
    beforeAll(async () => {
      short = await startApi(cacheConfig(dialect, chinook.service, 1));
    });
    afterAll(async () => short?.close());

    it('reads the database again once the entry expired', async () => {
      const first = await short.graphql(FULL_KEY, query.graphql);
      expect(first.statements).toBe(3);
      expect((await short.graphql(FULL_KEY, query.graphql)).statements).toBe(0);
      await sleep(1_200);
      const expired = await short.graphql(FULL_KEY, query.graphql);
      expect(expired.statements).toBe(3);
      expect(expired.text).toBe(first.text);
    });
  });

  describe('with caching off', () => {
    let off: Api;
    beforeAll(async () => {
      off = await startApi(cacheConfig(dialect, chinook.service, 0));
    });
    afterAll(async () => off?.close());

    it('reads the database on every request, and REST GETs say no-cache', async () => {
      const statements = [];
      for (let i = 0; i < 3; i++) statements.push((await off.graphql(FULL_KEY, query.graphql)).statements);
      expect(statements).toEqual([3, 3, 3]);
      const rest = [await off.rest(FULL_KEY, query.rest), await off.rest(FULL_KEY, query.rest)];
      expect(rest.map((r) => r.statements! > 0)).toEqual([true, true]);
      expect(rest[1]!.headers.get('cache-control')).toBe('private, no-cache');
      expect(rest[1]!.headers.get('etag')).toBe(rest[0]!.headers.get('etag'));
    });
  });
});

describe('the result cache in Redis', () => {
  const chinook = useChinook('postgres');
  const n = (name: string) => chinookName('postgres', name);
  const query = workloadA('postgres');
  const prefix = uniqueKeyPrefix();
  let redis: Redis;
  let a: Api;
  let b: Api;
  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
    } catch (error) {
      throw new Error(
        `Redis is not reachable at ${REDIS_URL} (${(error as Error).message}): start it (redis-server) or set REDIS_URL`,
      );
    }
    const config = cacheConfig('postgres', chinook.service, 60, {
      store: 'redis',
      redisUrl: REDIS_URL,
      keyPrefix: prefix,
    });
    [a, b] = await Promise.all([startApi(config), startApi(config)]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis?.disconnect();
  });

  it('shares entries between two servers: what one read, the other answers without SQL', async () => {
    const first = await a.graphql(FULL_KEY, query.graphql);
    expect(first.statements).toBe(3);
    const other = await b.graphql(FULL_KEY, query.graphql);
    expect(other.statements).toBe(0);
    expect(other.text).toBe(first.text);
    expect(await redis.keys(`${prefix}:cache:*`)).not.toHaveLength(0);
  });

  it('invalidates on every server: a write on one makes the other read the new value', async () => {
    await b.rest(FULL_KEY, query.rest);
    expect((await b.rest(FULL_KEY, query.rest)).statements).toBe(0);
    const write = await a.rest(FULL_KEY, `/api/v2/chinook/_table/${n('Artist')}/1`, {
      method: 'PATCH',
      json: { name: 'AC/DC (written on server A)' },
    });
    expect(write.status).toBe(200);
    const after = await b.rest(FULL_KEY, query.rest);
    expect(after.statements).toBeGreaterThan(0);
    expect(query.restArtist(after.body)).toBe('AC/DC (written on server A)');
    const mutation = await b.graphql(
      FULL_KEY,
      'mutation { chinook_updateArtist(artistId: 1, set: { name: "AC/DC" }) { name } }',
    );
    expect(mutation.body.errors).toBeUndefined();
    const back = await a.graphql(FULL_KEY, query.graphql);
    expect(back.statements).toBe(3);
    expect(back.body.data.chinook.tracks[0].album.artist.name).toBe('AC/DC');
  });

  it('does not store a read that began before a write on another replica, nor revive entries of a lost counter', async () => {
    const store = createRedisStore({ redisUrl: REDIS_URL, keyPrefix: prefix }, () => {});
    try {
      await store.ready();
      const before = (await store.get('race', 'h'))!.generation;
      await store.invalidate('race'); // the write commits while the read is still running
      await store.set('race', 'h', before, Buffer.from('older rows'), 60_000);
      const after = (await store.get('race', 'h'))!;
      expect(after.generation).toBeGreaterThan(before);
      expect(after.value).toBeNull();

      await store.set('race', 'h', after.generation, Buffer.from('rows'), 60_000);
      expect((await store.get('race', 'h'))!.value?.toString()).toBe('rows');
      // Redis lost the counter (restart without persistence, allkeys eviction): the entry stays unreachable.
      await redis.del(`${prefix}:cache:{race}:gen`);
      const restarted = (await store.get('race', 'h'))!;
      expect(restarted.generation).toBeGreaterThan(after.generation);
      expect(restarted.value).toBeNull();
    } finally {
      await store.close();
    }
  });

  describe('when Redis is unreachable', () => {
    let down: Api;
    beforeAll(async () => {
      // Port 1 on loopback: nothing listens there, connections are refused at once.
      down = await startApi(
        cacheConfig('postgres', chinook.service, 60, {
          store: 'redis',
          redisUrl: 'redis://127.0.0.1:1',
          keyPrefix: prefix,
        }),
      );
    });
    afterAll(async () => down?.close());

    it('answers correctly from the database, writes included, and says so once in the log', async () => {
      const reads = [];
      for (let i = 0; i < 3; i++) reads.push(await down.graphql(FULL_KEY, query.graphql));
      expect(reads.map((r) => [r.status, r.statements])).toEqual([
        [200, 3],
        [200, 3],
        [200, 3],
      ]);
      expect(reads[2]!.text).toBe(reads[0]!.text);
      const write = await down.rest(FULL_KEY, `/api/v2/chinook/_table/${n('Genre')}/1`, {
        method: 'PATCH',
        json: { name: 'Rock' },
      });
      expect(write.status).toBe(200);
      const rest = await down.rest(FULL_KEY, query.rest);
      expect(rest.status).toBe(200);
      expect(query.restArtist(rest.body)).toBe('AC/DC');
      const lines = down.server.log.filter((line) =>
        line.includes('cache: Redis at 127.0.0.1:1 is unreachable'),
      );
      expect(lines).toHaveLength(1);
    });
  });

  describe('when Redis goes away during a write and comes back with its old data', () => {
    // A private redis-server that keeps its data across a restart (dump on shutdown), so the entries and
    // the counter from before the write come back: only the replayed invalidation keeps them unreachable.
    let dir: string;
    let port: number;
    let child: ChildProcess | null = null;
    /** One command through redis-cli: independent of any client's connection state; null when it fails. */
    const cli = (...args: string[]) =>
      new Promise<string | null>((resolve) =>
        execFile('redis-cli', ['-p', String(port), ...args], { timeout: 2_000 }, (error, stdout) =>
          resolve(error ? null : stdout.trim()),
        ),
      );
    let c: Api;
    let d: Api;
    const startRedis = async () => {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir],
        {
          stdio: 'ignore',
        },
      );
      child.once('error', () => {});
      for (let i = 0; i < 100; i++) {
        if ((await cli('ping')) === 'PONG') return;
        await sleep(50);
      }
      throw new Error('redis-server did not start: is it installed (apt-get install redis-server)?');
    };
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'junction-cache-redis-'));
      port = await new Promise<number>((resolve) => {
        const socket = createServer().listen(0, '127.0.0.1', () => {
          const address = socket.address() as { port: number };
          socket.close(() => resolve(address.port));
        });
      });
      await startRedis();
      const config = cacheConfig('postgres', chinook.service, 60, {
        store: 'redis',
        redisUrl: `redis://127.0.0.1:${port}`,
        keyPrefix: prefix,
      });
      [c, d] = await Promise.all([startApi(config), startApi(config)]);
    });
    afterAll(async () => {
      await Promise.all([c?.close(), d?.close()]);
      child?.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });

    it('replays the invalidation when Redis is back, so the other replica reads the new value', async () => {
      await c.graphql(FULL_KEY, query.graphql);
      expect((await d.graphql(FULL_KEY, query.graphql)).statements).toBe(0);
      const genKey = `${prefix}:cache:{chinook}:gen`;
      const before = Number(await cli('get', genKey));
      expect(before).toBeGreaterThan(0);

      const exited = new Promise((resolve) => child!.once('exit', resolve));
      await cli('shutdown', 'save');
      await Promise.race([exited, sleep(5_000)]);
      expect(await cli('ping')).toBeNull();
      const write = await c.rest(FULL_KEY, `/api/v2/chinook/_table/${n('Artist')}/1`, {
        method: 'PATCH',
        json: { name: 'AC/DC (written while Redis was down)' },
      });
      expect(write.status).toBe(200);
      const meanwhile = await d.graphql(FULL_KEY, query.graphql);
      expect(meanwhile.statements).toBe(3);
      expect(meanwhile.body.data.chinook.tracks[0].album.artist.name).toBe(
        'AC/DC (written while Redis was down)',
      );

      await startRedis();
      // The old counter and entries are back from the dump; server c bumps the counter once it reconnects.
      let after = before;
      for (let i = 0; i < 100 && after <= before; i++) {
        await sleep(100);
        after = Number((await cli('get', genKey)) ?? before);
      }
      expect(after).toBeGreaterThan(before);
      const fresh = await d.graphql(FULL_KEY, query.graphql);
      expect(fresh.statements).toBe(3);
      expect(fresh.body.data.chinook.tracks[0].album.artist.name).toBe(
        'AC/DC (written while Redis was down)',
      );
      expect(c.server.log.some((line) => line.includes('is reachable again'))).toBe(true);
      await c.graphql(
        FULL_KEY,
        'mutation { chinook_updateArtist(artistId: 1, set: { name: "AC/DC" }) { name } }',
      );
    });
  });
});
