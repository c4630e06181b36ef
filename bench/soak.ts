// R8 soak (security.md §4.4): `junction serve` on Chinook in PostgreSQL under a fixed rate of mixed requests
// for a long time — 80 % reads (the five workload queries, GraphQL and REST in turn), 20 % REST inserts into a
// table of its own — then checks the goals: 0 errors, RSS growth < 10 % and p99 drift < 20 % between the
// first and the last minute (windows of a quarter of the run when it is shorter than 4 minutes), and that
// every acknowledged insert is in the table. Open loop: requests leave on schedule whether or not earlier ones
// have been answered, so a slowing server shows up as latency, not as a lower rate.
// Run: node --import tsx bench/soak.ts [--duration 600] [--rate 200] [--workers 1] [--warmup 15]
// Exit code 1 when a goal is missed or the bench fails. Saves bench/results/soak-<time>.{json,md}.
import { Agent, request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createChinook, databaseUrl, dropDatabase } from './workload/database.js';
import { freePort, stopAll } from './workload/processes.js';
import { QUERIES, restPath } from './workload/queries.js';
import { ensureBuilt, type HttpRequest } from './workload/targets.js';
import { rssMiB, startJunction, type Junction } from './scale/junction.js';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const DATABASE = 'junction_bench_soak';
const GOALS = { errors: 0, rssGrowthPct: 10, p99DriftPct: 20 };
const log = (message: string) => console.error(`soak: ${message}`);

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '600' },
    rate: { type: 'string', default: '200' },
    workers: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '15' },
  },
});
const seconds = Number(flags.duration);
const rate = Number(flags.rate);
const workers = Number(flags.workers);
const warmup = Number(flags.warmup);
if (!(seconds >= 8)) throw new Error('--duration: at least 8 seconds');
if (!(rate > 0)) throw new Error('--rate: requests per second, > 0');
if (!Number.isInteger(workers) || workers < 1) throw new Error('--workers: a whole number ≥ 1');
if (!(warmup >= 0)) throw new Error('--warmup: seconds ≥ 0');
const windowSeconds = seconds >= 240 ? 60 : seconds / 4;

interface Outcome {
  /** Seconds since the measured part began. */
  at: number;
  ms: number;
  /** HTTP status, or 0 for a socket error or timeout. */
  status: number;
  write: boolean;
  /** The insert's request id (writes only). */
  requestId?: string;
  error?: string;
}

/** Request n of the mix: every 5th an insert carrying its own request id, the others the workload reads. */
function requestFor(n: number, runId: string): HttpRequest & { write: boolean; requestId?: string } {
  if (n % 5 === 4) {
    const requestId = `${runId}-${n}`;
    return {
      method: 'POST',
      path: '/api/v2/chinook/_table/soak_note',
      body: JSON.stringify({ resource: [{ request_id: requestId, body: `soak note ${n}` }] }),
      write: true,
      requestId,
    };
  }
  const read = n - Math.floor(n / 5);
  const query = QUERIES[read % QUERIES.length]!;
  return Math.floor(read / QUERIES.length) % 2 === 0
    ? { method: 'POST', path: '/graphql', body: JSON.stringify(query.junction), write: false }
    : { method: 'GET', path: restPath(query), write: false };
}

function send(agent: Agent, port: number, request: HttpRequest): Promise<{ status: number; error?: string }> {
  return new Promise((resolve) => {
    const req = httpRequest(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: request.method,
        path: request.path,
        headers: request.body === undefined ? {} : { 'content-type': 'application/json' },
        timeout: 30_000,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        let body = '';
        response.setEncoding('utf8');
        // A failed answer's code and message tell why (kept short); a good one is only counted.
        response.on('data', (chunk: string) => {
          if ((status < 200 || status >= 300) && body.length < 300) body += chunk;
        });
        response.on('end', () => resolve(body ? { status, error: body.slice(0, 300) } : { status }));
        response.on('error', (error) => resolve({ status: 0, error: error.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out after 30 s')));
    req.on('error', (error) => resolve({ status: 0, error: error.message }));
    req.end(request.body);
  });
}

/** Sends `rate` requests per second for `durationS` seconds on schedule; records each one when `record`. */
async function drive(
  agent: Agent,
  port: number,
  durationS: number,
  runId: string,
  counter: { n: number },
  outcomes: Outcome[] | null,
): Promise<void> {
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  for (;;) {
    const elapsed = (performance.now() - started) / 1000;
    if (elapsed >= durationS) break;
    const due = Math.floor(elapsed * rate) + 1;
    for (; sent < due; sent++) {
      const n = counter.n++;
      const request = requestFor(n, runId);
      const leftAt = performance.now();
      const done = send(agent, port, request).then(({ status, error }) => {
        outcomes?.push({
          at: (leftAt - started) / 1000,
          ms: performance.now() - leftAt,
          status,
          write: request.write,
          ...(request.requestId !== undefined && { requestId: request.requestId }),
          ...(error && { error }),
        });
      });
      inFlight.add(done);
      void done.then(() => inFlight.delete(done));
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await Promise.all(inFlight);
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const pct = (from: number, to: number) => ((to - from) / from) * 100;

async function main(): Promise<void> {
  ensureBuilt(ROOT);
  const temp = mkdtempSync(join(tmpdir(), 'junction-bench-soak-'));
  const cleanup = async () => {
    await stopAll();
    await dropDatabase(DATABASE).catch(() => {});
    rmSync(temp, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  let junction: Junction | undefined;
  try {
    log(`loading Chinook into ${DATABASE}`);
    await createChinook(ROOT, DATABASE, false);
    const url = databaseUrl(DATABASE);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    await db.query(
      'create table soak_note (id bigserial primary key, request_id text not null unique, body text)',
    );
    junction = await startJunction(ROOT, temp, url, await freePort(), workers);
    const pids = junction.servingPids();
    log(
      `--workers ${workers} (pids ${pids.join(', ')}), ${rate} req/s for ${seconds} s after ${warmup} s warm-up`,
    );

    const agent = new Agent({ keepAlive: true, maxSockets: 256 });
    const runId = Date.now().toString(36);
    const counter = { n: 0 };
    if (warmup > 0) await drive(agent, junction.port, warmup, runId, counter, null);

    const rss: { at: number; perPid: number[] }[] = [];
    const started = Date.now();
    const sampler = setInterval(() => {
      rss.push({ at: (Date.now() - started) / 1000, perPid: pids.map((pid) => rssMiB(pid) ?? NaN) });
    }, 1000);
    const outcomes: Outcome[] = [];
    await drive(agent, junction.port, seconds, runId, counter, outcomes);
    clearInterval(sampler);
    agent.destroy();

    // Every acknowledged insert must be in the table (and none twice: request_id is unique).
    const ids = outcomes.filter((o) => o.write && o.status >= 200 && o.status < 300).map((o) => o.requestId!);
    const acknowledged = ids.length;
    const { rows } = await db.query<{ n: string }>(
      'select count(*) as n from soak_note where request_id = any($1)',
      [ids],
    );
    await db.end();
    const stored = Number(rows[0]!.n);

    const first = outcomes.filter((o) => o.at < windowSeconds);
    const last = outcomes.filter((o) => o.at >= seconds - windowSeconds);
    const failures = outcomes.filter((o) => o.status < 200 || o.status >= 300);
    const sumAt = (s: { perPid: number[] }) => s.perPid.reduce((a, b) => a + b, 0);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const rssFirst = mean(rss.filter((s) => s.at < windowSeconds).map(sumAt));
    const rssLast = mean(rss.filter((s) => s.at >= seconds - windowSeconds).map(sumAt));
    const rssMaxWorker = Math.max(...rss.flatMap((s) => s.perPid));
    const p99First = percentile(
      first.map((o) => o.ms),
      99,
    );
    const p99Last = percentile(
      last.map((o) => o.ms),
      99,
    );
    const result = {
      workers,
      rate,
      seconds,
      windowSeconds,
      requests: outcomes.length,
      achievedRate: outcomes.length / seconds,
      errors: failures.length,
      errorKinds: countBy(
        failures.map((o) => (o.status === 0 ? (o.error ?? 'socket error') : `HTTP ${o.status}`)),
      ),
      errorSamples: [...new Map(failures.map((o) => [o.status, o.error ?? ''])).entries()],
      writesAcknowledged: acknowledged,
      writesStored: stored,
      p50: percentile(
        outcomes.map((o) => o.ms),
        50,
      ),
      p99: percentile(
        outcomes.map((o) => o.ms),
        99,
      ),
      p99First,
      p99Last,
      p99DriftPct: pct(p99First, p99Last),
      rssFirstMiB: rssFirst,
      rssLastMiB: rssLast,
      rssGrowthPct: pct(rssFirst, rssLast),
      rssMaxWorkerMiB: rssMaxWorker,
      load1: loadavg()[0]!,
    };
    const verdicts = [
      [`errors ${result.errors} (goal ${GOALS.errors})`, result.errors <= GOALS.errors],
      [
        `RSS ${result.rssFirstMiB.toFixed(0)} → ${result.rssLastMiB.toFixed(0)} MiB, growth ${result.rssGrowthPct.toFixed(1)} % (goal < ${GOALS.rssGrowthPct} %)`,
        result.rssGrowthPct < GOALS.rssGrowthPct,
      ],
      [
        `p99 ${result.p99First.toFixed(1)} → ${result.p99Last.toFixed(1)} ms, drift ${result.p99DriftPct.toFixed(1)} % (goal < ${GOALS.p99DriftPct} %)`,
        result.p99DriftPct < GOALS.p99DriftPct,
      ],
      [`acknowledged inserts ${acknowledged}, in the table ${stored} (goal: equal)`, acknowledged === stored],
    ] as const;
    const window = windowSeconds === 60 ? 'minute' : `${windowSeconds.toFixed(1)} s`;
    const text = [
      `R8 soak: Junction --workers ${workers}, ${rate} req/s (80 % reads, 20 % inserts) for ${seconds} s, ` +
        `first/last ${window} compared; ${availableParallelism()} cores, Node ${process.version}, load ${result.load1.toFixed(1)}`,
      `${result.requests} requests (${result.achievedRate.toFixed(1)} req/s), p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, ` +
        `largest worker RSS ${result.rssMaxWorkerMiB.toFixed(0)} MiB`,
      ...verdicts.map(([what, ok]) => `- ${ok ? 'met' : 'MISSED'}: ${what}`),
      ...(result.errors > 0
        ? [
            `errors: ${JSON.stringify(result.errorKinds)}`,
            ...result.errorSamples.map(([s, e]) => `  ${s}: ${e}`),
          ]
        : []),
    ].join('\n');
    console.log(text);
    const stamp = new Date().toISOString().slice(0, 16).replace(/:/g, '');
    const base = join(ROOT, 'bench', 'results', `soak-${stamp}`);
    writeFileSync(`${base}.md`, `# ${text.replace('\n', '\n\n')}\n`);
    writeFileSync(`${base}.json`, JSON.stringify({ ...result, goals: GOALS, rss }, null, 1) + '\n');
    log(`saved ${base}.{md,json}`);
    if (verdicts.some(([, ok]) => !ok)) process.exitCode = 1;
  } finally {
    await cleanup();
  }
}

function countBy(keys: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
