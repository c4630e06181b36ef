// The CLI as an operator runs it: `node --import tsx src/cli/index.ts <command> --config <file>` in a child
// process, with YAML configs in a temp directory pointing at test databases (SQLite files, and closed
// ports for unreachable servers). Checks exit codes, the messages on stdout/stderr, the files written, and
// that a failing `serve` never starts listening. Every child process is killed when its test ends.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, printSchema } from 'graphql';
import { stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadChinook } from './support/chinook.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';
import { accepts, freePort } from './support/serve-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COMMANDS = ['serve', 'introspect', 'print-model', 'print-schema', 'check'] as const;

// ---- child processes -------------------------------------------------------------------------------------

const children = new Set<ChildProcess>();

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Running {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  /** True once the process has exited. */
  readonly done: boolean;
  exited: Promise<Finished>;
}

function start(args: string[]): Running {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.JUNCTION_CONFIG;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  let done = false;
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Finished>((resolve) => {
    child.on('close', (code, signal) => {
      children.delete(child);
      done = true;
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    get done() {
      return done;
    },
    exited,
  };
}

/** SIGTERM, then SIGKILL if it is still there after 3 s. */
async function stop(running: { child: ChildProcess; exited: Promise<unknown> }): Promise<void> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return;
  running.child.kill('SIGTERM');
  const timer = setTimeout(() => running.child.kill('SIGKILL'), 3_000);
  await running.exited;
  clearTimeout(timer);
}

async function stopAll(): Promise<void> {
  await Promise.all(
    [...children].map((child) => stop({ child, exited: new Promise((r) => child.once('close', r)) })),
  );
}

/** Runs a command to its end; one that is still running after `timeoutMs` is killed (and the test fails). */
async function run(args: string[], timeoutMs = 20_000): Promise<Finished> {
  const running = start(args);
  const timer = setTimeout(() => running.child.kill('SIGKILL'), timeoutMs);
  try {
    return await running.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Starts `serve` and resolves once it says it is serving; rejects with its output if it exits instead. */
// One process: these tests are about the CLI, not the cluster (serve-workers.test.ts covers --workers).
async function serve(args: string[]): Promise<Running> {
  const running = start(['serve', '--workers', '1', ...args]);
  const deadline = Date.now() + 20_000;
  while (!running.stderr.includes('junction: serving')) {
    if (running.done || Date.now() > deadline) {
      await stop(running);
      throw new Error(`serve did not start:\n${running.stderr}`);
    }
    await sleep(25);
  }
  return running;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- ports -------------------------------------------------------------------------------------------------

/** A port nothing listens on: bound by the OS to a free one, then released. */
// ---- configs -----------------------------------------------------------------------------------------------

let root: string;
let cases = 0;

interface Case {
  dir: string;
  config: string;
  cacheDir: string;
}

/** A fresh directory holding `junction.yaml` with `document`; its schema cache goes to `<dir>/cache`. */
function writeCase(document: Record<string, unknown>): Case {
  const dir = join(root, `case-${++cases}`);
  mkdirSync(dir);
  const config = join(dir, 'junction.yaml');
  writeFileSync(config, stringify({ schemaCache: { dir: './cache' }, ...document }));
  return { dir, config, cacheDir: join(dir, 'cache') };
}

let chinookDb: TestDatabase;
let reviewsDb: TestDatabase;
let liveDb: TestDatabase;

const chinook = () => ({ name: 'chinook', type: 'sqlite', filename: chinookDb.name });
const reviews = () => ({ name: 'reviews', type: 'sqlite', filename: reviewsDb.name });
const reviewToTrack = { from: 'reviews.review.track_id', to: 'chinook.Track.TrackId' };
const reviewToReviewer = { from: 'reviews.review.reviewer_id', to: 'reviews.reviewer.id' };

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'junction-cli-'));
  chinookDb = await createTestDatabase('sqlite');
  await loadChinook('sqlite', chinookDb);
  reviewsDb = await createTestDatabase('sqlite');
  await reviewsDb.exec(`
    create table reviewer (id integer primary key, name text not null);
    create table review (review_id integer primary key, track_id integer not null, track_name text,
      reviewer_id integer, rating integer not null);`);
  liveDb = await createTestDatabase('sqlite');
  await liveDb.exec('create table artist (id integer primary key, name text not null)');
});

afterAll(async () => {
  await stopAll();
  await Promise.all([chinookDb?.drop(), reviewsDb?.drop(), liveDb?.drop()]);
  if (root) rmSync(root, { recursive: true, force: true });
});

// ---- tests -------------------------------------------------------------------------------------------------

/**
 * Runs `serve` on a free port and expects it to fail: exit code 1, each of `messages` on stderr, and no
 * listener on the port afterwards.
 */
async function expectServeFails(
  args: string[],
  messages: (string | RegExp)[],
): Promise<Finished & { port: number }> {
  const port = await freePort();
  const result = await run(['serve', '--port', String(port), ...args]);
  expect(result.signal, result.stderr).toBeNull();
  expect(result.code, result.stderr).toBe(1);
  for (const message of messages) {
    if (typeof message === 'string') expect(result.stderr).toContain(message);
    else expect(result.stderr).toMatch(message);
  }
  expect(result.stderr).not.toContain('junction: serving');
  expect(await accepts(port)).toBe(false);
  return { ...result, port };
}

describe.concurrent('serve refuses bad input and starts nothing', () => {
  it('names an unknown service type and lists the allowed ones', async () => {
    const c = writeCase({ services: [{ ...chinook(), type: 'oracle' }] });
    await expectServeFails(
      ['--config', c.config],
      ['services[0].type: expected one of postgres, mysql, sqlite, mongodb'],
    );
    expect(existsSync(c.cacheDir)).toBe(false);
  });

  it('names a duplicate service name and where it was first used', async () => {
    const c = writeCase({ services: [chinook(), { ...reviews(), name: 'chinook' }] });
    await expectServeFails(
      ['--config', c.config],
      ["services[1].name: duplicate service name 'chinook' (first at services[0])"],
    );
  });

  it('names a virtual key whose service does not exist, with the configured services', async () => {
    const c = writeCase({
      services: [chinook(), reviews()],
      virtualForeignKeys: [{ from: 'reviews.review.track_id', to: 'music.Track.TrackId' }],
    });
    await expectServeFails(
      ['--config', c.config],
      ["virtualForeignKeys[0].to: unknown service 'music' (services: chinook, reviews)"],
    );
  });

  it('names a virtual key whose table does not exist, suggesting the right spelling', async () => {
    const c = writeCase({
      services: [chinook(), reviews()],
      virtualForeignKeys: [{ from: 'reviews.review.track_id', to: 'chinook.track.TrackId' }],
    });
    await expectServeFails(
      ['--config', c.config],
      [
        'junction: 1 problem:',
        "virtualForeignKeys[0].to: table 'track' not found in service 'chinook' (did you mean 'Track'?)",
      ],
    );
    expect(existsSync(c.cacheDir)).toBe(false);
  });

  it('names a virtual key whose field does not exist', async () => {
    const c = writeCase({
      services: [chinook(), reviews()],
      virtualForeignKeys: [{ from: 'reviews.review.song_id', to: 'chinook.Track.TrackId' }],
    });
    await expectServeFails(
      ['--config', c.config],
      ["virtualForeignKeys[0].from: field 'song_id' not found in reviews.review"],
    );
  });

  it('names a virtual key whose two ends have different types', async () => {
    const c = writeCase({
      services: [chinook(), reviews()],
      virtualForeignKeys: [{ from: 'reviews.review.track_name', to: 'chinook.Track.TrackId' }],
    });
    await expectServeFails(
      ['--config', c.config],
      [
        'virtualForeignKeys[0]: type mismatch: reviews.review.track_name is text (text) but chinook.Track.TrackId is id (integer)',
      ],
    );
  });

  it('says how to fix an unreachable PostgreSQL server, without the password', async () => {
    const closed = await freePort();
    const c = writeCase({
      services: [
        chinook(),
        { name: 'pg', type: 'postgres', url: `postgres://junction:pg-s3cret@127.0.0.1:${closed}/chinook` },
      ],
    });
    const result = await expectServeFails(
      ['--config', c.config],
      [
        `Cannot connect to service 'pg' (postgres at 127.0.0.1:${closed}): connection refused.`,
        `Is the PostgreSQL server running and listening on 127.0.0.1:${closed}?`,
      ],
    );
    expect(result.stderr + result.stdout).not.toContain('pg-s3cret');
  });

  it('says how to fix an unreachable MariaDB server, without the password', async () => {
    const closed = await freePort();
    const c = writeCase({
      services: [
        {
          name: 'shop',
          type: 'mysql',
          connection: { host: '127.0.0.1', port: closed, user: 'root', password: 'my-s3cret', database: 'x' },
        },
      ],
    });
    const result = await expectServeFails(
      ['--config', c.config],
      [`Is the MySQL/MariaDB server running and listening on 127.0.0.1:${closed}?`],
    );
    expect(result.stderr + result.stdout).not.toContain('my-s3cret');
  });

  it('reports a schema cache file that is not JSON as corrupt and leaves it alone', async () => {
    const c = writeCase({ services: [chinook()] });
    mkdirSync(c.cacheDir);
    const file = join(c.cacheDir, 'chinook.json');
    writeFileSync(file, '{"format": 1, "service": "chin');
    await expectServeFails(
      ['--config', c.config],
      [`schema cache ${file} is corrupt (not JSON:`, 'delete it or run `junction introspect chinook`'],
    );
    expect(readFileSync(file, 'utf8')).toBe('{"format": 1, "service": "chin');
  });

  it('reports a schema cache file of the wrong shape as corrupt, naming the bad part', async () => {
    const c = writeCase({ services: [chinook()] });
    expect((await run(['introspect', '--config', c.config])).code).toBe(0);
    const file = join(c.cacheDir, 'chinook.json');
    const cache = JSON.parse(readFileSync(file, 'utf8')) as { catalog: { tables: { columns: unknown }[] } };
    cache.catalog.tables[0]!.columns = 'AlbumId, Title';
    writeFileSync(file, JSON.stringify(cache));
    await expectServeFails(
      ['--config', c.config],
      [`schema cache ${file} is corrupt (catalog.tables.0.columns:`, '`junction introspect chinook`'],
    );
  });

  it('refuses a stale schema cache with --frozen-cache and says how to refresh it', async () => {
    const c = writeCase({ services: [chinook()] });
    expect((await run(['introspect', '--config', c.config])).code).toBe(0);
    // The same cache directory, but the service now reads a copy of the file: the cache is stale.
    const moved = join(c.dir, 'moved.sqlite');
    copyFileSync(chinookDb.name, moved);
    const config = join(c.dir, 'moved.yaml');
    writeFileSync(
      config,
      stringify({ schemaCache: { dir: './cache' }, services: [{ ...chinook(), filename: moved }] }),
    );
    const result = await expectServeFails(
      ['--config', config, '--frozen-cache'],
      [
        `service 'chinook': ${join(c.cacheDir, 'chinook.json')} is stale: the service's connection settings changed since it was written`,
        'run `junction introspect chinook` (the schema cache is frozen)',
      ],
    );
    expect(result.stderr).not.toContain('introspecting');
  });

  it('refuses a missing schema cache with --frozen-cache', async () => {
    const c = writeCase({ services: [chinook()] });
    await expectServeFails(
      ['--config', c.config, '--frozen-cache'],
      [
        `service 'chinook': ${join(c.cacheDir, 'chinook.json')} does not exist; run \`junction introspect chinook\``,
      ],
    );
  });

  it('rejects a --port that is not a port number before loading anything', async () => {
    const c = writeCase({ services: [chinook()] });
    const result = await run(['serve', '--config', c.config, '--port', '80a']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('junction: --port: must be a whole number from 0 to 65535');
    expect(result.stderr).not.toContain('introspecting');
  });

  it('says when the port is already taken, without a stack trace', async () => {
    const c = writeCase({ services: [chinook()] });
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const result = await run(['serve', '--config', c.config, '--port', String(port)]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the port is already in use`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });
});

describe('serve with a stale schema cache and no --frozen-cache', () => {
  afterEach(stopAll);

  it('introspects again, warns, serves, and refreshes the cache', async () => {
    const c = writeCase({ services: [chinook()] });
    expect((await run(['introspect', '--config', c.config])).code).toBe(0);
    const file = join(c.cacheDir, 'chinook.json');
    const before = JSON.parse(readFileSync(file, 'utf8')) as { fingerprint: string };
    const moved = join(c.dir, 'moved.sqlite');
    copyFileSync(chinookDb.name, moved);
    const config = join(c.dir, 'moved.yaml');
    writeFileSync(
      config,
      stringify({ schemaCache: { dir: './cache' }, services: [{ ...chinook(), filename: moved }] }),
    );
    const port = await freePort();
    const server = await serve(['--config', config, '--port', String(port)]);
    expect(server.stderr).toContain(
      `warning: service 'chinook': ${file} is stale: the service's connection settings changed since it was written; introspected again`,
    );
    expect(server.stderr).toContain('junction: serving chinook (introspected)');
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    const after = JSON.parse(readFileSync(file, 'utf8')) as { fingerprint: string };
    expect(after.fingerprint).not.toBe(before.fingerprint);
  });
});

describe.concurrent('introspect, print-model, check and --help', () => {
  const goodCase = () =>
    writeCase({ services: [chinook(), reviews()], virtualForeignKeys: [reviewToTrack, reviewToReviewer] });

  it('introspect writes <dir>/<service>.json for every service', async () => {
    const c = goodCase();
    const result = await run(['introspect', '--config', c.config]);
    expect(result.code, result.stderr).toBe(0);
    const files = ['chinook', 'reviews'].map((s) => join(c.cacheDir, `${s}.json`));
    expect(result.stdout.trim().split('\n')).toEqual(files.map((f) => `wrote ${f}`));
    for (const [i, file] of files.entries()) {
      const cache = JSON.parse(readFileSync(file, 'utf8')) as { service: string; catalog: unknown };
      expect(cache.service).toBe(['chinook', 'reviews'][i]);
    }
    expect(result.stderr).toContain('chinook: introspecting sqlite at');
    expect(result.stderr).not.toContain('chinook: chinook:');
  });

  it('introspect given one service reads and writes only that one', async () => {
    const c = goodCase();
    expect((await run(['introspect', '--config', c.config])).code).toBe(0);
    const result = await run(['introspect', 'reviews', '--config', c.config]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(`wrote ${join(c.cacheDir, 'reviews.json')}`);
    expect(result.stderr).toContain('reviews: introspecting');
    expect(result.stderr).not.toContain('chinook: introspecting');
  });

  it('introspect of an unknown service fails, naming the configured services, and writes nothing', async () => {
    const c = goodCase();
    const result = await run(['introspect', 'nosuch', '--config', c.config]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("junction: unknown service 'nosuch' (configured: chinook, reviews)");
    expect(existsSync(c.cacheDir)).toBe(false);
  });

  it('print-model marks virtual relations, and cross-service ones as such', async () => {
    const c = goodCase();
    const result = await run(['print-model', '--config', c.config]);
    expect(result.code, result.stderr).toBe(0);
    const line = (name: string) => result.stdout.split('\n').find((l) => l.trim().startsWith(`${name} `));
    expect(line('reviews.review_by_track_id')).toMatch(
      /has_many +\(TrackId\) → reviews\.review\(track_id\) .*\[virtual, cross-service\]$/,
    );
    expect(line('chinook.Track_by_track_id')).toMatch(
      /belongs_to +\(track_id\) → chinook\.Track\(TrackId\) .*\[virtual, cross-service\]$/,
    );
    expect(line('reviewer_by_reviewer_id')).toMatch(/\[virtual\]$/);
    expect(line('review_by_reviewer_id')).toMatch(/\[virtual\]$/);
    expect(line('Album_by_ArtistId')).not.toContain('[');
    expect(existsSync(c.cacheDir)).toBe(false);
  });

  it('print-model --json prints the model as valid JSON', async () => {
    const c = goodCase();
    const result = await run(['print-model', '--json', '--config', c.config]);
    expect(result.code, result.stderr).toBe(0);
    const model = JSON.parse(result.stdout) as {
      services: { name: string; tables: { name: string; relations: { name: string | null }[] }[] }[];
    };
    expect(model.services.map((s) => s.name)).toEqual(['chinook', 'reviews']);
    const track = model.services[0]?.tables.find((t) => t.name === 'Track');
    expect(track?.relations.map((r) => r.name)).toContain('reviews.review_by_track_id');
  });

  it('print-schema prints the GraphQL SDL, which graphql-js parses into the same schema', async () => {
    const c = goodCase();
    const result = await run(['print-schema', '--config', c.config]);
    expect(result.code, result.stderr).toBe(0);
    const schema = buildSchema(result.stdout);
    expect(printSchema(schema)).toBe(result.stdout.trimEnd());
    expect(Object.keys(schema.getQueryType()?.getFields() ?? {})).toEqual(
      expect.arrayContaining(['chinook', 'reviews']),
    );
    expect(result.stdout).toMatch(/^type Query \{/m);
    expect(existsSync(c.cacheDir)).toBe(false);
  });

  it('print-schema --out writes the SDL to the file and nothing to stdout', async () => {
    const c = goodCase();
    const out = join(c.dir, 'schema.graphql');
    const result = await run(['print-schema', '--out', out, '--config', c.config]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`wrote ${out}`);
    expect(readFileSync(out, 'utf8')).toBe((await run(['print-schema', '--config', c.config])).stdout);
  });

  it('print-model of an unknown service fails, naming the configured services', async () => {
    const c = goodCase();
    const result = await run(['print-model', 'nosuch', '--config', c.config]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("junction: unknown service 'nosuch' (configured: chinook, reviews)");
  });

  it('check exits 0 on a good config and writes nothing', async () => {
    const c = goodCase();
    const result = await run(['check', '--config', c.config]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('valid, 2 services, 2 virtual foreign keys');
    expect(result.stdout).toContain('model: ✓ 13 tables across 2 services');
    expect(result.stdout.trim().split('\n').at(-1)).toBe('check: all good');
    expect(existsSync(c.cacheDir)).toBe(false);
  });

  it('check exits 1 and lists each problem of a bad model', async () => {
    const c = writeCase({
      services: [chinook(), reviews()],
      virtualForeignKeys: [
        { from: 'reviews.review.track_id', to: 'chinook.Trak.TrackId' },
        { from: 'reviews.review.trackid', to: 'chinook.Track.TrackId' },
        { from: 'reviews.review.track_name', to: 'chinook.Track.TrackId' },
      ],
    });
    const result = await run(['check', '--config', c.config]);
    expect(result.code).toBe(1);
    const problems = result.stdout.split('\n').filter((l) => l.trim().startsWith('✗'));
    expect(problems).toEqual([
      "  ✗ virtualForeignKeys[0].to: table 'Trak' not found in service 'chinook'",
      "  ✗ virtualForeignKeys[1].from: field 'trackid' not found in reviews.review (did you mean 'track_id'?)",
      '  ✗ virtualForeignKeys[2]: type mismatch: reviews.review.track_name is text (text) but chinook.Track.TrackId is id (integer)',
    ]);
    expect(result.stdout.trim().split('\n').at(-1)).toBe('check: problems found');
  });

  it('check loads every script module and lists the one that does not load', async () => {
    const c = writeCase({
      services: [chinook()],
      scripts: {
        events: [{ event: 'chinook._table.Album.get.post_process', module: 'good.ts' }],
        services: [{ name: 'broken', module: 'broken.ts' }],
      },
    });
    mkdirSync(join(c.dir, 'scripts'));
    writeFileSync(join(c.dir, 'scripts', 'good.ts'), 'export default (event: unknown) => event;\n');
    writeFileSync(join(c.dir, 'scripts', 'broken.ts'), 'export const notAFunction = 1;\n');
    const result = await run(['check', '--config', c.config]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('  ✓ good.ts');
    expect(result.stdout).toContain('  ✗ script broken.ts: its default export must be a function');
    expect(result.stdout.trim().split('\n').at(-1)).toBe('check: problems found');
  });

  it('check exits 1 and lists an unreachable database next to the reachable one', async () => {
    const closed = await freePort();
    const c = writeCase({
      services: [
        chinook(),
        { name: 'pg', type: 'postgres', url: `postgres://junction:pg-s3cret@127.0.0.1:${closed}/x` },
      ],
    });
    const result = await run(['check', '--config', c.config]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`✓ connected to ${chinookDb.name}`);
    expect(result.stdout).toContain(
      `✗ Cannot connect to service 'pg' (postgres at 127.0.0.1:${closed}): connection refused.`,
    );
    expect(result.stdout + result.stderr).not.toContain('pg-s3cret');
  });

  it.each(COMMANDS)('%s --help exits 0 and shows its usage', async (command) => {
    const result = await run([command, '--help']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Usage: junction ${command} [options]`);
  });
});

describe('a running server reloads its model without a restart', () => {
  const token = 'reload-token-123';
  let port: number;
  let server: Running;
  let c: Case;

  const model = async (at = port) => {
    const response = await fetch(`http://127.0.0.1:${at}/_model`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { version: number; services: { tables: { name: string }[] }[] };
    return { version: body.version, tables: body.services[0]?.tables.map((t) => t.name) };
  };
  const reload = (headers: Record<string, string>, at = port) =>
    fetch(`http://127.0.0.1:${at}/_admin/reload`, { method: 'POST', headers });

  beforeAll(async () => {
    c = writeCase({
      server: { adminToken: token },
      services: [{ name: 'live', type: 'sqlite', filename: liveDb.name }],
    });
    const introspected = await run(['introspect', '--config', c.config]);
    expect(introspected.code, introspected.stderr).toBe(0);
    port = await freePort();
    server = await serve(['--config', c.config, '--port', String(port)]);
  });

  afterAll(async () => {
    if (server) await stop(server);
    expect(await accepts(port)).toBe(false);
  });

  it('starts from the schema cache', async () => {
    expect(server.stderr).toContain(`junction: serving live (from cache) at http://127.0.0.1:${port}`);
    expect(server.stderr).not.toContain('introspecting');
    expect(await model()).toEqual({ version: 1, tables: ['artist'] });
  });

  it('answers 401 to a reload without the admin token or with a wrong one, and keeps the model', async () => {
    await liveDb.exec('create table song (id integer primary key, artist_id integer references artist)');
    const missing = await reload({});
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    const wrong = await reload({ 'X-Junction-Admin-Token': `${token}x` });
    expect(wrong.status).toBe(401);
    expect(await model()).toEqual({ version: 1, tables: ['artist'] });
  });

  it('reloads on POST /_admin/reload with the token: the new table appears as version 2', async () => {
    const response = await reload({ 'X-Junction-Admin-Token': token });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'reloaded', version: 2 });
    expect(await model()).toEqual({ version: 2, tables: ['artist', 'song'] });
  });

  it('reloads on SIGHUP the same way', async () => {
    await liveDb.exec('create table venue (id integer primary key, name text)');
    server.child.kill('SIGHUP');
    const deadline = Date.now() + 10_000;
    while (!server.stderr.includes('junction: model reloaded (version 3)') && Date.now() < deadline) {
      await sleep(25);
    }
    expect(server.stderr).toContain('junction: model reloaded (version 3)');
    expect(await model()).toEqual({ version: 3, tables: ['artist', 'song', 'venue'] });
    expect(server.child.exitCode).toBeNull();
  });

  it('stops on SIGTERM by itself, with exit code 0, and frees its port', async () => {
    server.child.kill('SIGTERM');
    const timeout = sleep(5_000).then(() => 'still running');
    const result = await Promise.race([server.exited, timeout]);
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(await accepts(port)).toBe(false);
  });

  it('has no reload endpoint (404) when no admin token is configured', async () => {
    const plain = writeCase({ services: [{ name: 'live', type: 'sqlite', filename: liveDb.name }] });
    const otherPort = await freePort();
    const other = await serve(['--config', plain.config, '--port', String(otherPort)]);
    try {
      const response = await reload({ 'X-Junction-Admin-Token': token }, otherPort);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
      expect((await model(otherPort)).version).toBe(1);
    } finally {
      await stop(other);
    }
  });
});
