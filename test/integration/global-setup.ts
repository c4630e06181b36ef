// vitest globalSetup for integration tests: both database servers must answer, or the run stops here with
// the commands that start them. Integration tests never skip silently.
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { MYSQL_URL, PG_URL } from './support/databases.js';
import { REDIS_URL } from './support/redis.js';
import { mongoSetupProblem } from './support/mongo.js';

const HOW_TO_START: Record<string, string> = {
  PostgreSQL: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  MariaDB: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd',
  Redis: 'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no',
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

async function checkRedis(): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 3_000, retryStrategy: () => null });
  redis.on('error', () => {}); // the failed connect() reports it
  try {
    await redis.connect();
    await redis.ping();
  } finally {
    redis.disconnect();
  }
}

function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

export default async function setup(): Promise<void> {
  const checks = [
    { server: 'PostgreSQL', url: PG_URL, env: 'PG_URL', check: checkPostgres },
    { server: 'MariaDB', url: MYSQL_URL, env: 'MYSQL_URL', check: checkMysql },
    { server: 'Redis', url: REDIS_URL, env: 'REDIS_URL', check: checkRedis },
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
  // MongoDB: MONGO_URL must answer, or the bridge's Debian packages must be installed (support/mongo.ts).
  const mongoProblem = await mongoSetupProblem();
  if (mongoProblem !== undefined) failures.push(mongoProblem);
  if (failures.length > 0) {
    throw new Error(`Integration tests need their servers.\n${failures.join('\n')}`);
  }
}
