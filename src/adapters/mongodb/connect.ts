// ServiceConfig (type mongodb) → a MongoClient that connects on first use, the database it reads, and where
// it points (without the password) for messages and logs.
import { MongoClient } from 'mongodb';
import { resilienceOf } from '../../config/resilience-schema.js';
import type { ServiceConfig } from '../../config/types.js';
import { ApiError } from '../../errors/index.js';
import type { ConnectionTarget } from '../sql/target.js';

export function mongoUrl(service: ServiceConfig): string {
  const c = service.connection;
  if (c.kind === 'url') return c.url;
  if (c.kind === 'fields') {
    const auth =
      c.user !== null ? `${encodeURIComponent(c.user)}:${encodeURIComponent(c.password ?? '')}@` : '';
    return `mongodb://${auth}${c.host}:${c.port ?? 27017}/`;
  }
  throw new ApiError('CONFIG_INVALID', `service '${service.name}': MongoDB needs a url or connection fields`);
}

export function createMongoClient(service: ServiceConfig): MongoClient {
  const { pool, timeouts } = resilienceOf(service);
  return new MongoClient(mongoUrl(service), {
    // Bounded so an unreachable server fails a request in seconds, not the driver's default 30 s.
    serverSelectionTimeoutMS: timeouts.connectMs,
    connectTimeoutMS: timeouts.connectMs,
    maxPoolSize: pool.max,
    waitQueueTimeoutMS: pool.acquireTimeoutMs,
    appName: 'junction',
  });
}

/** The database: the service's `database`, else the URL's path, else an error naming both. */
export function mongoDatabase(service: ServiceConfig): string {
  if (service.database) return service.database;
  const c = service.connection;
  if (c.kind === 'url') {
    const path = /^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]+)/.exec(c.url)?.[1];
    if (path) return decodeURIComponent(path);
  }
  throw new ApiError(
    'CONFIG_INVALID',
    `service '${service.name}': name the MongoDB database in the url (mongodb://host/db) or in database:`,
  );
}

export function mongoTarget(service: ServiceConfig): ConnectionTarget {
  const c = service.connection;
  let where = '(mongodb)';
  let user: string | null = null;
  if (c.kind === 'url') {
    const match = /^mongodb(?:\+srv)?:\/\/(?:([^:@/]*)(?::[^@/]*)?@)?([^/?]+)/.exec(c.url);
    where = match?.[2] ?? where;
    user = match?.[1] ? decodeURIComponent(match[1]) : null;
  } else if (c.kind === 'fields') {
    where = `${c.host}:${c.port ?? 27017}`;
    user = c.user;
  }
  let database: string | null = null;
  try {
    database = mongoDatabase(service);
  } catch {
    database = null;
  }
  return { where: database ? `${where}/${database}` : where, user, database };
}
