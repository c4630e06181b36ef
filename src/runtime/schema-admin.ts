// `_schema` writes → the running model: DDL on one service then a reload of that service only, or a new list
// of API-declared virtual keys saved to config.relationsFile and reloaded (the old list is put back when the
// model does not build).
// One change at a time per process; requests in flight keep the model they started with (runtime.ts).
import type { JunctionConfig, VirtualForeignKeyConfig } from '../config/types.js';
import { ApiError, ApiErrorList } from '../errors/index.js';
import { ModelIndex } from '../model/model-index.js';
import type { SchemaChange } from '../model/schema-change.js';
import { readStoredKeys, writeStoredKeys } from './relations-file.js';
import type { ModelVersion, Runtime } from './runtime.js';

export interface SchemaAdmin {
  /** Runs a checked change on `service` as DDL, then rebuilds the model; the new model's index. */
  change(service: string, change: SchemaChange): Promise<ModelIndex>;
  /** The virtual keys declared in the config file (the API cannot remove these). */
  readonly configKeys: readonly VirtualForeignKeyConfig[];
  /** The keys added over the API so far. */
  storedKeys(): Promise<VirtualForeignKeyConfig[]>;
  /** Replaces the API-declared keys and rebuilds the model; a model that does not build puts the old keys back. */
  setStoredKeys(keys: VirtualForeignKeyConfig[]): Promise<ModelIndex>;
}

export function createSchemaAdmin(runtime: Pick<Runtime, 'config' | 'sources' | 'reload'>): SchemaAdmin {
  const config: JunctionConfig = runtime.config;
  let queue: Promise<unknown> = Promise.resolve();
  /** Changes run one after another: each reads the keys file and the model the previous one left. */
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work);
    queue = run.catch(() => undefined);
    return run;
  };
  return {
    configKeys: config.virtualForeignKeys,
    storedKeys: () => readStoredKeys(config),
    change: (service, change) =>
      serial(async () => {
        const source = runtime.sources.get(service);
        if (!source.applySchema)
          throw new ApiError('NOT_SUPPORTED', `Service '${service}' does not support schema changes.`);
        await source.applySchema(change);
        return indexOf(await rebuilt(() => runtime.reload({ only: new Set([service]) }), true));
      }),
    setStoredKeys: (keys) =>
      serial(async () => {
        const path = config.relationsFile;
        if (!path)
          throw new ApiError(
            'NOT_SUPPORTED',
            'Virtual relationships cannot be saved: this server has no relations file (config relationsFile).',
          );
        // Saved before the reload: under `--workers` every worker reloads from the file (cluster-worker.ts).
        const before = await readStoredKeys(config);
        await writeStoredKeys(path, keys);
        let next: ModelVersion;
        try {
          next = await rebuilt(() => runtime.reload({ storedKeys: keys, only: new Set() }), false);
        } catch (error) {
          await writeStoredKeys(path, before);
          throw error;
        }
        return indexOf(next);
      }),
  };
}

function indexOf(version: ModelVersion): ModelIndex {
  return new ModelIndex(version.model);
}

/**
 * A model that no longer builds (a name collision, a virtual key whose column went away) keeps the old one
 * serving; the client learns why in the model's own words, which name tables and fields, never SQL.
 */
async function rebuilt(reload: () => Promise<ModelVersion>, applied: boolean): Promise<ModelVersion> {
  try {
    return await reload();
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'MODEL_INVALID') throw error;
    const reasons = error instanceof ApiErrorList ? error.errors.map((e) => e.message) : [error.message];
    const why = reasons.join('; ');
    if (!applied) throw new ApiError('BAD_REQUEST', `The relationship does not fit the model: ${why}`);
    throw new ApiError(
      'REQUEST_FAILED',
      `The schema change was made, but the API model could not be rebuilt (${why}); the previous model is still served.`,
      { cause: error },
    );
  }
}
