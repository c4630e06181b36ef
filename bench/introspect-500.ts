// Benchmark (not a test): a generated PostgreSQL schema of 500 tables → timings of introspection, buildModel,
// schema-cache write/read, and `junction serve` start-up from the cache (and, for comparison, without one).
// Run: node --import tsx bench/introspect-500.ts   (npm run bench:introspect). PG_URL picks the server
// (default postgres://postgres@127.0.0.1:5432/postgres); the database junction_bench_500 is dropped and
// recreated, and dropped again at the end. Targets (issue): introspection < 5 s, start from cache < 1 s.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openSource } from '../src/adapters/source.js';
import { loadConfig } from '../src/config/index.js';
import type { JunctionConfig, ServiceConfig } from '../src/config/types.js';
import type { RawCatalog } from '../src/introspect/catalog.js';
import { buildModel } from '../src/model/build-model.js';
import { readCache, writeCache } from '../src/model/snapshot.js';
import { generateSchema } from './generate-schema.js';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const DATABASE = 'junction_bench_500';
const ADMIN_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RUNS = 5;
const TABLES = 500;
const VIEWS = 20;
const SEED = 500;
const INTROSPECTION_TARGET_MS = 5000;
const START_TARGET_MS = 1000;

const log = (message: string) => console.error(`bench: ${message}`);

function databaseUrl(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const dropDatabase = () => admin(`drop database if exists ${DATABASE} with (force)`);

async function createSchema(): Promise<string> {
  const schema = generateSchema({ tables: TABLES, views: VIEWS, seed: SEED });
  await dropDatabase();
  await admin(`create database ${DATABASE}`);
  const client = new pg.Client({ connectionString: databaseUrl(DATABASE) });
  await client.connect();
  const started = performance.now();
  try {
    for (const batch of schema.batches) await client.query(batch);
  } finally {
    await client.end();
  }
  const ms = performance.now() - started;
  return (
    `${schema.tables} tables (${schema.compositePrimaryKeys} with a composite PK, ${schema.junctionTables} of them junction tables), ` +
    `${schema.views} views, ${schema.columns} columns, ${schema.foreignKeys} FKs ` +
    `(${schema.compositeForeignKeys} composite), ${schema.uniqueConstraints} unique, ` +
    `${schema.indexes} indexes, ${schema.comments} comments; DDL in ${schema.batches.length} batches, ` +
    `${fmt(ms)}`
  );
}

interface Figure {
  label: string;
  samples: number[];
  /** Checked against the median of the samples. */
  target?: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

async function time<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

async function repeat(label: string, fn: () => Promise<unknown> | unknown, target?: number): Promise<Figure> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push((await time(fn)).ms);
  log(`${label}: ${samples.map(fmt).join(', ')}`);
  return { label, samples, target };
}

/** RUNS server starts → the spawn → /health figure, and the server's own "ready in" beside it. */
async function serverStarts(
  what: string,
  start: () => Promise<ServerStart>,
  target?: number,
): Promise<Figure[]> {
  const runs: ServerStart[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await start());
  const label = `serve: spawn → /health, ${what}`;
  log(`${label}: ${runs.map((r) => `${fmt(r.ms)} (ready in ${r.ready ?? '?'} ms)`).join(', ')}`);
  const figures: Figure[] = [{ label, samples: runs.map((r) => r.ms), target }];
  const ready = runs.flatMap((r) => (r.ready === null ? [] : [r.ready]));
  if (ready.length > 0) figures.push({ label: `  of which serve's own "ready in"`, samples: ready });
  return figures;
}

/** Newest modification time under a directory (files only). */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

function ensureBuilt(): void {
  const dist = join(ROOT, 'dist');
  if (existsSync(join(dist, 'cli', 'index.js')) && newest(dist) >= newest(join(ROOT, 'src'))) return;
  log('dist/ is missing or older than src/: npm run build');
  const built = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error(`npm run build failed (exit ${built.status})`);
}

function freePort(): Promise<number> {
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

interface ServerStart {
  /** Spawn → first 200 from GET /health. */
  ms: number;
  /** The server's own "ready in N ms" (config + model + listen, after Node has loaded the modules). */
  ready: number | null;
}

/** Spawns `junction serve`, polls GET /health until 200, then stops it (the stop is not timed). */
async function timeServerStart(configPath: string, frozen: boolean): Promise<ServerStart> {
  const port = await freePort();
  // One process: the figure is the start of one server, not of a cluster (bench/workers.ts covers workers).
  const args = ['bin/junction.js', 'serve', '--config', configPath, '--port', String(port), '--workers', '1'];
  if (frozen) args.splice(2, 0, '--frozen-cache');
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      resolve();
    }),
  );
  try {
    for (;;) {
      if (exited !== undefined)
        throw new Error(`junction serve exited (${exited}) before /health:\n${stderr}`);
      if (performance.now() - started > 30_000) throw new Error(`no /health answer within 30 s:\n${stderr}`);
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
        (response) => response.status === 200,
        () => false,
      );
      if (ok) {
        const ms = performance.now() - started;
        await new Promise((resolve) => setTimeout(resolve, 20)); // let the "ready in" line arrive
        const ready = /ready in (\d+) ms/.exec(stderr)?.[1];
        return { ms, ready: ready === undefined ? null : Number(ready) };
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    if (exited === undefined) {
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exit;
      clearTimeout(force);
    }
  }
}

async function measure(service: ServiceConfig, config: JunctionConfig, configPath: string, temp: string) {
  const figures: Figure[] = [];

  // (a) Introspection: one cold (new pool, connect + probe), then warm on the same pool.
  const source = openSource(service);
  let catalog: RawCatalog;
  try {
    const cold = await time(() => source.introspect());
    catalog = cold.value;
    log(`introspection, cold: ${fmt(cold.ms)} (${catalog.tables.length} tables and views)`);
    figures.push({
      label: 'introspection, cold (incl. connect)',
      samples: [cold.ms],
      target: INTROSPECTION_TARGET_MS,
    });
    figures.push(
      await repeat('introspection, warm connection', () => source.introspect(), INTROSPECTION_TARGET_MS),
    );
  } finally {
    await source.close();
  }

  // (b) buildModel on that catalog.
  const catalogs = new Map([[service.name, catalog]]);
  const built = buildModel(config, catalogs);
  const serviceModel = built.model.services[0]!;
  const relations = serviceModel.tables.reduce((n, t) => n + t.relations.length, 0);
  log(
    `model: ${serviceModel.tables.length} tables, ${relations} relations, ${built.warnings.length} warnings`,
  );
  figures.push(await repeat('buildModel', () => buildModel(config, catalogs)));

  // (c) Cache write, and read (JSON.parse + zod validation of the catalog) of the file in a temp dir.
  const scratch = join(temp, 'scratch-cache');
  figures.push(await repeat('cache write', () => writeCache(scratch, service, catalog, serviceModel)));
  figures.push(
    await repeat('cache read + validate', async () => {
      const read = await readCache(scratch, service);
      if (read.status !== 'fresh') throw new Error(`cache read: ${read.status}`);
    }),
  );
  const file = await writeCache(config.schemaCache.dir, service, catalog, serviceModel);
  log(`cache file: ${(statSync(file).size / 1024 / 1024).toFixed(1)} MiB`);

  // (d) `junction serve` from the cache (frozen), and with an empty cache (introspects at start).
  ensureBuilt();
  figures.push(
    ...(await serverStarts('from cache', () => timeServerStart(configPath, true), START_TARGET_MS)),
  );
  const emptyConfigs = Array.from({ length: RUNS }, (_, i) => writeConfig(temp, `empty-${i}`));
  let run = 0;
  figures.push(...(await serverStarts('empty cache', () => timeServerStart(emptyConfigs[run++]!, false))));
  return {
    figures,
    summary: `${catalog.tables.length} tables and views, ${relations} relations in the model`,
  };
}

/** A config for the bench database whose schema cache lives in `<temp>/<cacheName>`. */
function writeConfig(temp: string, cacheName: string): string {
  const path = join(temp, `junction-${cacheName}.yaml`);
  const yaml = [
    `schemaCache:`,
    `  dir: ${cacheName}`,
    `services:`,
    `  - name: bench`,
    `    type: postgres`,
    `    url: ${JSON.stringify(databaseUrl(DATABASE))}`,
    `    schema: public`,
    ``,
  ].join('\n');
  writeFileSync(path, yaml);
  return path;
}

function printTable(figures: Figure[]): boolean {
  const rows = figures.map((f) => {
    const med = median(f.samples);
    const min = Math.min(...f.samples);
    const verdict = f.target === undefined ? '' : med < f.target ? 'PASS' : 'MISS';
    return [
      f.label,
      String(f.samples.length),
      fmt(med),
      fmt(min),
      f.target ? `< ${fmt(f.target)}` : '',
      verdict,
    ];
  });
  const header = ['measurement', 'runs', 'median', 'min', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  return rows.every((r) => r[5] !== 'MISS');
}

async function main(): Promise<void> {
  const wall = performance.now();
  const temp = mkdtempSync(join(tmpdir(), 'junction-bench-'));
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    log('interrupted: dropping the database');
    void dropDatabase().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  try {
    log(`creating ${DATABASE}`);
    log(await createSchema());
    const configPath = writeConfig(temp, 'cache');
    const config = await loadConfig(configPath);
    const service = config.services[0]!;
    const { figures, summary } = await measure(service, config, configPath, temp);
    console.log(`\nJunction introspection benchmark: ${summary}`);
    console.log(`node ${process.version}, PostgreSQL at ${new URL(ADMIN_URL).host}; ${RUNS} runs each.\n`);
    const pass = printTable(figures);
    console.log(`\nTargets checked against the median. Whole run: ${fmt(performance.now() - wall)}.`);
    if (!pass) process.exitCode = 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    if (!interrupted) {
      await dropDatabase().then(
        () => log(`dropped ${DATABASE}`),
        (error: Error) => log(`could not drop ${DATABASE}: ${error.message}`),
      );
    }
    rmSync(temp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error('bench: failed:', error);
  process.exitCode = 1;
});
