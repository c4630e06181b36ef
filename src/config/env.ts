// Parsed config document with `${VAR}` in string values → the same document with the environment substituted.
// Runs on values, not on the file text, so a variable's value can never add YAML structure.
import type { ApiError } from '../errors/index.js';
import { formatPath, problem } from './schema.js';

/** `$${` (a literal `${`), `${…}` (a reference), or an unterminated `${`. */
const TOKEN = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

export interface SubstitutionResult {
  document: unknown;
  errors: ApiError[];
  /** Paths (`services[0].url`) whose value could not be substituted, so later checks can skip them. */
  failedPaths: Set<string>;
}

export function substituteEnv(document: unknown, env: NodeJS.ProcessEnv): SubstitutionResult {
  const errors: ApiError[] = [];
  const failedPaths = new Set<string>();

  const walk = (value: unknown, path: PropertyKey[]): unknown => {
    if (typeof value === 'string') {
      const { text, missing, malformed } = substituteString(value, env);
      for (const name of missing) errors.push(problem(path, `environment variable ${name} is not set`));
      if (malformed) {
        errors.push(
          problem(path, 'malformed ${…}: write ${NAME} or ${NAME:-default}, or $${ for a literal ${'),
        );
      }
      if (missing.length > 0 || malformed) failedPaths.add(formatPath(path));
      return text;
    }
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i]));
    if (typeof value === 'object' && value !== null) {
      // fromEntries defines own properties, so a `__proto__` key stays a plain key.
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, walk(item, [...path, key])]),
      );
    }
    return value;
  };

  return { document: walk(document, []), errors, failedPaths };
}

/**
 * One pass, shell-like: `${VAR}` is the value (empty allowed), `${VAR:-default}` falls back when VAR is unset
 * or empty. Substituted values are not scanned again, so a value containing `${` stays literal.
 */
export function substituteString(
  input: string,
  env: NodeJS.ProcessEnv,
): { text: string; missing: string[]; malformed: boolean } {
  const missing: string[] = [];
  let malformed = false;
  const text = input.replace(TOKEN, (match, body: string | undefined) => {
    if (match === '$${') return '${';
    const reference = body === undefined ? null : REFERENCE.exec(body);
    const [, name, fallback] = reference ?? [];
    // Nested references (`${A:-${B}}`) are not supported; say so rather than produce a half-substituted value.
    if (name === undefined || fallback?.includes('${')) {
      malformed = true;
      return match;
    }
    const value = env[name];
    if (value !== undefined && (value !== '' || fallback === undefined)) return value;
    if (fallback !== undefined) return fallback;
    missing.push(name);
    return match;
  });
  return { text, missing, malformed };
}
