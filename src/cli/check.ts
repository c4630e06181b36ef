// `junction check`: validate the config, connect to each database, read each cache file, build the model,
// load every script module, and list everything that is wrong. Exit code 1 when anything would stop `serve`. Writes nothing.
import { SourceRegistry } from '../adapters/source.js';
import { scriptsOf } from '../config/scripts-schema.js';
import type { JunctionConfig } from '../config/types.js';
import { loadModule } from '../scripts/loader.js';
import { ApiErrorList, formatProblem, isApiError } from '../errors/index.js';
import { readCache } from '../model/snapshot.js';
import { loadModel } from '../runtime/load-model.js';
import { resolveConfig, stderr, type ConfigFlags } from './context.js';

export async function check(flags: ConfigFlags): Promise<void> {
  const { config } = await resolveConfig(flags, stderr);
  console.log(
    `config ${config.source ?? '(built in)'}: valid, ${config.services.length} services, ${config.virtualForeignKeys.length} virtual foreign keys`,
  );
  const sources = new SourceRegistry(config.services);
  let failed = false;
  const fail = (line: string) => {
    failed = true;
    console.log(`  ✗ ${line}`);
  };
  try {
    for (const service of config.services) {
      console.log(`service ${service.name} (${service.type})`);
      try {
        const source = sources.get(service.name);
        await source.probe();
        console.log(`  ✓ connected to ${source.where}`);
      } catch (error) {
        fail(describe(error));
      }
      if (config.schemaCache.mode === 'off') continue;
      try {
        const cached = await readCache(config.schemaCache.dir, service);
        const state =
          cached.status === 'fresh'
            ? 'fresh'
            : cached.status === 'stale'
              ? `stale (${cached.reason}); serve will introspect`
              : 'missing; serve will introspect';
        console.log(`  ${cached.status === 'fresh' ? '✓' : '!'} schema cache ${cached.file}: ${state}`);
      } catch (error) {
        fail(describe(error));
      }
    }
    await checkScripts(config, fail);
    if (!failed) {
      try {
        const { model, warnings } = await loadModel(config, (name) => sources.get(name), {
          cacheMode: config.schemaCache.mode === 'frozen' ? 'frozen' : 'auto',
          write: false,
        });
        const tables = model.services.reduce((n, s) => n + s.tables.length, 0);
        console.log(`model: ✓ ${tables} tables across ${model.services.length} services`);
        for (const warning of warnings) console.log(`  ! ${warning}`);
      } catch (error) {
        if (error instanceof ApiErrorList) for (const problem of error.errors) fail(formatProblem(problem));
        else fail(describe(error));
      }
    }
  } finally {
    await sources.closeAll();
  }
  console.log(failed ? 'check: problems found' : 'check: all good');
  if (failed) process.exitCode = 1;
}

/** Each event script and scripted service module loads and exports a function, as `serve` needs. */
async function checkScripts(config: JunctionConfig, fail: (line: string) => void): Promise<void> {
  const scripts = scriptsOf(config);
  const modules = new Set([...scripts.events, ...scripts.services].map((s) => s.module));
  if (modules.size === 0) return;
  console.log(`scripts ${scripts.dir}`);
  for (const name of modules) {
    try {
      await loadModule(scripts.dir, name);
      console.log(`  ✓ ${name}`);
    } catch (error) {
      fail(describe(error));
    }
  }
}

function describe(error: unknown): string {
  return isApiError(error) ? formatProblem(error) : String(error);
}
