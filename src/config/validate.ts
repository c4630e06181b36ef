// Config document (env substituted) → ConfigFile, or every problem found: zod's shape errors plus the checks
// that span several values (one connection per service, unique names, virtual keys naming real services,
// the auth section's roles, apps and keys: auth-schema.ts).
import type { z } from 'zod';
import type { ApiError } from '../errors/index.js';
import { checkAuth } from './auth-schema.js';
import { checkScripts } from './scripts-schema.js';
import { configFileSchema, parseFieldRef, problem, SERVICE_TYPES, type ConfigFile } from './schema.js';

type Path = PropertyKey[];
type Issue = z.core.$ZodRawIssue;

export function validateConfig(document: unknown): { file: ConfigFile | null; errors: ApiError[] } {
  if (document === null || document === undefined) {
    return { file: null, errors: [problem([], 'the config is empty; it needs at least a services list')] };
  }
  const parsed = configFileSchema.safeParse(document, { error: describeIssue });
  const errors = parsed.success ? [] : parsed.error.issues.flatMap(toProblems);
  errors.push(...checkServices(document), ...checkVirtualKeys(document), ...checkAuth(document));
  if (isRecord(document)) errors.push(...checkScripts(document));
  return { file: parsed.success && errors.length === 0 ? parsed.data : null, errors };
}

function toProblems(issue: z.core.$ZodIssue): ApiError[] {
  // One problem per unknown key, each with its own path, so every typo points at itself.
  if (issue.code === 'unrecognized_keys')
    return issue.keys.map((key) => problem([...issue.path, key], issue.message));
  return [problem(issue.path, issue.message)];
}

/** Plain-English messages; never echoes the value, which may hold a secret. */
function describeIssue(issue: Issue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? 'is required'
        : `expected ${article(issue.expected)}, got ${kindOf(issue.input)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map(String).join(', ')}`;
    case 'too_small':
      return bound('at least', issue.origin, Number(issue.minimum));
    case 'too_big':
      return bound('at most', issue.origin, Number(issue.maximum));
    case 'unrecognized_keys':
      return `unknown key (expected one of ${allowedKeys(issue).join(', ')})`;
    case 'invalid_union':
      return 'does not match any allowed form';
    default:
      return undefined;
  }
}

function bound(word: string, origin: string, limit: number): string {
  if (origin === 'string')
    return limit === 1 && word === 'at least' ? 'must not be empty' : `must be ${word} ${limit} characters`;
  if (origin === 'array') return `needs ${word} ${limit} ${limit === 1 ? 'entry' : 'entries'}`;
  return `must be ${word} ${limit}`;
}

function allowedKeys(issue: Issue): string[] {
  const def = issue.inst?._zod.def;
  return def && 'shape' in def && typeof def.shape === 'object' ? Object.keys(def.shape as object) : [];
}

function article(expected: string): string {
  const names: Record<string, string> = {
    object: 'an object',
    array: 'a list',
    int: 'an integer',
    number: 'a number',
  };
  return names[expected] ?? `a ${expected}`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'boolean') return 'true/false';
  return `a ${typeof value}`;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const URL_SCHEMES: Record<string, string[]> = {
  postgres: ['postgres://', 'postgresql://'],
  mysql: ['mysql://', 'mariadb://'],
  mongodb: ['mongodb://', 'mongodb+srv://'],
  sqlite: ['sqlite:', 'file:'],
};

/** Per-service rules zod cannot express on one value. Reads the raw document so they run even when zod fails. */
function checkServices(document: unknown): ApiError[] {
  const services = isRecord(document) && Array.isArray(document.services) ? document.services : [];
  const errors: ApiError[] = [];
  const firstIndex = new Map<string, number>();
  services.forEach((service: unknown, i) => {
    if (!isRecord(service)) return;
    const at: Path = ['services', i];
    if (typeof service.name === 'string') {
      const first = firstIndex.get(service.name);
      if (first === undefined) firstIndex.set(service.name, i);
      else
        errors.push(
          problem([...at, 'name'], `duplicate service name '${service.name}' (first at services[${first}])`),
        );
    }
    const type = SERVICE_TYPES.find((t) => t === service.type);
    if (type) errors.push(...checkServiceForType(service, type, at));
  });
  return errors;
}

function checkServiceForType(service: Record<string, unknown>, type: string, at: Path): ApiError[] {
  const errors: ApiError[] = [];
  const allowed = type === 'sqlite' ? ['filename', 'url'] : ['url', 'connection'];
  const given = ['url', 'connection', 'filename'].filter((key) => service[key] !== undefined);
  for (const key of given.filter((k) => !allowed.includes(k))) {
    errors.push(problem([...at, key], `a ${type} service takes ${allowed.join(' or ')}, not ${key}`));
  }
  const usable = given.filter((key) => allowed.includes(key));
  if (given.length === 0) errors.push(problem(at, `needs ${allowed.join(' or ')}`));
  if (usable.length > 1) errors.push(problem(at, `give only one of ${usable.join(' or ')}`));

  if (service.schema !== undefined && type !== 'postgres') {
    errors.push(problem([...at, 'schema'], 'only postgres services have a schema'));
  }
  if (service.database !== undefined && type !== 'mongodb') {
    errors.push(
      problem([...at, 'database'], 'only mongodb services take database; use connection.database or the url'),
    );
  }
  if (service.sampleSize !== undefined && type !== 'mongodb') {
    errors.push(problem([...at, 'sampleSize'], 'only mongodb services are sampled'));
  }
  if (typeof service.url === 'string') {
    const schemes = URL_SCHEMES[type] ?? [];
    const url = service.url.toLowerCase();
    // The message names the expected schemes, never the url: it usually carries a password.
    if (!schemes.some((scheme) => url.startsWith(scheme))) {
      errors.push(problem([...at, 'url'], `a ${type} url starts with ${schemes.join(' or ')}`));
    } else if (type === 'sqlite' && url.includes('?')) {
      errors.push(problem([...at, 'url'], 'sqlite urls take no ?options'));
    }
  }
  if (isRecord(service.connection) && allowed.includes('connection')) {
    errors.push(...checkConnectionDatabase(service, service.connection, type, at));
  }
  return errors;
}

function checkConnectionDatabase(
  service: Record<string, unknown>,
  connection: Record<string, unknown>,
  type: string,
  at: Path,
): ApiError[] {
  const path = [...at, 'connection', 'database'];
  if (type !== 'mongodb') return connection.database === undefined ? [problem(path, 'is required')] : [];
  if (connection.database === undefined && service.database === undefined) {
    return [problem(path, 'is required (or set database on the service)')];
  }
  if (connection.database !== undefined && service.database !== undefined) {
    return [problem([...at, 'database'], 'already given in connection.database; keep one')];
  }
  return [];
}

function checkVirtualKeys(document: unknown): ApiError[] {
  if (!isRecord(document) || !Array.isArray(document.virtualForeignKeys)) return [];
  const services = Array.isArray(document.services) ? document.services : [];
  const names = services.flatMap((s: unknown) => (isRecord(s) && typeof s.name === 'string' ? [s.name] : []));
  const errors: ApiError[] = [];
  const seen = new Map<string, number>();
  document.virtualForeignKeys.forEach((key: unknown, i) => {
    if (!isRecord(key)) return;
    const from = parseFieldRef(key.from);
    const to = parseFieldRef(key.to);
    for (const [end, ref] of [
      ['from', from],
      ['to', to],
    ] as const) {
      if (ref && !names.includes(ref.service)) {
        const path =
          typeof key[end] === 'string'
            ? ['virtualForeignKeys', i, end]
            : ['virtualForeignKeys', i, end, 'service'];
        const known = names.length > 0 ? ` (services: ${[...new Set(names)].join(', ')})` : '';
        errors.push(problem(path, `unknown service '${ref.service}'${known}`));
      }
    }
    if (!from || !to) return;
    if (from.fields.length !== to.fields.length) {
      errors.push(
        problem(
          ['virtualForeignKeys', i],
          `from has ${from.fields.length} field(s) but to has ${to.fields.length}`,
        ),
      );
    }
    const identity = JSON.stringify([from, to]);
    const first = seen.get(identity);
    if (first === undefined) seen.set(identity, i);
    else
      errors.push(
        problem(['virtualForeignKeys', i], `declared twice (first at virtualForeignKeys[${first}])`),
      );
  });
  return errors;
}
