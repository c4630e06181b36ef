// Test helpers: a config document → the normalised config, or the `path: message` lines it is rejected with.
import { parseConfig } from '../../../src/config/index.js';
import type { JunctionConfig } from '../../../src/config/types.js';
import { ApiErrorList, formatProblem } from '../../../src/errors/index.js';

export const BASE_DIR = '/etc/junction';

export function parse(document: unknown, env: NodeJS.ProcessEnv = {}): JunctionConfig {
  return parseConfig(document, { baseDir: BASE_DIR, source: null, env });
}

export function problems(document: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parse(document, env);
  } catch (error) {
    if (error instanceof ApiErrorList) return error.errors.map(formatProblem);
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

/** Any rejection as `path: message` lines, for errors thrown before validation (syntax, missing file). */
export async function rejection(promise: Promise<unknown>): Promise<ApiErrorList> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiErrorList) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

export const sqlite = (name = 'chinook') => ({ name, type: 'sqlite', filename: `./${name}.sqlite` });
