// The loaded scripts of one server: event scripts by event, scripted services by name. Loaded before the
// server listens (a missing or broken module stops start-up with its name) and again on every model reload;
// a failed reload keeps the scripts that were running.
import type { RoleConfig } from '../auth/types.js';
import type { EventScriptConfig, ScriptedServiceConfig, ScriptsConfig } from '../config/types.js';
import { ApiError, ApiErrorList } from '../errors/index.js';
import type { Logger } from '../observability/logger.js';
import { eventMatcher, type Phase } from './events.js';
import { forgetLoadedModules, loadModule, type LoadedModule } from './loader.js';
import type { ScriptRunReport } from './run-script.js';

export interface LoadedEventScript {
  config: EventScriptConfig;
  module: LoadedModule;
  matches: (operation: string, phase: Phase) => boolean;
}

export interface LoadedService {
  config: ScriptedServiceConfig;
  module: LoadedModule;
}

interface Loaded {
  events: LoadedEventScript[];
  services: Map<string, LoadedService>;
}

const EMPTY: Loaded = { events: [], services: new Map() };

export class ScriptHost {
  private loaded: Loaded = EMPTY;
  private loading: Promise<void> | null = null;

  constructor(
    readonly config: ScriptsConfig,
    readonly roles: readonly RoleConfig[],
    readonly logger: Logger,
    /** Each run, for the query log; failures are logged here as well. */
    private readonly onRun: (run: ScriptRunReport) => void = () => {},
  ) {}

  get empty(): boolean {
    return this.config.events.length === 0 && this.config.services.length === 0;
  }

  /** Loads every module; resolves once they are, rejects with every module that failed. */
  ready(): Promise<void> {
    this.loading ??= this.load();
    return this.loading;
  }

  /** Loads the modules again (edited files are read anew); on failure the running ones stay. */
  async reload(): Promise<void> {
    // `ready()` keeps answering with the first load: requests never wait for, or fail with, a reload.
    await this.ready().catch(() => {});
    await this.load();
  }

  private async load(): Promise<void> {
    if (this.empty) return;
    const { dir } = this.config;
    forgetLoadedModules(dir);
    const results = await Promise.allSettled([
      ...this.config.events.map((c) => loadModule(dir, c.module)),
      ...this.config.services.map((c) => loadModule(dir, c.module)),
    ]);
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [toApiError(r.reason)] : []));
    if (failed.length > 0) throw new ApiErrorList('CONFIG_INVALID', failed);
    const modules = results.map((r) => (r as PromiseFulfilledResult<LoadedModule>).value);
    const events = this.config.events.map((config, i) => ({
      config,
      module: modules[i]!,
      matches: eventMatcher(config.event),
    }));
    const services = new Map(
      this.config.services.map((config, i) => [
        config.name,
        { config, module: modules[this.config.events.length + i]! },
      ]),
    );
    this.loaded = { events, services };
  }

  /**
   * The scripts of one operation and phase, in config order. Not memoised: operation names come from request
   * paths a client chooses, and a few regex tests per configured script cost less than an unbounded map.
   */
  scriptsFor(operation: string, phase: Phase): LoadedEventScript[] {
    return this.loaded.events.filter((script) => script.matches(operation, phase));
  }

  service(name: string): LoadedService | null {
    return this.loaded.services.get(name) ?? null;
  }

  services(): LoadedService[] {
    return [...this.loaded.services.values()];
  }

  role(name: string | null): RoleConfig | null {
    return name === null ? null : (this.roles.find((role) => role.name === name) ?? null);
  }

  report(run: ScriptRunReport): void {
    if (run.outcome === 'failed')
      this.logger.error(
        { err: run.error, script: run.module, scriptEvent: run.event },
        `script failed: ${run.module} (${run.event}): ${messageOf(run.error)}`,
      );
    if (run.outcome === 'timeout')
      this.logger.warn(
        { script: run.module, scriptEvent: run.event },
        `script timed out: ${run.module} (${run.event}) after ${Math.round(run.durationMs)} ms`,
      );
    this.onRun(run);
  }
}

function toApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError('CONFIG_INVALID', messageOf(error));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
