// A private PostgreSQL cluster for fault tests: its own data directory, port and socket, so killing or
// freezing it never disturbs the shared server other tests use. Tests run as root in CI and PostgreSQL
// refuses to run as root, so every server command runs as the `postgres` user.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  freePort,
  onProcessExit,
  requireBinary,
  run,
  signalTree,
  waitForPort,
  type PrivateServer,
} from './processes.js';

const INSTALL = 'apt-get install -y postgresql (Debian: postgresql-15 provides initdb and pg_ctl)';

export interface PrivatePostgres extends PrivateServer {
  /** pg_terminate_backend for every backend with this application_name. */
  terminateBackends(applicationName: string): Promise<number>;
}

function binDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const found = versions.find((v) => existsSync(join(base, v, 'bin', 'initdb')));
  if (!found)
    throw new Error(
      `Fault tests need initdb under ${base}/<version>/bin, which is missing. Install it with: ${INSTALL}`,
    );
  return join(base, found, 'bin');
}

/** Runs a server command as `postgres` when we are root (CI), else as ourselves. */
function asPostgres(file: string, args: string[]): [string, string[]] {
  if (userInfo().uid !== 0) return [file, args];
  return [
    requireBinary('/usr/sbin/runuser', 'apt-get install -y util-linux'),
    ['-u', 'postgres', '--', file, ...args],
  ];
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const initdb = requireBinary(join(bin, 'initdb'), INSTALL);
  const pgCtl = requireBinary(join(bin, 'pg_ctl'), INSTALL);
  const dir = mkdtempSync(join(tmpdir(), 'junction-fault-pg-'));
  if (userInfo().uid === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  const ctl = (...args: string[]) => run(...asPostgres(pgCtl, ['-D', data, ...args]));
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`;

  let running = false;
  let frozen = false;
  const postmasterPid = () => Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const removeExitHook = onProcessExit(() => {
    if (frozen) signalTree(postmasterPid(), 'SIGCONT');
    if (running)
      execFileSync(...asPostgres(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']), { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });

  await run(
    ...asPostgres(initdb, [
      '-D',
      data,
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
      '--no-sync',
    ]),
  );
  const start = async () => {
    await ctl('-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start');
    running = true;
    await waitForPort(port, 30_000);
  };
  await start();

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let destroyed = false;
  const thaw = () => {
    signalTree(postmasterPid(), 'SIGCONT');
    frozen = false;
  };
  return {
    port,
    url,
    async kill() {
      if (frozen) thaw();
      await ctl('-m', 'immediate', '-w', 'stop');
      running = false;
    },
    start,
    freeze() {
      signalTree(postmasterPid(), 'SIGSTOP');
      frozen = true;
    },
    thaw,
    async terminateBackends(applicationName) {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
      await client.connect();
      try {
        const result = await client.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()',
          [applicationName],
        );
        return result.rowCount ?? 0;
      } finally {
        await client.end();
      }
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      if (frozen) thaw();
      if (running) await ctl('-m', 'immediate', '-w', 'stop').catch(() => undefined);
      running = false;
      rmSync(dir, { recursive: true, force: true });
      removeExitHook();
    },
  };
}
