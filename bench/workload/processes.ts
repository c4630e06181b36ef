// Child processes of the bench: spawned, remembered, and stopped again (SIGTERM, then SIGKILL) — each one
// by its own pid, also when the bench fails or is interrupted.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createServer } from 'node:net';

export interface Child {
  process: ChildProcess;
  name: string;
  /** Everything the child wrote to stdout and stderr (last 20,000 characters). */
  output(): string;
  /** Everything the child wrote to stdout. */
  stdout(): string;
  /** Resolves when the child has exited. */
  done: Promise<void>;
  exited(): boolean;
  stop(): Promise<void>;
}

const running = new Set<Child>();

export function start(name: string, command: string, args: string[], options: SpawnOptions): Child {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let stdout = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    keep(chunk);
  });
  child.stderr?.on('data', keep);
  let done = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      done = true;
      resolve();
    });
    child.once('error', (error) => {
      keep(Buffer.from(`spawn failed: ${error.message}\n`));
      done = true;
      resolve();
    });
  });
  const handle: Child = {
    process: child,
    name,
    output: () => output,
    stdout: () => stdout,
    done: exit,
    exited: () => done,
    stop: async () => {
      running.delete(handle);
      if (done) return;
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(force);
    },
  };
  running.add(handle);
  return handle;
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}

/** Waits until the child answers HTTP on 127.0.0.1:port (any status), or throws with its output. */
export async function waitForHttp(
  child: Child,
  port: number,
  path: string,
  timeoutMs = 90_000,
): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (child.exited()) throw new Error(`${child.name} exited before answering:\n${tail(child.output())}`);
    if (Date.now() - started > timeoutMs) {
      throw new Error(`${child.name} did not answer within ${timeoutMs / 1000} s:\n${tail(child.output())}`);
    }
    const ok = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) }).then(
      (response) => response.arrayBuffer().then(() => true),
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
