// The running model: config + sources + the current DataModel, swapped atomically on reload. Requests read
// `current` once at their start, so a request in flight finishes on the model it began with.
import { SourceRegistry } from '../adapters/source.js';
import type { JunctionConfig, VirtualForeignKeyConfig } from '../config/types.js';
import type { DataModel } from '../model/types.js';
import { loadModel, type LoadedModel, type LoadOptions } from './load-model.js';

export interface ModelVersion {
  model: DataModel;
  /** Increases by one on each successful reload. */
  version: number;
  loadedAt: Date;
  warnings: string[];
}

/** Told of each new model; a promise it returns (scripts loading again) is waited for before reload resolves. */
type Listener = (next: ModelVersion) => void | Promise<void>;

export interface ReloadOptions {
  onProgress?: (message: string) => void;
  /** Only these services are introspected again; the others come from their schema cache. */
  only?: ReadonlySet<string>;
  /** Build with these API-declared virtual keys instead of config.relationsFile's. */
  storedKeys?: VirtualForeignKeyConfig[];
}

export class Runtime {
  readonly sources: SourceRegistry;
  private state: ModelVersion;
  private readonly listeners: Listener[] = [];
  private pendingReload: Promise<ModelVersion> | null = null;
  /** The last reload started; the next one waits for it. */
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly config: JunctionConfig,
    sources: SourceRegistry,
    loaded: LoadedModel,
  ) {
    this.sources = sources;
    this.state = { model: loaded.model, version: 1, loadedAt: new Date(), warnings: loaded.warnings };
  }

  /** Loads the model before anything listens: a config or database problem stops start-up here. */
  static async start(
    config: JunctionConfig,
    options: LoadOptions,
  ): Promise<{ runtime: Runtime; loaded: LoadedModel }> {
    const sources = new SourceRegistry(config.services);
    try {
      const loaded = await loadModel(config, (name) => sources.get(name), options);
      sources.adopt(loaded.model);
      return { runtime: new Runtime(config, sources, loaded), loaded };
    } catch (error) {
      await sources.closeAll();
      throw error;
    }
  }

  get current(): ModelVersion {
    return this.state;
  }

  onReload(listener: Listener): void {
    this.listeners.push(listener);
  }

  /**
   * Introspects the services again and swaps the model in one step. On failure the old model stays and the
   * error is thrown to the caller. Concurrent full reloads share one; a targeted one (`only`, `storedKeys`: a
   * `_schema` change) runs after whatever reload is under way, so it always sees the change it follows.
   */
  reload(options: ReloadOptions | ((message: string) => void) = {}): Promise<ModelVersion> {
    const opts = typeof options === 'function' ? { onProgress: options } : options;
    const targeted = opts.only !== undefined || opts.storedKeys !== undefined;
    if (!targeted && this.pendingReload) return this.pendingReload;
    const run = this.tail.then(() => this.swap(opts));
    this.tail = run.catch(() => undefined);
    if (!targeted) {
      this.pendingReload = run;
      const clear = () => {
        if (this.pendingReload === run) this.pendingReload = null;
      };
      run.then(clear, clear);
    }
    return run;
  }

  private async swap(options: ReloadOptions): Promise<ModelVersion> {
    // Without a schema cache the other services cannot come from it: everything is introspected again.
    const cacheOff = this.config.schemaCache.mode === 'off';
    const loaded = await loadModel(this.config, (name) => this.sources.get(name), {
      cacheMode: 'refresh',
      only: cacheOff ? undefined : options.only,
      write: !cacheOff,
      storedKeys: options.storedKeys,
      onProgress: options.onProgress,
    });
    const next = {
      model: loaded.model,
      version: this.state.version + 1,
      loadedAt: new Date(),
      warnings: loaded.warnings,
    };
    this.sources.adopt(next.model);
    this.state = next;
    // A listener's failure is its own to report: the new model is in place either way.
    await Promise.allSettled(this.listeners.map(async (listener) => listener(next)));
    return next;
  }

  close(): Promise<void> {
    return this.sources.closeAll();
  }
}
