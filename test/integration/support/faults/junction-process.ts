// Junction as an operator runs it, in a child process (`junction serve --config <file> --workers 1`): a crash
// is then a real process exit (an unhandled 'error' event kills it, as it would in production), the load
// generator has its own event loop, and the service settings go through the real config schema.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { freePort, onProcessExit, waitForPort } from './processes.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export interface JunctionProcess {
  pid: number;
  origin: string;
  /** `${origin}/api/v2/${service}/` */
  restBase(service: string): string;
  /** Why the process ended on its own (exit code or signal and the end of its stderr); null while it runs. */
  crashed(): string | null;
  stderr(): string;
  /** Resident set size of the process now, in bytes (from /proc). */
  rss(): number;
  /** SIGTERM (graceful), SIGKILL after 5 s; safe to call twice. */
  stop(): Promise<void>;
}

/** `services` are config-file service entries (`{ name, type, url, pool, timeouts, breaker }`). */
export async function startJunction(services: Record<string, unknown>[]): Promise<JunctionProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'junction-fault-serve-'));
  const config = join(dir, 'junction.yaml');
  writeFileSync(
    config,
    stringify({
      schemaCache: { dir: join(dir, 'cache'), mode: 'off' },
      services,
      // The load comes from one address at hundreds of requests a second.
      limits: { rateLimit: { enabled: false } },
      observability: { logs: { level: 'error' } },
    }),
  );
  const port = await freePort();
  const stderrFile = join(dir, 'stderr.log');
  const stderrFd = openSync(stderrFile, 'a');
  // As bin/junction.js runs it: production mode (vitest's NODE_ENV=test would switch on development checks).
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', NODE_ENV: 'production' };
  delete env.JUNCTION_CONFIG;
  delete env.JUNCTION_LOG_LEVEL;
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/index.ts',
      'serve',
      '--config',
      config,
      '--port',
      String(port),
      '--workers',
      '1',
    ],
    // A file, not a pipe: a busy test process reading a pipe slowly would block the server's synchronous
    // log writes once the pipe is full, and the stall would look like Junction's.
    { cwd: ROOT, env, stdio: ['ignore', 'ignore', stderrFd] },
  );
  closeSync(stderrFd);
  let stopping = false;
  let ended: string | null = null;
  let finalStderr: string | null = null;
  const stderr = () => {
    if (finalStderr !== null) return finalStderr;
    try {
      return readFileSync(stderrFile, 'utf8');
    } catch {
      return '';
    }
  };
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      if (!stopping) ended = `exited with ${signal ?? `code ${code}`}:\n${stderr().slice(-3_000)}`;
      resolve();
    }),
  );
  const removeExitHook = onProcessExit(() => child.kill('SIGKILL'));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      stopping = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    removeExitHook();
    finalStderr = stderr();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([
      waitForPort(port, 60_000),
      exited.then(() => Promise.reject(new Error(`junction serve did not start: ${ended}`))),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  const origin = `http://127.0.0.1:${port}`;
  return {
    pid: child.pid ?? 0,
    origin,
    restBase: (service) => `${origin}/api/v2/${service}/`,
    crashed: () => ended,
    stderr,
    rss: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    },
    stop,
  };
}
