// ServiceConfig → a pooled knex instance per SQL service; probe and close it, with clear connection errors.
import knex, { type Knex } from 'knex';
import type { ServiceConfig } from '../../config/types.js';
import { ApiError } from '../../errors/index.js';
import { mysqlKnexConfig, mysqlTarget } from '../mysql/connect.js';
import { postgresKnexConfig, postgresTarget } from '../postgres/connect.js';
import { sqliteKnexConfig, sqliteTarget, type SqliteOptions } from '../sqlite/connect.js';
import { connectionError } from './connection-errors.js';
import type { ConnectionTarget } from './target.js';

export type CreateKnexOptions = SqliteOptions;

/** Opens no connection yet: the pool connects on first use (see probeConnection). */
export function createKnex(service: ServiceConfig, options: CreateKnexOptions = {}): Knex {
  return knex({ ...knexConfig(service, options), log: KNEX_LOG });
}

function knexConfig(service: ServiceConfig, options: CreateKnexOptions): Knex.Config {
  switch (service.type) {
    case 'postgres':
      return postgresKnexConfig(service);
    case 'mysql':
      return mysqlKnexConfig(service);
    case 'sqlite':
      return sqliteKnexConfig(service, options);
    case 'mongodb':
      throw new ApiError(
        'NOT_SUPPORTED',
        `Service '${service.name}' is MongoDB, which is not a SQL service.`,
      );
  }
}

// knex prints every failed connect with a stack trace; the same failure reaches the caller as an ApiError
// with a better message, so only that one warning is dropped.
const KNEX_LOG: Knex.Config['log'] = {
  warn: (message: string) => {
    if (!String(message).startsWith('Acquire connection error')) console.warn(message);
  },
  error: (message: string) => console.error(message),
  deprecate: (method: string, alternative: string) =>
    console.warn(`knex: ${method} is deprecated, use ${alternative}`),
  debug: () => {},
};

/** Where the service connects to, without the password: for messages and logs. */
export function connectionTarget(service: ServiceConfig): ConnectionTarget {
  switch (service.type) {
    case 'postgres':
      return postgresTarget(service);
    case 'mysql':
      return mysqlTarget(service);
    case 'sqlite':
      return sqliteTarget(service);
    case 'mongodb':
      return { where: '(mongodb)', user: null, database: service.database };
  }
}

/** Runs a trivial query; throws ApiError SOURCE_UNAVAILABLE saying what is wrong and how to fix it. */
export async function probeConnection(db: Knex, service: ServiceConfig): Promise<void> {
  try {
    await db.raw('select 1');
  } catch (error) {
    throw connectionError(error, service, connectionTarget(service));
  }
}

/** Closes the pool; safe to call twice. */
export async function destroyKnex(db: Knex): Promise<void> {
  await db.destroy();
}
