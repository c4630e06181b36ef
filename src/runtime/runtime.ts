// The running model: config + sources + the current DataModel, swapped atomically on reload. Requests read
// `current` once at their start, so a request in flight finishes on the model it began with.
import { SourceRegistry } from '../adapters/source.js';
import type { JunctionConfig } from '../config/types.js';
import type { DataModel } from '../model/types.js';
import { loadModel, type LoadedModel, type LoadOptions } from './load-model.js';

export interface ModelVersion {
  model: DataModel;
  /** Increases by one on each successful reload. */
  version: number;
  loadedAt: Date;
  warnings: string[];
}

type Listener = (next: ModelVersion) => void;

export class Runtime {
  readonly sources: SourceRegistry;
  private state: ModelVersion;
  private readonly listeners: Listener[] = [];
  private pendingReload: Promise<ModelVersion> | null = null;

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
   * Introspects every service again and swaps the model in one step. On failure the old model stays and the
   * error is thrown to the caller. Concurrent calls share one reload.
   */
  reload(onProgress?: (message: string) => void): Promise<ModelVersion> {
    this.pendingReload ??= (async () => {
      try {
        const loaded = await loadModel(this.config, (name) => this.sources.get(name), {
          cacheMode: 'refresh',
          onProgress,
        });
        const next = {
          model: loaded.model,
          version: this.state.version + 1,
          loadedAt: new Date(),
          warnings: loaded.warnings,
        };
        this.sources.adopt(next.model);
        this.state = next;
        for (const listener of this.listeners) listener(next);
        return next;
      } finally {
        this.pendingReload = null;
      }
    })();
    return this.pendingReload;
  }

  close(): Promise<void> {
    return this.sources.closeAll();
  }
}
