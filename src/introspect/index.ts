// ServiceConfig + open knex → RawCatalog of that service, read by the dialect's own introspection.
import type { Knex } from 'knex';
import { probeConnection } from '../adapters/sql/connect.js';
import type { ServiceConfig } from '../config/types.js';
import { ApiError, isApiError } from '../errors/index.js';
import type { RawCatalog } from './catalog.js';
import { introspectMysql } from './mysql.js';
import { introspectPostgres } from './postgres.js';
import { introspectSqlite } from './sqlite.js';

/**
 * Reads tables, views, columns, keys and indexes of one service. Throws ApiError SOURCE_UNAVAILABLE when the
 * database cannot be reached, INTROSPECTION_FAILED when it can but its catalog cannot be read.
 */
export async function introspectService(
  service: ServiceConfig,
  knex: Knex,
  onProgress: (msg: string) => void = () => {},
): Promise<RawCatalog> {
  if (service.type === 'mongodb') {
    throw new ApiError(
      'NOT_SUPPORTED',
      `Service '${service.name}': MongoDB introspection is not supported yet.`,
    );
  }
  const started = Date.now();
  onProgress(`${service.name}: connecting`);
  await probeConnection(knex, service);
  let catalog: RawCatalog;
  try {
    catalog = await readCatalog(service, knex, (msg) => onProgress(`${service.name}: ${msg}`));
  } catch (error) {
    if (isApiError(error)) throw error;
    throw new ApiError(
      'INTROSPECTION_FAILED',
      `Service '${service.name}' (${service.type}): reading the database catalog failed. ` +
        'Check that the user may read the catalog; the log has the database error.',
      { cause: error, details: { service: service.name, dialect: service.type } },
    );
  }
  onProgress(`${service.name}: read ${catalog.tables.length} tables and views in ${Date.now() - started} ms`);
  return catalog;
}

function readCatalog(
  service: ServiceConfig,
  knex: Knex,
  onProgress: (msg: string) => void,
): Promise<RawCatalog> {
  switch (service.type) {
    case 'postgres':
      return introspectPostgres(knex, service.schema ?? 'public', onProgress);
    case 'mysql':
      return introspectMysql(knex, onProgress);
    case 'sqlite':
      return introspectSqlite(knex, onProgress);
    case 'mongodb':
      throw new ApiError(
        'NOT_SUPPORTED',
        `Service '${service.name}': MongoDB introspection is not supported yet.`,
      );
  }
}
