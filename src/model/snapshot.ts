// Schema cache: one `schema-cache/<service>.json` per service holding its RawCatalog (so a restart needs no
// introspection) and its built model (for people and tools to read). A fingerprint of the service's
// connection settings decides whether a file still describes the configured database.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServiceConfig } from '../config/types.js';
import { ApiError } from '../errors/index.js';
import type { RawCatalog } from '../introspect/catalog.js';
import { rawCatalogSchema } from './snapshot-schema.js';
import type { ServiceModel } from './types.js';

/** Bump when RawCatalog or the file layout changes shape: older files are then stale, not corrupt. */
export const CACHE_FORMAT = 2;

export interface CacheFile {
  format: number;
  service: string;
  fingerprint: string;
  createdAt: string;
  catalog: RawCatalog;
  model: ServiceModel;
}

export type CacheRead =
  | { status: 'missing'; file: string }
  | { status: 'stale'; file: string; reason: string }
  | { status: 'fresh'; file: string; catalog: RawCatalog; stored: CacheFile };

export function cacheFile(dir: string, service: string): string {
  return join(dir, `${service}.json`);
}

/** What identifies the database a service reads; secrets are left out so rotating a password keeps the cache. */
export function fingerprintService(service: ServiceConfig): string {
  const connection =
    service.connection.kind === 'url'
      ? { url: withoutPassword(service.connection.url) }
      : service.connection.kind === 'fields'
        ? { ...service.connection, password: null }
        : service.connection;
  const identity = {
    format: CACHE_FORMAT,
    type: service.type,
    connection,
    schema: service.schema,
    database: service.database,
  };
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 32);
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1@');
  }
}

export async function readCache(dir: string, service: ServiceConfig): Promise<CacheRead> {
  const file = cacheFile(dir, service.name);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing', file };
    throw new ApiError('CACHE_CORRUPT', `cannot read schema cache ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const stored = parseCache(text, file, service.name);
  if (stored.format !== CACHE_FORMAT) {
    return {
      status: 'stale',
      file,
      reason: `written by cache format ${stored.format}, this version uses ${CACHE_FORMAT}`,
    };
  }
  if (stored.fingerprint !== fingerprintService(service)) {
    return {
      status: 'stale',
      file,
      reason: "the service's connection settings changed since it was written",
    };
  }
  return { status: 'fresh', file, catalog: stored.catalog, stored };
}

function parseCache(text: string, file: string, service: string): CacheFile {
  const corrupt = (why: string) =>
    new ApiError(
      'CACHE_CORRUPT',
      `schema cache ${file} is corrupt (${why}); delete it or run \`junction introspect ${service}\``,
    );
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw corrupt(`not JSON: ${(error as Error).message}`);
  }
  if (typeof data !== 'object' || data === null) throw corrupt('not an object');
  const head = data as Partial<CacheFile>;
  if (typeof head.format !== 'number') throw corrupt('no format number');
  if (head.format !== CACHE_FORMAT) return head as CacheFile;
  if (head.service !== service) throw corrupt(`it describes service '${String(head.service)}'`);
  if (typeof head.fingerprint !== 'string') throw corrupt('no fingerprint');
  const catalog = rawCatalogSchema.safeParse(head.catalog);
  if (!catalog.success) {
    const issue = catalog.error.issues[0];
    throw corrupt(`catalog.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return { ...(head as CacheFile), catalog: catalog.data as RawCatalog };
}

/** Writes through a temporary file and a rename, so a crash never leaves half a cache file behind. */
export async function writeCache(
  dir: string,
  service: ServiceConfig,
  catalog: RawCatalog,
  model: ServiceModel,
): Promise<string> {
  const file = cacheFile(dir, service.name);
  const content: CacheFile = {
    format: CACHE_FORMAT,
    service: service.name,
    fingerprint: fingerprintService(service),
    createdAt: new Date().toISOString(),
    catalog,
    model,
  };
  await mkdir(dir, { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(content, null, 1) + '\n', 'utf8');
  await rename(temp, file);
  return file;
}
