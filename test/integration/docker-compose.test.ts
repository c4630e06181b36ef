// docker/compose.yml (issue 9, item 5): `docker compose config` (or docker-compose 1.29 where the plugin is
// missing, as on these machines) must accept the file; the resolved stack has PostgreSQL, MariaDB, MongoDB,
// Redis and Junction, each with a health check, Junction waiting for the others to be healthy and checked on
// /ready, and the mounted Junction config validates and points its rate limits and cache at the stack's Redis.
// The image build itself needs a Docker engine, which these machines do not have.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';

const DOCKER = fileURLToPath(new URL('../../docker/', import.meta.url));
const COMPOSE_FILE = `${DOCKER}compose.yml`;

/** `docker compose` when the plugin is there, else docker-compose 1.x; fails (never skips) without either. */
let command: string[] | undefined;
function composeCommand(): string[] {
  command ??= findCompose();
  return command;
}

function findCompose(): string[] {
  const plugin = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  if (plugin.status === 0) return ['docker', 'compose'];
  const v1 = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
  if (v1.status === 0) return ['docker-compose'];
  throw new Error(
    'Neither `docker compose` nor `docker-compose` is installed. Install one: apt-get install -y docker-compose',
  );
}

function compose(args: string[]) {
  const [tool, ...base] = composeCommand();
  // Without the secrets in the environment the file's own ${VAR:-default}s apply, as for a first try-out.
  const env = { ...process.env };
  for (const name of ['POSTGRES_PASSWORD', 'MARIADB_ROOT_PASSWORD', 'MONGO_PASSWORD']) delete env[name];
  return spawnSync(tool!, [...base, '-f', COMPOSE_FILE, ...args], { encoding: 'utf8', env, cwd: DOCKER });
}

interface Service {
  image?: string;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition?: string }>;
  environment?: Record<string, string>;
  volumes?: (string | { source?: string; target?: string })[];
}

describe('docker/compose.yml', () => {
  it('validates with docker compose config', () => {
    const result = compose(['config', '--quiet']);
    expect(result.stderr).not.toMatch(/invalid|error/i);
    expect(result.status, result.stderr).toBe(0);
  });

  // docker-compose 1.x (Python) takes seconds to start: the resolved file is read once.
  let cached: { services: Record<string, Service> } | undefined;
  const resolved = () => {
    if (cached) return cached;
    const result = compose(['config']);
    expect(result.status, result.stderr).toBe(0);
    cached = parse(result.stdout) as { services: Record<string, Service> };
    return cached;
  };

  it('runs PostgreSQL, MariaDB, MongoDB, Redis and Junction, each with a health check', () => {
    const { services } = resolved();
    expect(Object.keys(services).sort()).toEqual(['junction', 'mariadb', 'mongo', 'postgres', 'redis']);
    expect(services.postgres!.image).toMatch(/^postgres:/);
    expect(services.mariadb!.image).toMatch(/^mariadb:/);
    expect(services.mongo!.image).toMatch(/^mongo:/);
    expect(services.redis!.image).toMatch(/^redis:/);
    for (const [name, service] of Object.entries(services)) {
      expect(service.healthcheck?.test, `${name} has no health check`).toBeDefined();
      expect(service.healthcheck?.disable, name).not.toBe(true);
    }
    expect(String(services.junction!.healthcheck!.test)).toMatch(/127\.0\.0\.1:8080\/(ready|health)/);
  });

  it('starts Junction once every database and Redis is healthy, with the mounted config', () => {
    const { junction } = resolved().services;
    expect(junction!.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      mariadb: { condition: 'service_healthy' },
      mongo: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    const mounts = junction!.volumes!.map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`));
    expect(mounts.some((m) => /junction\.compose\.yaml:\/etc\/junction\/junction\.yaml/.test(m))).toBe(true);
  });

  it('mounts a Junction config that validates and keeps rate limits and cached results in Redis', async () => {
    const { junction } = resolved().services;
    const config = await loadConfig(`${DOCKER}junction.compose.yaml`, junction!.environment);
    expect(config.services.map((s) => `${s.name}:${s.type}`)).toEqual([
      'chinook:sqlite',
      'plays:postgres',
      'promos:mysql',
      'comments:mongodb',
    ]);
    expect(config.limits?.rateLimit.redisUrl).toBe('redis://redis:6379');
    expect(config.cache?.store).toBe('redis');
    expect(config.cache?.redisUrl).toBe('redis://redis:6379');
  });
});
