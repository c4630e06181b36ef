// MongoDB for integration tests. With MONGO_URL set, tests run against that server (the authority on MongoDB
// semantics; point it at a replica set for transactions). Otherwise each test file starts its own stand-in,
// test/mongo-bridge.py (MockupDB + mongomock, see its header for the gaps), on a free loopback port: the
// bridge's transactions snapshot the whole server, so one bridge serves exactly one test file.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';

export interface MongoServer {
  url: string;
  kind: 'bridge' | 'real';
  /** Whether the server accepts multi-document transactions (a replica set member or mongos). */
  transactions: boolean;
  stop(): Promise<void>;
}

/** Debian's python: the `python3` on PATH may be pyenv's, which does not see Debian's dist-packages. */
const PYTHON = '/usr/bin/python3';
const BRIDGE = fileURLToPath(new URL('../../mongo-bridge.py', import.meta.url));
const INSTALL = 'apt-get install -y python3-mockupdb python3-mongomock';
const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

function mongoUrlFromEnv(): string | undefined {
  return process.env.MONGO_URL || undefined;
}

function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

/** Why the bridge cannot run here (its Debian packages are missing), or undefined when it can. */
function bridgeProblem(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import mockupdb, mongomock'], {
    encoding: 'utf8',
    timeout: 15_000,
  });
  if (probe.status === 0) return undefined;
  const why = (probe.error?.message ?? probe.stderr.trim().split('\n').pop() ?? '').trim();
  return (
    `The MongoDB test server (test/mongo-bridge.py) needs MockupDB and mongomock for ${PYTHON}` +
    `${why ? ` (${why})` : ''}.\n` +
    `  Install them with:  ${INSTALL}\n` +
    `  or point MONGO_URL at a running MongoDB (a replica set for the transaction tests).`
  );
}

/**
 * For test/integration/global-setup.ts: a message saying what is missing, or undefined when MongoDB tests can
 * run (MONGO_URL answers a ping, or the bridge's packages are installed).
 */
export async function mongoSetupProblem(): Promise<string | undefined> {
  const url = mongoUrlFromEnv();
  if (url === undefined) return bridgeProblem();
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 3_000 });
  try {
    await client.db('admin').command({ ping: 1 });
    return undefined;
  } catch (error) {
    return `MongoDB is not reachable at MONGO_URL=${redact(url)} (${(error as Error).message}).`;
  } finally {
    await client.close();
  }
}

/**
 * MONGO_URL set → that server (kind 'real'; `standalone` is ignored, and `transactions` is detected from hello:
 * a setName or msg 'isdbgrid'). Otherwise spawns the bridge on a free port, one per test file (and so per
 * worker), and returns its URL with directConnection=true. Fails, never skips, when neither is available.
 */
export async function startMongo(options: { standalone?: boolean } = {}): Promise<MongoServer> {
  const url = mongoUrlFromEnv();
  if (url !== undefined) {
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000 });
    try {
      const hello = await client.db('admin').command({ hello: 1 });
      const transactions = typeof hello.setName === 'string' || hello.msg === 'isdbgrid';
      return { url, kind: 'real', transactions, stop: async () => {} };
    } finally {
      await client.close();
    }
  }
  const problem = bridgeProblem();
  if (problem !== undefined) throw new Error(problem);
  return spawnBridge(options.standalone ?? false);
}

/**
 * For tests only a real server can settle (isolation, exact server behaviour): true when they must skip. Name
 * such tests "… [real MongoDB only: set MONGO_URL]". Before the server is started (e.g. in `it.skipIf` at
 * collection time) it answers from MONGO_URL.
 */
export function realMongoOnly(server: MongoServer | undefined): boolean {
  return server === undefined ? mongoUrlFromEnv() === undefined : server.kind !== 'real';
}

/** A fresh database name per test file, `<prefix>_<random>`; drop it in afterAll with dropMongoDatabase. */
export function mongoDatabaseName(prefix: string): string {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(prefix))
    throw new Error(`not a usable MongoDB database prefix: ${prefix}`);
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

export async function dropMongoDatabase(url: string, name: string): Promise<void> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000 });
  try {
    await client.db(name).dropDatabase();
  } finally {
    await client.close();
  }
}

// ---- the bridge process ------------------------------------------------------------------------------------

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills bridges a test forgot to stop when the worker exits (the bridge also exits when its parent dies). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function spawnBridge(standalone: boolean): Promise<MongoServer> {
  installExitHook();
  const child = spawn(PYTHON, [BRIDGE, '0', ...(standalone ? ['--standalone'] : [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8_000); // keep the tail for error messages
  });

  const address = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      // Let stderr drain before quoting it.
      setTimeout(() => reject(new Error(`mongo-bridge ${why}.\n--- its stderr ---\n${stderr.trim()}`)), 100);
    };
    const onError = (error: Error): void => fail(`could not start (${error.message}); ${INSTALL}`);
    const onExit = (code: number | null, signal: string | null): void =>
      fail(`exited before READY (code ${code}, signal ${signal})`);
    const onData = (chunk: string): void => {
      stdout += chunk;
      const ready = /^READY (mongodb:\/\/\S+)$/m.exec(stdout);
      if (!ready) return;
      clearTimeout(timer);
      child.off('error', onError).off('exit', onExit);
      child.stdout!.off('data', onData).resume(); // nothing else is expected on stdout: discard it
      resolve(ready[1]!);
    };
    const timer = setTimeout(
      () => fail(`printed no READY line within ${READY_TIMEOUT_MS} ms`),
      READY_TIMEOUT_MS,
    );
    child.once('error', onError).once('exit', onExit);
    child.stdout!.setEncoding('utf8').on('data', onData);
  });

  return {
    url: `${address}/?directConnection=true`,
    kind: 'bridge',
    transactions: !standalone,
    stop: () => stopBridge(child),
  };
}

async function stopBridge(child: ChildProcess): Promise<void> {
  if (exited(child)) return;
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await done;
  clearTimeout(timer);
}
