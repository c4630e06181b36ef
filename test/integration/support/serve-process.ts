// `junction serve` as an operator runs it: a child process (`node --import tsx src/cli/index.ts serve …`)
// with a YAML config in a temp directory, its stderr collected, its exit awaited, and its worker processes
// (cluster mode) listed from /proc. Every process started here is killed by stopAllServers().
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { stringify } from 'yaml';
import { expect } from 'vitest';
import { PG_URL } from './databases.js';
import { childPids, freePort } from './faults/processes.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const running = new Set<ChildProcess>();

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Milliseconds since the process was started. */
  at: number;
}

export interface ServeProcess {
  child: ChildProcess;
  port: number;
  url: string;
  readonly stderr: string;
  exited: Promise<Exit>;
  /** Resolves once stderr contains `text`; rejects after `timeoutMs` or when the process exits first. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
}

/** A temp directory with junction.yaml (and its schema cache dir) for `config`. */
export function writeConfig(config: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'junction-serve-'));
  const file = join(dir, 'junction.yaml');
  writeFileSync(file, stringify({ schemaCache: { dir: './cache' }, ...config }));
  return file;
}

/** Whether a new TCP connection to the port is accepted. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function startServe(configFile: string, args: string[], port: number): ServeProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.JUNCTION_CONFIG;
  const started = Date.now();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/index.ts', 'serve', '--config', configFile, '--port', String(port), ...args],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  let stderr = '';
  child.stdout?.resume();
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, at: Date.now() - started });
    });
  });
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    get stderr() {
      return stderr;
    },
    exited,
    async waitFor(text, timeoutMs = 45_000) {
      const deadline = Date.now() + timeoutMs;
      while (!stderr.includes(text)) {
        if (done) throw new Error(`serve exited before printing "${text}":\n${stderr}`);
        if (Date.now() > deadline)
          throw new Error(`serve did not print "${text}" in ${timeoutMs} ms:\n${stderr}`);
        await sleep(25);
      }
    },
  };
}

/** Starts serve and waits for its "serving" line. */
export async function serveUntilReady(configFile: string, args: string[]): Promise<ServeProcess> {
  const server = startServe(configFile, args, await freePort());
  await server.waitFor('junction: serving');
  return server;
}

/** The pids whose parent is `pid` (a cluster primary's workers): one helper for every test. */
export { childPids, freePort };

export async function stopAllServers(): Promise<void> {
  await Promise.all(
    [...running].map(async (child) => {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
    }),
  );
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The slow PostgreSQL function of the shutdown tests: answers 1 after `seconds`. */
export const SLOW_FUNCTION_SQL =
  'create function slow(seconds float8) returns int language sql volatile as $$ select 1 from pg_sleep(seconds) $$';

export interface Answer {
  status: number;
  body: string;
  at: number;
}

/** GET over node:http with the given agent (keep-alive or not); rejects when the connection is cut. */
export function fetchWith(agent: Agent, url: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, at: Date.now() }));
      response.on('error', reject);
    }).on('error', reject);
  });
}

/** Waits until PostgreSQL runs a pg_sleep in `database`, so a signal surely lands mid-request. */
export async function untilSleeping(database: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    while (Date.now() < deadline) {
      const { rows } = await client.query<{ n: string }>(
        "select count(*) as n from pg_stat_activity where datname = $1 and wait_event = 'PgSleep'",
        [database],
      );
      if (Number(rows[0]?.n) > 0) return;
      await sleep(20);
    }
    throw new Error('the slow function never started');
  } finally {
    await client.end();
  }
}

/**
 * SIGTERM while `slow(2)` runs: the answer is 200, new connections are refused before it arrives, and the
 * process exits 0 within `withinMs` of the signal.
 */
export async function expectGracefulStop(
  server: ServeProcess,
  database: string,
  withinMs: number,
): Promise<void> {
  // A kept-alive connection left idle must not hold the stop up until its keep-alive timeout; the slow call
  // goes over another connection (and is kept alive too: its answer must close it).
  const idle = new Agent({ keepAlive: true });
  const agent = new Agent({ keepAlive: true });
  expect((await fetchWith(idle, `${server.url}/health`)).status).toBe(200);
  const slow = fetchWith(agent, `${server.url}/api/v2/app/_func/slow(2)`);
  await untilSleeping(database);
  const signalled = Date.now();
  server.child.kill('SIGTERM');
  let refusedAt: number | null = null;
  while (Date.now() - signalled < 1_500) {
    if (!(await accepts(server.port))) {
      refusedAt = Date.now();
      break;
    }
    await sleep(20);
  }
  const answer = await slow;
  expect(refusedAt, 'new connections were still accepted 1.5 s after SIGTERM').not.toBeNull();
  expect(refusedAt!).toBeLessThan(answer.at);
  expect(answer.status).toBe(200);
  expect(JSON.parse(answer.body)).toBe(1);
  const exit = await Promise.race([server.exited, sleep(10_000).then(() => null)]);
  expect(exit, `still running 10 s after SIGTERM:\n${server.stderr}`).not.toBeNull();
  expect(exit).toMatchObject({ code: 0, signal: null });
  expect(Date.now() - signalled).toBeLessThan(withinMs);
  expect(await accepts(server.port)).toBe(false);
  idle.destroy();
  agent.destroy();
}
