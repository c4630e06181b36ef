// Config + sources + schema cache → DataModel. The start-up path of `serve`, and the core of `introspect`,
// `check` and model reloads: read each service's catalog from a fresh cache or by introspection, build the
// one model across all services, and refresh cache files that no longer match.
import type { Source } from '../adapters/source.js';
import { withoutSystemTables } from '../adapters/sql/user-store.js';
import type { JunctionConfig, ServiceConfig, VirtualForeignKeyConfig } from '../config/types.js';
import { ApiError } from '../errors/index.js';
import type { RawCatalog } from '../introspect/catalog.js';
import { buildModel } from '../model/build-model.js';
import { readCache, writeCache } from '../model/snapshot.js';
import type { DataModel } from '../model/types.js';
import { readStoredKeys } from './relations-file.js';

export type CatalogOrigin = 'cache' | 'introspected';

export interface LoadOptions {
  /** `auto`/`frozen`/`off` as in the config; `refresh` ignores the cache and rewrites it. */
  cacheMode: JunctionConfig['schemaCache']['mode'] | 'refresh';
  /** With `refresh`: only these services are introspected again; the others use their cache as in `auto`. */
  only?: ReadonlySet<string>;
  /** Write cache files that are new or out of date (default true; read-only commands pass false). */
  write?: boolean;
  onProgress?: (message: string) => void;
  /** The API-declared virtual keys to build with instead of config.relationsFile's (a `_schema` change on trial). */
  storedKeys?: VirtualForeignKeyConfig[];
}

export interface LoadedModel {
  model: DataModel;
  warnings: string[];
  origins: Map<string, CatalogOrigin>;
  /** Cache files written by this load. */
  written: string[];
}

export async function loadModel(
  config: JunctionConfig,
  sourceOf: (service: string) => Source,
  options: LoadOptions,
): Promise<LoadedModel> {
  const progress = options.onProgress ?? (() => {});
  const warnings: string[] = [];
  const found = await Promise.all(
    config.services.map((service) => catalogFor(config, service, sourceOf, options, warnings, progress)),
  );
  // Junction's own tables (auth.systemDatabase.service) hold password hashes: never part of the model.
  const catalogs = new Map<string, RawCatalog>(
    config.services.map((s, i) => [s.name, withoutSystemTables(found[i]!.catalog)]),
  );
  const origins = new Map(config.services.map((s, i) => [s.name, found[i]!.origin]));
  // Virtual keys from the config file, then those added over the API (config.relationsFile).
  const stored = options.storedKeys ?? (await readStoredKeys(config));
  const keys = [...config.virtualForeignKeys, ...stored];
  const built = buildModel({ services: config.services, virtualForeignKeys: keys }, catalogs);
  warnings.push(...built.warnings);
  const write = options.write !== false && options.cacheMode !== 'off';
  const written = write ? await refreshCache(config, found, built.model) : [];
  return { model: built.model, warnings, origins, written };
}

interface FoundCatalog {
  service: ServiceConfig;
  catalog: RawCatalog;
  origin: CatalogOrigin;
  /** The model stored next to a cached catalog, to tell whether the file needs rewriting. */
  storedModel: unknown;
}

async function catalogFor(
  config: JunctionConfig,
  service: ServiceConfig,
  sourceOf: (service: string) => Source,
  options: LoadOptions,
  warnings: string[],
  progress: (message: string) => void,
): Promise<FoundCatalog> {
  const mode = options.only && !options.only.has(service.name) ? 'auto' : options.cacheMode;
  if (mode === 'auto' || mode === 'frozen') {
    const cached = await readCache(config.schemaCache.dir, service);
    if (cached.status === 'fresh') {
      return { service, catalog: cached.catalog, origin: 'cache', storedModel: cached.stored.model };
    }
    const why =
      cached.status === 'stale'
        ? `${cached.file} is stale: ${cached.reason}`
        : `${cached.file} does not exist`;
    if (mode === 'frozen') {
      throw new ApiError(
        'CACHE_STALE',
        `service '${service.name}': ${why}; run \`junction introspect ${service.name}\` (the schema cache is frozen)`,
      );
    }
    if (cached.status === 'stale') warnings.push(`service '${service.name}': ${why}; introspected again`);
  }
  progress(`${service.name}: introspecting ${service.type} at ${sourceOf(service.name).where}`);
  const started = Date.now();
  // introspectService already starts its messages with the service name.
  const catalog = await sourceOf(service.name).introspect(progress);
  progress(`${service.name}: ${catalog.tables.length} tables and views in ${Date.now() - started} ms`);
  return { service, catalog, origin: 'introspected', storedModel: null };
}

/** Writes caches that were introspected now, or whose stored model differs (e.g. a virtual key was added). */
async function refreshCache(
  config: JunctionConfig,
  found: FoundCatalog[],
  model: DataModel,
): Promise<string[]> {
  const written: string[] = [];
  for (const { service, catalog, origin, storedModel } of found) {
    const serviceModel = model.services.find((s) => s.name === service.name);
    if (!serviceModel) continue;
    if (origin === 'cache' && JSON.stringify(storedModel) === JSON.stringify(serviceModel)) continue;
    written.push(await writeCache(config.schemaCache.dir, service, catalog, serviceModel));
  }
  return written;
}
