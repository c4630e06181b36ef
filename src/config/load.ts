// Config file path (flag, env, or cwd) → file text (YAML or JSON) → JunctionConfig, or every problem at once.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ApiError, ApiErrorList } from '../errors/index.js';
import { substituteEnv } from './env.js';
import { normaliseConfig } from './schema.js';
import type { JunctionConfig } from './types.js';
import { validateConfig } from './validate.js';

const DEFAULT_NAMES = ['junction.yaml', 'junction.yml', 'junction.json'];

/** `--config`, then `JUNCTION_CONFIG`, then `junction.{yaml,yml,json}` in cwd; null means "use the demo". */
export function resolveConfigPath(
  options: { flag?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): string | null {
  const cwd = options.cwd ?? process.cwd();
  // An explicit path is returned even if missing, so loadConfig reports it instead of silently using the demo.
  const explicit = options.flag || (options.env ?? process.env).JUNCTION_CONFIG;
  if (explicit) return resolve(cwd, explicit);
  const found = DEFAULT_NAMES.map((name) => resolve(cwd, name)).find((path) => existsSync(path));
  return found ?? null;
}

export async function loadConfig(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<JunctionConfig> {
  const source = resolve(path);
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    const message = missing ? `config file not found: ${source}` : `cannot read config file ${source}`;
    throw new ApiError('CONFIG_NOT_FOUND', message, { cause });
  }
  const document = extname(source).toLowerCase() === '.json' ? parseJson(text) : parseYaml(text);
  return parseConfig(document, { baseDir: dirname(source), source, env });
}

export interface ParseConfigOptions {
  /** Directory that relative paths (sqlite files, schema cache) are resolved against. */
  baseDir: string;
  source: string | null;
  env?: NodeJS.ProcessEnv;
}

/** An already-parsed document (a file's content, a test fixture, the built-in demo) → JunctionConfig. */
export function parseConfig(document: unknown, options: ParseConfigOptions): JunctionConfig {
  const substituted = substituteEnv(document, options.env ?? process.env);
  const { file, errors } = validateConfig(substituted.document);
  // A value whose variable is missing is reported once, as missing, not again as an invalid value.
  const skip = [...substituted.failedPaths];
  const rest = errors.filter((e) => !skip.some((p) => e.path === p || e.path?.startsWith(`${p}.`)));
  // Document order (services[2] before services[10]) reads better than the order the checks ran in.
  const all = [...substituted.errors, ...rest].sort((a, b) =>
    (a.path ?? '').localeCompare(b.path ?? '', 'en', { numeric: true }),
  );
  if (all.length > 0 || file === null) throw new ApiErrorList('CONFIG_INVALID', all);
  return normaliseConfig(file, { baseDir: resolve(options.baseDir), source: options.source });
}

function parseYaml(text: string): unknown {
  // prettyErrors off: its excerpt of the source line could show a password written in the file.
  const document = parseDocument(text, { prettyErrors: false, merge: true });
  if (document.errors.length > 0) {
    const errors = document.errors.map((e) => syntaxError(text, e.pos[0], `invalid YAML: ${e.message}`));
    throw new ApiErrorList('CONFIG_INVALID', errors);
  }
  return document.toJS();
}

function parseJson(withBom: string): unknown {
  const text = withBom.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch (cause) {
    const raw = cause instanceof Error ? cause.message : String(cause);
    throw new ApiErrorList('CONFIG_INVALID', [jsonSyntaxError(text, raw)]);
  }
}

/** V8's message cut down to its reason (the rest may quote the file, passwords included), plus a position. */
function jsonSyntaxError(text: string, raw: string): ApiError {
  const located = /^(.*?) in JSON at position (\d+)/.exec(raw);
  const ended = raw.startsWith('Unexpected end of JSON input');
  const token = /^Unexpected token '.'/.exec(raw)?.[0];
  const message = `invalid JSON: ${located?.[1] ?? (ended ? 'unexpected end of input' : (token ?? 'syntax error'))}`;
  // When V8 gives no position, the YAML parser in JSON mode (JSON is YAML) says where it stumbles.
  const offset = located ? Number(located[2]) : ended ? text.length : yamlJsonErrorOffset(text);
  return offset === undefined ? new ApiError('CONFIG_INVALID', message) : syntaxError(text, offset, message);
}

const yamlJsonErrorOffset = (text: string): number | undefined =>
  parseDocument(text, { schema: 'json', prettyErrors: false }).errors[0]?.pos[0];

function syntaxError(text: string, offset: number, message: string): ApiError {
  const before = text.slice(0, offset).split('\n');
  const line = before.length;
  const column = (before.at(-1)?.length ?? 0) + 1;
  return new ApiError('CONFIG_INVALID', message, {
    path: `line ${line}, column ${column}`,
    details: { line, column },
  });
}
