// vitest globalSetup for integration tests: both database servers must answer, or the run stops here with
// the commands that start them. Integration tests never skip silently.
import mysql from 'mysql2/promise';
import pg from 'pg';
import { MYSQL_URL, PG_URL } from './support/databases.js';

const HOW_TO_START: Record<string, string> = {
  PostgreSQL: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  MariaDB: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd',
};

async function checkPostgres(): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3_000 });
  await client.connect();
  await client.end();
}

async function checkMysql(): Promise<void> {
  const conn = await mysql.createConnection({ uri: MYSQL_URL, connectTimeout: 3_000 });
  await conn.end();
}

function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

export default async function setup(): Promise<void> {
  const checks = [
    { server: 'PostgreSQL', url: PG_URL, env: 'PG_URL', check: checkPostgres },
    { server: 'MariaDB', url: MYSQL_URL, env: 'MYSQL_URL', check: checkMysql },
  ];
  const failures: string[] = [];
  for (const { server, url, env, check } of checks) {
    try {
      await check();
    } catch (error) {
      failures.push(
        `${server} is not reachable at ${redact(url)} (${(error as Error).message}).\n` +
          `  Start it with:  ${HOW_TO_START[server]}\n` +
          `  or point ${env} at a running server.`,
      );
    }
  }
  if (failures.length > 0) {
    throw new Error(`Integration tests need both database servers.\n${failures.join('\n')}`);
  }
}
