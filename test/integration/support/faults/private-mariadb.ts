// A private MariaDB server for fault tests: its own data directory, port and socket, so killing or freezing it
// never disturbs the shared server. Grants are real (no --skip-grant-tables): root with an empty password,
// as mariadb-install-db creates it with normal authentication.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import {
  freePort,
  onProcessExit,
  requireBinary,
  run,
  sleep,
  waitForPort,
  type PrivateServer,
} from './processes.js';

const INSTALL = 'apt-get install -y mariadb-server';

export type PrivateMariadb = PrivateServer;

export async function startPrivateMariadb(): Promise<PrivateMariadb> {
  const installDb = requireBinary('/usr/bin/mariadb-install-db', INSTALL);
  const mariadbd = requireBinary('/usr/sbin/mariadbd', INSTALL);
  const dir = mkdtempSync(join(tmpdir(), 'junction-fault-mariadb-'));
  const data = join(dir, 'data');
  const port = await freePort();
  await run(installDb, [
    '--no-defaults',
    `--datadir=${data}`,
    '--user=root',
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
  ]);
  const args = [
    '--no-defaults',
    `--datadir=${data}`,
    '--user=root',
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${join(dir, 'mysqld.sock')}`,
    `--pid-file=${join(dir, 'mysqld.pid')}`,
    `--log-error=${join(dir, 'error.log')}`,
    '--skip-log-bin',
    '--innodb-buffer-pool-size=64M',
    '--max-connections=300',
  ];

  let child: ChildProcess | null = null;
  let frozen = false;
  const pid = () => child?.pid ?? 0;
  const removeExitHook = onProcessExit(() => {
    if (child && child.exitCode === null) {
      if (frozen) process.kill(pid(), 'SIGCONT');
      process.kill(pid(), 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async () => {
    const proc = spawn(mariadbd, args, { stdio: 'ignore' });
    child = proc;
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code) => {
        let log = '';
        try {
          log = readFileSync(join(dir, 'error.log'), 'utf8').split('\n').slice(-15).join('\n');
        } catch {
          // no log yet
        }
        reject(new Error(`mariadbd exited with code ${code} while starting:\n${log}`));
      }),
    );
    exited.catch(() => undefined); // only awaited during start
    await Promise.race([waitForPort(port, 60_000), exited]);
  };
  const kill = async () => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    if (frozen) process.kill(pid(), 'SIGCONT');
    frozen = false;
    process.kill(pid(), 'SIGKILL');
    await gone;
    // The port is free once the kernel has closed the listening socket.
    await sleep(50);
  };

  await start();
  const url = `mysql://root@127.0.0.1:${port}`;
  // The anonymous account an install may create would shadow root@127.0.0.1 for some clients.
  const conn = await mysql.createConnection({ uri: url, connectTimeout: 5_000 });
  await conn.query("delete from mysql.global_priv where user = ''");
  await conn.query('flush privileges');
  await conn.end();

  let destroyed = false;
  return {
    port,
    url,
    kill,
    start,
    freeze() {
      process.kill(pid(), 'SIGSTOP');
      frozen = true;
    },
    thaw() {
      process.kill(pid(), 'SIGCONT');
      frozen = false;
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await kill();
      rmSync(dir, { recursive: true, force: true });
      removeExitHook();
    },
  };
}
