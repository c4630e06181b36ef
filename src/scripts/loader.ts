// Script modules → functions. TypeScript and JavaScript alike go through tsx's scoped import (no global loader
// hook), which gives a fresh module on every load, so a model reload picks up edited scripts.
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { ApiError } from '../errors/index.js';

export interface LoadedModule {
  /** The path as configured (relative to scripts.dir): what logs and errors name. */
  name: string;
  run: (...args: unknown[]) => unknown;
  /** Everything else the module exports (a scripted service's `openapi`). */
  exports: Record<string, unknown>;
}

/**
 * Makes the next loads read every file in `dir` anew. A .ts file outside an ESM package is CommonJS: the
 * helpers it imports are kept in require's cache, which tsx's fresh namespace does not bypass, so without
 * this an edited helper would keep its old code until a restart.
 */
export function forgetLoadedModules(dir: string): void {
  const cache = createRequire(import.meta.url).cache;
  for (const key of Object.keys(cache)) if (key.startsWith(dir + sep)) delete cache[key];
}

export async function loadModule(dir: string, name: string): Promise<LoadedModule> {
  const file = resolve(dir, name);
  // Config names modules inside the folder; `../` would let a config typo load any file on the machine.
  if (!file.startsWith(dir + sep))
    throw new ApiError('CONFIG_INVALID', `script ${name}: must be inside the scripts folder ${dir}`);
  try {
    await access(file);
  } catch {
    throw new ApiError('CONFIG_INVALID', `script ${name}: no such file in ${dir}`);
  }
  let loaded: Record<string, unknown>;
  try {
    loaded = (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
  } catch (error) {
    throw new ApiError('CONFIG_INVALID', `script ${name}: could not be loaded: ${messageOf(error)}`, {
      cause: error,
    });
  }
  const exports = unwrapCommonJs(loaded);
  const run = exports.default;
  if (typeof run !== 'function')
    throw new ApiError('CONFIG_INVALID', `script ${name}: its default export must be a function`);
  return { name, run: run as LoadedModule['run'], exports };
}

/** A .ts file outside an ESM package is compiled as CommonJS: its exports arrive under `default`. */
function unwrapCommonJs(loaded: Record<string, unknown>): Record<string, unknown> {
  const inner = loaded.default;
  if (
    inner !== null &&
    typeof inner === 'object' &&
    'default' in inner &&
    typeof (inner as Record<string, unknown>).default === 'function'
  )
    return inner as Record<string, unknown>;
  return loaded;
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
