// One load point → autocannon (bench/peers/load, its own process) sending one request (a GraphQL POST or a
// REST GET) to 127.0.0.1 at a fixed concurrency for a fixed time → req/s and latency percentiles.
import { join } from 'node:path';
import { start, tail } from './processes.js';
import type { HttpRequest } from './targets.js';

export interface LoadPoint {
  connections: number;
  seconds: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  /** Non-2xx answers, socket errors and timeouts: a point with any of them is reported as failed. */
  failures: number;
}

interface AutocannonJson {
  duration: number;
  requests: { total: number; average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

export async function runLoad(
  root: string,
  port: number,
  request: HttpRequest,
  connections: number,
  seconds: number,
): Promise<LoadPoint> {
  const cli = join(root, 'bench', 'peers', 'load', 'node_modules', 'autocannon', 'autocannon.js');
  const args = [
    cli,
    ...['-c', String(connections), '-d', String(seconds), '-t', '30', '-n', '-j'],
    ...['-m', request.method],
    ...(request.body === undefined ? [] : ['-H', 'content-type=application/json', '-b', request.body]),
    `http://127.0.0.1:${port}${request.path}`,
  ];
  const child = start(`autocannon c=${connections}`, process.execPath, args, { cwd: root });
  await child.done;
  await child.stop();
  if (child.process.exitCode !== 0) {
    throw new Error(`autocannon failed (exit ${child.process.exitCode}):\n${tail(child.output())}`);
  }
  const result = JSON.parse(child.stdout()) as AutocannonJson;
  return {
    connections,
    seconds: result.duration,
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}
