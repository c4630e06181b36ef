// What the scale benches share: `node bin/junction.js serve --workers N` on one PostgreSQL database (rate
// limit off: one load generator is one client), its worker pids and their resident memory read from /proc,
// and autocannon (the project's dev dependency) at a fixed concurrency.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { start, tail, type Child } from '../workload/processes.js';
import type { HttpRequest } from '../workload/targets.js';

export interface Junction {
  child: Child;
  port: number;
  workers: number;
  /** The processes that serve requests: the workers, or the one process when workers = 1. */
  servingPids(): number[];
}

export async function startJunction(
  root: string,
  temp: string,
  url: string,
  port: number,
  workers: number,
  extraYaml = '',
): Promise<Junction> {
  const config = join(temp, `junction-${port}.yaml`);
  writeFileSync(
    config,
    `server: { port: ${port} }\nschemaCache: { mode: off }\nlimits: { rateLimit: { enabled: false } }\n` +
      `services:\n  - name: chinook\n    type: postgres\n    url: ${url}\n${extraYaml}`,
  );
  const child = start(
    `Junction --workers ${workers}`,
    process.execPath,
    ['bin/junction.js', 'serve', '--config', config, '--port', String(port), '--workers', String(workers)],
    { cwd: root, env: { ...process.env, NODE_ENV: 'production' } },
  );
  // The "serving" line comes once every worker listens (a /health answer may come from the first alone).
  const deadline = Date.now() + 120_000;
  while (!child.output().includes('junction: serving')) {
    if (child.exited()) throw new Error(`Junction exited before serving:\n${tail(child.output())}`);
    if (Date.now() > deadline)
      throw new Error(`Junction did not serve within 120 s:\n${tail(child.output())}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pid = child.process.pid!;
  return {
    child,
    port,
    workers,
    servingPids: () => (workers === 1 ? [pid] : childPids(pid)),
  };
}

/** Pids whose parent is `pid`, from /proc/<pid>/stat (field 4; the name in field 2 may contain spaces). */
export function childPids(pid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids.sort((a, b) => a - b);
}

/** Resident set size in MiB (VmRSS of /proc/<pid>/status), or null once the process is gone. */
export function rssMiB(pid: number): number | null {
  try {
    const kib = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? null : Number(kib) / 1024;
  } catch {
    return null;
  }
}

export interface RssSample {
  at: number;
  /** MiB per serving process, by pid. */
  perPid: Map<number, number>;
}

/** Samples every serving process's RSS every `everyMs` until stop() is called. */
export function sampleRss(junction: Junction, everyMs = 250): { stop(): RssSample[] } {
  const samples: RssSample[] = [];
  const take = () => {
    const perPid = new Map<number, number>();
    for (const pid of junction.servingPids()) {
      const mib = rssMiB(pid);
      if (mib !== null) perPid.set(pid, mib);
    }
    samples.push({ at: Date.now(), perPid });
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

/** Peak over the samples of the sum over workers, and of the largest single worker. */
export function rssPeaks(samples: RssSample[]): { sumMiB: number; maxWorkerMiB: number } {
  let sumMiB = 0;
  let maxWorkerMiB = 0;
  for (const { perPid } of samples) {
    const values = [...perPid.values()];
    sumMiB = Math.max(
      sumMiB,
      values.reduce((a, b) => a + b, 0),
    );
    maxWorkerMiB = Math.max(maxWorkerMiB, ...values);
  }
  return { sumMiB, maxWorkerMiB };
}

export interface Point {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  failures: number;
}

/** autocannon (node_modules/autocannon, its own process) for `seconds` at `connections` → one point. */
export async function autocannon(
  root: string,
  port: number,
  request: HttpRequest,
  connections: number,
  seconds: number,
): Promise<Point> {
  const args = [
    join(root, 'node_modules', 'autocannon', 'autocannon.js'),
    ...['-c', String(connections), '-d', String(seconds), '-t', '30', '-n', '-j', '-m', request.method],
    ...(request.body === undefined ? [] : ['-H', 'content-type=application/json', '-b', request.body]),
    `http://127.0.0.1:${port}${request.path}`,
  ];
  const child = start(`autocannon c=${connections}`, process.execPath, args, { cwd: root });
  await child.done;
  await child.stop();
  if (child.process.exitCode !== 0) throw new Error(`autocannon failed:\n${tail(child.output())}`);
  const json = JSON.parse(child.stdout()) as {
    duration: number;
    requests: { total: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
    timeouts: number;
  };
  return {
    rps: json.requests.total / json.duration,
    p50: json.latency.p50,
    p99: json.latency.p99,
    requests: json.requests.total,
    failures: json.non2xx + json.errors + json.timeouts,
  };
}
