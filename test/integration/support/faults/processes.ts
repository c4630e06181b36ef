// Process plumbing for the private database instances of the fault tests: required binaries (a clear error
// naming the package, never a skip), free ports, signals to a process and its children, and a last-resort
// cleanup when the test process exits without reaching afterAll.
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** A private database instance (PostgreSQL cluster or MariaDB server) and what it can do to itself. */
export interface PrivateServer {
  port: number;
  /** Server URL without a database of ours (user root/postgres, no password). */
  url: string;
  /** A crash as clients see it (`pg_ctl -m immediate`, `kill -9 mariadbd`). */
  kill(): Promise<void>;
  /** Starts it again; resolves when it accepts connections (crash recovery included). */
  start(): Promise<void>;
  /** SIGSTOP / SIGCONT (to the postmaster and its children): connections stay open but nothing answers. */
  freeze(): void;
  thaw(): void;
  /** Stops it and removes its directory; safe to call twice. */
  destroy(): Promise<void>;
}

/** `path` must be an executable file; otherwise the error says which package installs it. */
export function requireBinary(path: string, install: string): string {
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    throw new Error(`Fault tests need ${path}, which is missing. Install it with: ${install}`);
  }
}

/** Runs a command to completion; the error carries its stderr (initdb and pg_ctl explain themselves there). */
export async function run(file: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync(file, args, { maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** A TCP port nothing listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Resolves once 127.0.0.1:`port` accepts TCP connections; rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing accepts connections on 127.0.0.1:${port}`);
    await sleep(20);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Direct children of `pid` (PostgreSQL backends and auxiliary processes of a postmaster). */
export function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

/** Sends `signal` to `pid` and its direct children; processes that are already gone are skipped. */
export function signalTree(pid: number, signal: NodeJS.Signals): void {
  // The parent first on STOP (no new children appear while we list them), last on CONT.
  const order = signal === 'SIGCONT' ? [...childPids(pid), pid] : [pid, ...childPids(pid)];
  for (const target of order) {
    try {
      process.kill(target, signal);
    } catch {
      // exited in between
    }
  }
}

const exitHooks = new Set<() => void>();
let installed = false;

/**
 * Runs `hook` (synchronously) if the process exits before the returned remover is called: a failing or
 * aborted test must not leave a private database running (or frozen) behind.
 */
export function onProcessExit(hook: () => void): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', () => {
      for (const h of exitHooks) {
        try {
          h();
        } catch {
          // best effort on the way out
        }
      }
    });
  }
  exitHooks.add(hook);
  return () => exitHooks.delete(hook);
}
