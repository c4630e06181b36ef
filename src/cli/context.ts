// CLI flags + environment → the config to use (a file, or the bundled demo when there is none), and the one
// way every command reports a failure: the problem in plain words on stderr and a non-zero exit.
import { dirname } from 'node:path';
import { loadConfig, resolveConfigPath } from '../config/index.js';
import type { SourceRegistry } from '../adapters/source.js';
import type { JunctionConfig } from '../config/types.js';
import type { DataModel } from '../model/types.js';
import { loadModel } from '../runtime/load-model.js';
import { ensureDemoDatabases, demoConfigPath } from '../demo/ensure-demo.js';
import { ApiErrorList, isApiError, formatProblem } from '../errors/index.js';

export interface ConfigFlags {
  config?: string;
}

export interface ResolvedConfig {
  config: JunctionConfig;
  isDemo: boolean;
}

export async function resolveConfig(
  flags: ConfigFlags,
  log: (message: string) => void,
): Promise<ResolvedConfig> {
  const path = resolveConfigPath({ flag: flags.config, env: process.env, cwd: process.cwd() });
  if (path !== null) return { config: await loadConfig(path), isDemo: false };
  const demo = demoConfigPath();
  log(`no junction.yaml here and no --config or JUNCTION_CONFIG: using the bundled demo (${demo})`);
  await ensureDemoDatabases(dirname(demo), log);
  return { config: await loadConfig(demo), isDemo: true };
}

/** Prints an error for an operator (no stack for known errors) and sets a failing exit code. */
export function reportFailure(error: unknown): void {
  if (error instanceof ApiErrorList) {
    console.error(`junction: ${error.errors.length} problem${error.errors.length === 1 ? '' : 's'}:`);
    for (const problem of error.errors) console.error(`  - ${formatProblem(problem)}`);
  } else if (isApiError(error)) {
    console.error(`junction: ${formatProblem(error)}`);
  } else {
    console.error('junction: unexpected error:', error);
  }
  process.exitCode = 1;
}

export const stderr = (message: string): void => {
  console.error(message);
};

/**
 * The model for a command that only reads it (print-model, print-schema): from a matching cache when there is
 * one, else introspected; nothing written back; warnings on stderr.
 */
export async function readModel(config: JunctionConfig, sources: SourceRegistry): Promise<DataModel> {
  const cacheMode = config.schemaCache.mode === 'off' ? 'off' : 'auto';
  const { model, warnings } = await loadModel(config, (name) => sources.get(name), {
    cacheMode,
    write: false,
    onProgress: stderr,
  });
  for (const warning of warnings) stderr(`warning: ${warning}`);
  return model;
}
