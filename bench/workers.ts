// Scale-out on one machine (issue 9, item 4): the workload of shared/bench-workload.md against real
// `junction serve --workers 1` and `--workers 2` processes on the same Chinook database in PostgreSQL.
// Per worker count and query: 2 s warm-up, then --duration seconds at c=32 while the RSS of every serving
// process is read from /proc every 250 ms. Prints req/s, p50/p99, the 2-vs-1 ratio and memory (sum over the
// workers and the largest one; target: under 250 MB per worker), and saves bench/results/workers-<time>.{json,md}.
// Run: node --import tsx bench/workers.ts [--duration 10] [--queries a,b,c,d,e] [--workers 1,2]
//      [--connections 32] [--api graphql|rest]
// PG_URL picks the PostgreSQL server. Stops what it started and drops its database at the end, also on failure.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createChinook, databaseUrl, dropDatabase } from './workload/database.js';
import { freePort, stopAll } from './workload/processes.js';
import { QUERIES, restPath, type QueryId } from './workload/queries.js';
import { ensureBuilt, type HttpRequest } from './workload/targets.js';
import { autocannon, rssPeaks, sampleRss, startJunction, type Point } from './scale/junction.js';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const DATABASE = 'junction_bench_workers';
/** Target of the issue: resident memory of one worker under load at c=32. */
const RSS_TARGET_MB = 250;
const log = (message: string) => console.error(`bench: ${message}`);

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    queries: { type: 'string', default: 'a,b,c,d,e' },
    workers: { type: 'string', default: '1,2' },
    connections: { type: 'string', default: '32' },
    api: { type: 'string', default: 'graphql' },
  },
});
const seconds = Number(flags.duration);
const connections = Number(flags.connections);
const counts = flags.workers.split(',').map(Number);
if (!(seconds > 0)) throw new Error('--duration must be a positive number of seconds');
if (counts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--workers: a list like 1,2');
if (flags.api !== 'graphql' && flags.api !== 'rest') throw new Error('--api: graphql or rest');
const queries = QUERIES.filter((q) => flags.queries.split(',').includes(q.id));

const requestOf = (id: QueryId): HttpRequest => {
  const query = QUERIES.find((q) => q.id === id)!;
  return flags.api === 'rest'
    ? { method: 'GET', path: restPath(query) }
    : { method: 'POST', path: '/graphql', body: JSON.stringify(query.junction) };
};

interface Row extends Point {
  query: QueryId;
  workers: number;
  rssSumMiB: number;
  rssMaxWorkerMiB: number;
  load1: number;
}

const MIB_TO_MB = (1024 * 1024) / 1e6;
const mb = (mib: number) => Math.round(mib * MIB_TO_MB);

async function measure(workers: number, url: string, temp: string): Promise<Row[]> {
  const junction = await startJunction(ROOT, temp, url, await freePort(), workers);
  log(`--workers ${workers}: serving pids ${junction.servingPids().join(', ')}`);
  const rows: Row[] = [];
  try {
    for (const query of queries) {
      const request = requestOf(query.id);
      await autocannon(ROOT, junction.port, request, connections, 2);
      const rss = sampleRss(junction);
      const point = await autocannon(ROOT, junction.port, request, connections, seconds);
      const peaks = rssPeaks(rss.stop());
      rows.push({
        ...point,
        query: query.id,
        workers,
        rssSumMiB: peaks.sumMiB,
        rssMaxWorkerMiB: peaks.maxWorkerMiB,
        load1: loadavg()[0]!,
      });
      log(
        `--workers ${workers} ${query.id}: ${Math.round(point.rps)} req/s, p50 ${point.p50} ms, p99 ${point.p99} ms, ` +
          `RSS sum ${mb(peaks.sumMiB)} MB, max worker ${mb(peaks.maxWorkerMiB)} MB, ${point.failures} failures`,
      );
    }
  } finally {
    await junction.child.stop();
  }
  return rows;
}

function tables(rows: Row[]): string {
  const lines = [
    `| query | workers | req/s c=${connections} | p50 ms | p99 ms | failures | RSS sum MB | RSS max worker MB (< ${RSS_TARGET_MB}) |`,
    '| ----- | ------: | ---------: | -----: | -----: | -------: | ---------: | ---------------------- |',
  ];
  for (const r of rows) {
    const verdict = mb(r.rssMaxWorkerMiB) < RSS_TARGET_MB ? 'met' : 'missed';
    lines.push(
      `| ${r.query} | ${r.workers} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.failures} | ${mb(r.rssSumMiB)} | ${mb(r.rssMaxWorkerMiB)} ${verdict} |`,
    );
  }
  const [one, ...more] = counts;
  if (one !== undefined && more.length > 0) {
    lines.push('', `| query | ${more.map((n) => `req/s ${n} ÷ ${one}`).join(' | ')} |`);
    lines.push(`| ----- | ${more.map(() => '---:').join(' | ')} |`);
    for (const query of queries) {
      const base = rows.find((r) => r.query === query.id && r.workers === one);
      const ratios = more.map((n) => {
        const other = rows.find((r) => r.query === query.id && r.workers === n);
        return base && other ? (other.rps / base.rps).toFixed(2) : 'n/a';
      });
      lines.push(`| ${query.id} | ${ratios.join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  ensureBuilt(ROOT);
  const temp = mkdtempSync(join(tmpdir(), 'junction-bench-workers-'));
  const cleanup = async () => {
    await stopAll();
    await dropDatabase(DATABASE).catch(() => {});
    rmSync(temp, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    log(`loading Chinook into ${DATABASE}`);
    await createChinook(ROOT, DATABASE, false);
    const rows: Row[] = [];
    for (const workers of counts) rows.push(...(await measure(workers, databaseUrl(DATABASE), temp)));
    const table = tables(rows);
    const stamp = new Date().toISOString().slice(0, 16).replace(/:/g, '');
    const header =
      `Junction --workers ${counts.join(' vs ')}, ${flags.api}, c=${connections}, ${seconds} s per point, ` +
      `${availableParallelism()} cores, Node ${process.version}, load average at the end ${loadavg()[0]!.toFixed(1)}`;
    console.log(`${header}\n\n${table}`);
    const base = join(ROOT, 'bench', 'results', `workers-${stamp}`);
    writeFileSync(`${base}.md`, `# ${header}\n\n${table}\n`);
    writeFileSync(`${base}.json`, JSON.stringify({ header, connections, seconds, rows }, null, 1) + '\n');
    log(`saved ${base}.{md,json}`);
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
