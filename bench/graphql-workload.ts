// The GraphQL workload of shared/bench-workload.md: Junction against PostGraphile v4, PostGraphile v5 and a
// hand-written baseline, over Chinook in PostgreSQL, one target at a time on 127.0.0.1; and Junction's
// DreamFactory REST API (target junction-rest) asked the same five queries, against Junction's GraphQL.
// Run: node --import tsx bench/graphql-workload.ts [--duration 10] [--x10]
//      [--targets baseline,junction,junction-rest,v4,v5] [--queries a,b,c,d,e] [--junction <dir>]
// --targets picks by the end of the name, lower case, spaces as dashes (junction, junction-rest or rest, v4 …).
// --junction builds and runs another Junction checkout (e.g. a clean export of HEAD while src/ is being
// edited). PG_URL picks the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres).
// Per target: start it with its pool behind a counting proxy → check every answer against the reference (the
// first target's, the baseline's when it runs) and count SQL statements → restart it straight on PostgreSQL →
// per query: warm-up, c=1 and c=32 for --duration seconds. Prints and saves the tables (bench/results/);
// stops what it started and drops its databases at the end, also on failure or Ctrl-C.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { CountProxy } from './workload/count-proxy.js';
import { ADMIN_URL, createChinook, databaseUrl, dropDatabase } from './workload/database.js';
import { runLoad } from './workload/load.js';
import { freePort, stopAll, waitForHttp } from './workload/processes.js';
import { QUERIES, type QueryId } from './workload/queries.js';
import { markdown, save, type DatasetResult, type RunResult, type TargetResult } from './workload/report.js';
import { ensureInstalled, targets, type Target } from './workload/targets.js';
import { COUNT_REQUESTS, countStatements, MismatchError, verify, type Reference } from './workload/verify.js';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const log = (message: string) => console.error(`bench: ${message}`);
const METHOD =
  `counted on the wire by a PostgreSQL protocol proxy (Query and Execute messages; transaction control and ` +
  `settings shown apart) over ${COUNT_REQUESTS} sequential requests, in a separate start of each target; ` +
  `Junction's figure (GraphQL and REST) is its x-junction-sql-statements header (checked against the wire count).`;

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    x10: { type: 'boolean', default: false },
    targets: { type: 'string' },
    queries: { type: 'string' },
    junction: { type: 'string' },
  },
});
const seconds = Number(flags.duration);
if (!(seconds > 0)) throw new Error('--duration must be a positive number of seconds');
const wanted = flags.targets?.split(',').map((t) => t.trim().toLowerCase().replace(/ /g, '-'));
const queries = QUERIES.filter((q) => !flags.queries || flags.queries.split(',').includes(q.id));
const datasets = [
  { label: '×1', database: 'junction_bench_chinook', x10: false },
  ...(flags.x10 ? [{ label: '×10', database: 'junction_bench_chinook_x10', x10: true }] : []),
];

async function measureTarget(
  target: Target,
  database: string,
  proxy: CountProxy,
  references: Map<QueryId, Reference>,
  temp: string,
): Promise<TargetResult> {
  const result: TargetResult = { target: target.name, queries: {} };
  // 1. Behind the counting proxy: same data as the reference, and statements per request.
  let port = await freePort();
  let child = target.start(databaseUrl(database, proxy.port), port, temp);
  try {
    await waitForHttp(child, port, target.readyPath);
    for (const query of queries) await verify(target, query, port, references, log);
    for (const query of queries) {
      const statements = await countStatements(target, query, port, proxy);
      result.queries[query.id] = { statements };
      log(`${target.name} ${query.id}: ${statements.header ?? statements.wire} statements/request`);
    }
  } finally {
    await child.stop();
  }
  // 2. Straight on PostgreSQL: the load points.
  port = await freePort();
  child = target.start(databaseUrl(database), port, temp);
  try {
    await waitForHttp(child, port, target.readyPath);
    const before = loadavg()[0]!;
    for (const query of queries) {
      const r = result.queries[query.id]!;
      try {
        const request = target.request(query);
        await runLoad(ROOT, port, request, 32, Math.min(2, seconds)); // warm-up
        r.c1 = await runLoad(ROOT, port, request, 1, seconds);
        r.c32 = await runLoad(ROOT, port, request, 32, seconds);
        await verify(target, query, port, references, log); // still the same answer after the load
        log(
          `${target.name} ${query.id}: ${r.c1.rps.toFixed(0)} req/s c=1, ${r.c32.rps.toFixed(0)} req/s c=32`,
        );
      } catch (error) {
        r.error = (error as Error).message;
        log(`${target.name} ${query.id}: ${r.error}`);
      }
    }
    result.loadAverage = [before, loadavg()[0]!];
  } finally {
    await child.stop();
  }
  return result;
}

async function runDataset(
  all: Target[],
  notRun: Map<string, string>,
  dataset: (typeof datasets)[number],
  temp: string,
): Promise<DatasetResult> {
  log(`creating ${dataset.database} (Chinook ${dataset.label})`);
  const tracks = await createChinook(ROOT, dataset.database, dataset.x10);
  const upstream = new URL(ADMIN_URL);
  const proxy = new CountProxy(upstream.hostname, Number(upstream.port || 5432));
  await proxy.listen();
  const references = new Map<QueryId, Reference>();
  const result: DatasetResult = { dataset: dataset.label, database: dataset.database, tracks, targets: [] };
  try {
    for (const target of all) {
      const reason = notRun.get(target.name);
      if (reason) {
        result.targets.push({ target: target.name, notRun: reason, queries: {} });
        continue;
      }
      log(`${target.name} on Chinook ${dataset.label}`);
      try {
        result.targets.push(await measureTarget(target, dataset.database, proxy, references, temp));
      } catch (error) {
        const message = (error as Error).message;
        const why = error instanceof MismatchError ? `data mismatch — ${message}` : message;
        log(`${target.name} not run: ${why}`);
        result.targets.push({ target: target.name, notRun: why, queries: {} });
      }
    }
  } finally {
    await proxy.close();
    await dropDatabase(dataset.database);
    log(`dropped ${dataset.database}`);
  }
  return result;
}

async function postgresVersion(): Promise<string> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>("select split_part(version(), ' on ', 1) as v");
    return rows[0]!.v;
  } finally {
    await client.end();
  }
}

async function cleanUp(): Promise<void> {
  await stopAll();
  for (const dataset of datasets) await dropDatabase(dataset.database).catch(() => {});
}

async function main(): Promise<void> {
  const temp = mkdtempSync(join(tmpdir(), 'junction-workload-'));
  const onSignal = () => {
    log('interrupted: stopping servers, dropping databases');
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    ensureInstalled(join(ROOT, 'bench', 'peers', 'load'));
    const all = targets(ROOT, flags.junction ? resolve(flags.junction) : ROOT).filter(
      (t) => !wanted || wanted.some((w) => t.name.toLowerCase().replace(/ /g, '-').endsWith(w)),
    );
    const notRun = new Map<string, string>();
    for (const target of all) {
      try {
        target.prepare();
      } catch (error) {
        notRun.set(target.name, (error as Error).message);
        log(`${target.name} not run: ${(error as Error).message}`);
      }
    }
    const run: RunResult = {
      date: new Date().toISOString().slice(0, 10),
      machine: { cores: availableParallelism(), node: process.version, postgres: await postgresVersion() },
      secondsPerPoint: seconds,
      queries: queries.map((q) => q.id),
      statementsMethod: METHOD,
      datasets: [],
    };
    for (const dataset of datasets) run.datasets.push(await runDataset(all, notRun, dataset, temp));
    const stamp = new Date().toISOString().slice(0, 16).replace(':', '');
    console.log(`\n${markdown(run)}`);
    log(`saved ${save(ROOT, run, stamp)}.{json,md}`);
  } finally {
    process.removeListener('SIGINT', onSignal).removeListener('SIGTERM', onSignal);
    await cleanUp();
    rmSync(temp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error('bench: failed:', error);
  process.exitCode = 1;
});
