// The `auth` section: apps with API keys, roles with DreamFactory-style service access (compat §10.3–10.4),
// local users with session tokens, and an external identity provider's JWTs. zod checks each value;
// checkAuth checks what spans values (unique names, known roles and services, one key per app, keys for
// the JWT algorithms); normaliseAuth gives the AuthConfig. No message ever contains a key, hash or secret.
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { hashApiKey } from '../auth/keys.js';
import { JWT_ALGORITHMS, type AccessVerb, type AuthConfig, type RoleAccessConfig } from '../auth/types.js';
import { ApiError } from '../errors/index.js';
import { formatPath, problem } from './problem.js';

/** In DreamFactory's order, which is also the order of the verb-mask bits (GET 1 … DELETE 16). */
export const ACCESS_VERBS = [
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
] as const satisfies readonly AccessVerb[];
export const FILTER_OPERATORS = [
  '=',
  '!=',
  '>',
  '>=',
  '<',
  '<=',
  'IN',
  'NOT IN',
  'STARTS WITH',
  'ENDS WITH',
  'CONTAINS',
  'IS NULL',
  'IS NOT NULL',
] as const;
/** Shorter plain keys are too easy to guess; `junction key create` makes 43-character ones. */
export const MIN_API_KEY_LENGTH = 16;
/** HS256 keys shorter than the hash output are weaker than the algorithm (RFC 7518 §3.2). */
export const MIN_SECRET_BYTES = 32;
export const DEFAULT_SESSION_TTL_SECONDS = 3600;
export const DEFAULT_SYSTEM_DATABASE = './junction-system.sqlite';

const NAME = /^[A-Za-z0-9_-]+$/;
const KEY_HASH = /^(sha256:)?[0-9a-fA-F]{64}$/;
/** `''`, `*`, or a path under `_table`, `_schema`, `_proc` or `_func` with `*` only at the end (DF §10.3). */
const COMPONENT = /^\/?(\*|_(table|schema|proc|func)(\/[^*]*)?\*?)?$/;
const NO_VALUE_OPERATORS: readonly string[] = ['IS NULL', 'IS NOT NULL'];

export function verbsFromMask(mask: number): AccessVerb[] {
  return ACCESS_VERBS.filter((_, bit) => (mask & (1 << bit)) !== 0);
}

export function verbMask(verbs: readonly AccessVerb[]): number {
  return ACCESS_VERBS.reduce((mask, verb, bit) => (verbs.includes(verb) ? mask | (1 << bit) : mask), 0);
}

/** `sha256:9F86…` or `9f86…` → `9f86…`. */
export function normaliseKeyHash(hash: string): string {
  return hash.replace(/^sha256:/, '').toLowerCase();
}

const name = (what: string) =>
  z
    .string()
    .max(64, 'must be at most 64 characters')
    .regex(NAME, 'must be letters, digits, _ or -')
    .describe(`Unique ${what} name: letters, digits, _ or -.`);

// A refinement, not an enum, so a bad verb in a list is reported at its own index (verbs[1]), not as a
// mismatch of the whole union; the enum is still shown to editors.
const verbSchema = z
  .string()
  .refine((verb) => (ACCESS_VERBS as readonly string[]).includes(verb), {
    message: `expected one of ${ACCESS_VERBS.join(', ')}`,
  })
  .meta({ enum: [...ACCESS_VERBS] });

const filterSchema = z
  .strictObject({
    field: z.string().min(1).describe('Column name (case-insensitive).'),
    operator: z.enum(FILTER_OPERATORS).describe('Comparison, as in DreamFactory role filters.'),
    value: z
      .union([z.string(), z.number(), z.boolean()])
      .optional()
      .describe('Compared value; may use {user.id}, {user.email}, {app.name}, {role.name}. Not for IS NULL.'),
  })
  .describe('A row filter: rows outside it are invisible, and writes that leave it are refused.');

const accessSchema = z
  .strictObject({
    service: z.string().min(1).describe("A configured service name, or '*' for every service."),
    component: z
      .string()
      .regex(
        COMPONENT,
        "expected '', '*', or a path under _table, _schema, _proc or _func with * only at the end",
      )
      .default('*')
      .describe(
        "'*' (default): all of the service; '': the service root only; _table/*, _table/Album/*, _table/Album, _schema/*, _proc/*, … (a trailing * matches everything below; table names match case-insensitively).",
      ),
    verbs: z
      .union([z.literal('*'), z.array(verbSchema)])
      .optional()
      .describe(
        "Allowed verbs (GET, POST, PUT, PATCH, DELETE), or '*' for all five. Give verbs or verbMask.",
      ),
    verbMask: z
      .int()
      .min(0, 'must be 0 to 31')
      .max(31, 'must be 0 to 31 (GET 1, POST 2, PUT 4, PATCH 8, DELETE 16)')
      .optional()
      .describe("DreamFactory's verb_mask instead of verbs: GET 1, POST 2, PUT 4, PATCH 8, DELETE 16."),
    filters: z.array(filterSchema).default([]).describe('Row filters (DreamFactory server-side filters).'),
    filterOp: z.enum(['AND', 'OR']).default('AND').describe('How the filters combine.'),
    hiddenFields: z
      .array(z.string().min(1))
      .default([])
      .describe('Columns the role can neither read nor filter, order or group by.'),
    writableFields: z
      .array(z.string().min(1))
      .nullable()
      .default(null)
      .describe('The only columns the role may write (default: all).'),
  })
  .describe('What a role may do on one service: a component pattern, verbs, row filters and field rules.');

const roleSchema = z
  .strictObject({
    name: name('role'),
    description: z.string().optional(),
    active: z.boolean().default(true).describe('An inactive role allows nothing.'),
    access: z
      .array(accessSchema)
      .default([])
      .describe('Service access entries; the most specific matching entry wins.'),
  })
  .describe('A named set of permissions that apps run as.');

const appSchema = z
  .strictObject({
    name: name('app'),
    description: z.string().optional(),
    active: z.boolean().default(true).describe("An inactive app's key is refused."),
    role: z.string().min(1).describe('The role requests with this key run as (a name from auth.roles).'),
    apiKeyHash: z
      .string()
      .regex(KEY_HASH, "must be 64 hex characters (the key's SHA-256), optionally after sha256:")
      .optional()
      .describe('SHA-256 of the key, as printed by `junction key create`. Give this or apiKey.'),
    apiKey: z
      .string()
      .min(
        MIN_API_KEY_LENGTH,
        `is too short to be safe: use at least ${MIN_API_KEY_LENGTH} characters (junction key create makes one)`,
      )
      .optional()
      .describe('The plain key, normally ${VAR}: hashed at load and not kept. Give this or apiKeyHash.'),
  })
  // Only the hash survives parsing, so no later stage can leak the plain key.
  .transform(({ apiKey, apiKeyHash, ...app }) => ({
    ...app,
    apiKeyHash:
      apiKeyHash !== undefined
        ? normaliseKeyHash(apiKeyHash)
        : apiKey !== undefined
          ? hashApiKey(apiKey)
          : null,
  }))
  .describe('A client application, identified by its API key (X-DreamFactory-API-Key or ?api_key=).');

const secretSchema = (what: string) =>
  z
    .string()
    .refine((secret) => Buffer.byteLength(secret, 'utf8') >= MIN_SECRET_BYTES, {
      message: `is too short to be safe: use at least ${MIN_SECRET_BYTES} bytes (e.g. openssl rand -base64 48)`,
    })
    .describe(`${what}: at least ${MIN_SECRET_BYTES} bytes, normally \${VAR} from the environment.`);

const systemDatabaseSchema = z
  .strictObject({
    filename: z
      .string()
      .min(1)
      .optional()
      .describe(
        'SQLite file for users and revoked tokens, relative to this config file; created on first use.',
      ),
    service: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Or a configured PostgreSQL, MySQL or SQLite service: users and revoked tokens go in its tables junction_users, junction_revoked_tokens and junction_system (created if missing, never served).',
      ),
  })
  .describe(
    'Where users and revoked session tokens are kept: a filename or a service (default ./junction-system.sqlite).',
  );

const externalJwtSchema = z
  .strictObject({
    secret: secretSchema('Shared secret for the HS* algorithms').optional(),
    jwksFile: z
      .string()
      .min(1)
      .optional()
      .describe('A local JWKS JSON file with the public keys for RS*, PS* and ES* (found by kid).'),
    algorithms: z
      .array(z.enum(JWT_ALGORITHMS))
      .min(1)
      .describe('The only algorithms accepted (the token cannot choose another; none is never accepted).'),
    issuer: z.string().min(1).optional().describe('Required `iss` claim.'),
    audience: z.string().min(1).optional().describe('Required `aud` claim.'),
    roleClaim: z
      .string()
      .min(1)
      .default('role')
      .describe("Claim with the provider's role (a.b reaches into objects)."),
    roleMap: z
      .record(z.string(), z.string().min(1))
      .default({})
      .describe('Provider role → role name from auth.roles. Tokens whose role is not mapped are refused.'),
    emailClaim: z.string().min(1).default('email').describe("Claim with the user's email ({user.email})."),
    idClaim: z.string().min(1).default('sub').describe("Claim with the user's id ({user.id})."),
  })
  .describe("An identity provider's JWTs, accepted as session tokens.");

export const authSchema = z
  .strictObject({
    apiKeyInQuery: z
      .boolean()
      .default(true)
      .describe(
        'Accept the key as ?api_key= (DreamFactory compatibility; URLs end up in logs). Default true.',
      ),
    roles: z.array(roleSchema).default([]).describe('Named permission sets; each app runs as one.'),
    apps: z.array(appSchema).default([]).describe('With no apps the API is open to everyone (serve warns).'),
    sessionSecret: secretSchema('HS256 key of the session tokens; setting it turns on users').optional(),
    sessionTtlSeconds: z
      .int()
      .min(60, 'must be at least 60')
      .max(30 * 24 * 3600, 'must be at most 2592000 (30 days)')
      .default(DEFAULT_SESSION_TTL_SECONDS)
      .describe('Lifetime of a session token in seconds (default 3600).'),
    systemDatabase: systemDatabaseSchema.optional(),
    requireApiKeyWithSession: z
      .boolean()
      .default(true)
      .describe('A session token must come with an app key, as in DreamFactory (default true).'),
    externalJwt: externalJwtSchema.optional(),
  })
  .describe('Access control: apps with API keys, the roles they run as, users and session tokens.');

type AuthFile = z.output<typeof authSchema>;
type AccessFile = z.output<typeof accessSchema>;

/** Input has passed validation (checkAuth included); relative paths follow `baseDir` (the config's folder). */
export function normaliseAuth(
  auth: AuthFile,
  options: { baseDir: string } = { baseDir: process.cwd() },
): AuthConfig {
  const path = (file: string) =>
    file === ':memory:' || isAbsolute(file) ? file : resolve(options.baseDir, file);
  const jwt = auth.externalJwt;
  // Only present when configured, so a config without users reads exactly as before.
  const users: AuthConfig['users'] =
    auth.sessionSecret === undefined
      ? null
      : {
          systemDatabase:
            auth.systemDatabase?.service !== undefined
              ? { service: auth.systemDatabase.service }
              : { filename: path(auth.systemDatabase?.filename ?? DEFAULT_SYSTEM_DATABASE) },
          sessionSecret: auth.sessionSecret,
          sessionTtlSeconds: auth.sessionTtlSeconds,
        };
  const externalJwt: AuthConfig['externalJwt'] =
    jwt === undefined
      ? null
      : {
          secret: jwt.secret ?? null,
          jwksFile: jwt.jwksFile === undefined ? null : path(jwt.jwksFile),
          algorithms: [...new Set(jwt.algorithms)],
          issuer: jwt.issuer ?? null,
          audience: jwt.audience ?? null,
          roleClaim: jwt.roleClaim,
          roleMap: { ...jwt.roleMap },
          emailClaim: jwt.emailClaim,
          idClaim: jwt.idClaim,
        };
  return {
    ...(users || externalJwt
      ? { requireApiKeyWithSession: auth.requireApiKeyWithSession, users, externalJwt }
      : {}),
    apiKeyInQuery: auth.apiKeyInQuery,
    roles: auth.roles.map((role) => ({
      name: role.name,
      description: role.description ?? null,
      active: role.active,
      access: role.access.map(normaliseAccess),
    })),
    apps: auth.apps.map(({ apiKeyHash, ...app }) => {
      if (apiKeyHash === null) {
        throw new ApiError('INTERNAL', `app ${app.name} reached normalisation without a key`);
      }
      return {
        name: app.name,
        description: app.description ?? null,
        active: app.active,
        role: app.role,
        apiKeyHash,
      };
    }),
  };
}

function normaliseAccess(entry: AccessFile): RoleAccessConfig {
  const verbs =
    entry.verbMask !== undefined
      ? verbsFromMask(entry.verbMask)
      : entry.verbs === '*'
        ? [...ACCESS_VERBS]
        : ACCESS_VERBS.filter((verb) => entry.verbs?.includes(verb));
  return {
    service: entry.service,
    // DreamFactory trims `/` from configured components: `/_table/` is `_table`.
    component: entry.component.replace(/^\/+|\/+$/g, ''),
    verbs,
    filters: entry.filters.map((filter) => ({
      field: filter.field,
      operator: filter.operator,
      value: filter.value === undefined ? '' : String(filter.value),
    })),
    filterOp: entry.filterOp,
    hiddenFields: [...entry.hiddenFields],
    writableFields: entry.writableFields === null ? null : [...entry.writableFields],
  };
}

type Path = PropertyKey[];
type Item = { value: Record<string, unknown>; at: Path };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The records of `document.auth[key]`, with their paths. */
function items(auth: Record<string, unknown>, key: string): Item[] {
  const list = auth[key];
  if (!Array.isArray(list)) return [];
  return list.flatMap((value: unknown, i) => (isRecord(value) ? [{ value, at: ['auth', key, i] }] : []));
}

/** Rules across values. Reads the raw document (like the service checks) so they run even when zod fails. */
export function checkAuth(document: unknown): ApiError[] {
  if (!isRecord(document) || !isRecord(document.auth)) return [];
  const services = Array.isArray(document.services) ? document.services : [];
  const serviceNames = services.flatMap((s: unknown) =>
    isRecord(s) && typeof s.name === 'string' ? [s.name] : [],
  );
  const roles = items(document.auth, 'roles');
  const apps = items(document.auth, 'apps');
  const roleNames = roles.flatMap(({ value }) => (typeof value.name === 'string' ? [value.name] : []));
  return [
    ...uniqueNames(roles, 'role'),
    ...roles.flatMap((role) => checkAccess(role, serviceNames)),
    ...uniqueNames(apps, 'app'),
    ...apps.flatMap((app) => checkApp(app, roleNames)),
    ...uniqueKeys(apps),
    ...checkSessions(document.auth, apps.length, roleNames),
    ...checkSystemDatabase(document.auth, services),
  ];
}

/** Exactly one of filename and service; a service must be a configured PostgreSQL, MySQL or SQLite one. */
function checkSystemDatabase(auth: Record<string, unknown>, services: unknown[]): ApiError[] {
  const db = auth.systemDatabase;
  if (!isRecord(db)) return [];
  const at = ['auth', 'systemDatabase'];
  if (db.filename !== undefined && db.service !== undefined)
    return [problem(at, 'give filename or service, not both')];
  if (db.filename === undefined && db.service === undefined)
    return [problem(at, 'needs filename (a SQLite file) or service (a configured SQL service)')];
  if (typeof db.service !== 'string') return [];
  const service = services.find((s) => isRecord(s) && s.name === db.service);
  const sql = ['postgres', 'mysql', 'sqlite'];
  if (!isRecord(service) || (typeof service.type === 'string' && !sql.includes(service.type))) {
    const known = services.flatMap((s) =>
      isRecord(s) && typeof s.name === 'string' && sql.includes(String(s.type)) ? [s.name] : [],
    );
    return [
      problem(
        [...at, 'service'],
        `'${db.service}' is not a configured PostgreSQL, MySQL or SQLite service${known.length > 0 ? ` (SQL services: ${known.join(', ')})` : ''}`,
      ),
    ];
  }
  return [];
}

/** Users need a secret; provider tokens need a key per algorithm family and known roles; either needs an app. */
function checkSessions(auth: Record<string, unknown>, appCount: number, roleNames: string[]): ApiError[] {
  const errors: ApiError[] = [];
  const users = auth.sessionSecret !== undefined || auth.systemDatabase !== undefined;
  if (auth.systemDatabase !== undefined && auth.sessionSecret === undefined) {
    errors.push(
      problem(
        ['auth', 'sessionSecret'],
        `is required when auth.systemDatabase is set: at least ${MIN_SECRET_BYTES} bytes, e.g. \${JUNCTION_SESSION_SECRET}`,
      ),
    );
  }
  const jwt = auth.externalJwt;
  if (isRecord(jwt)) {
    const at = ['auth', 'externalJwt'];
    const algorithms = Array.isArray(jwt.algorithms)
      ? jwt.algorithms.filter((a) => typeof a === 'string')
      : [];
    if (algorithms.some((a) => a.startsWith('HS')) && jwt.secret === undefined) {
      errors.push(problem([...at, 'secret'], 'is required for the HS* algorithms'));
    }
    if (algorithms.some((a) => !a.startsWith('HS')) && jwt.jwksFile === undefined) {
      errors.push(problem([...at, 'jwksFile'], 'is required for the RS*, PS* and ES* algorithms'));
    }
    if (jwt.issuer === 'junction') {
      errors.push(problem([...at, 'issuer'], "'junction' is the issuer of Junction's own session tokens"));
    }
    if (isRecord(jwt.roleMap)) {
      for (const [claim, role] of Object.entries(jwt.roleMap)) {
        if (typeof role === 'string' && !roleNames.includes(role)) {
          errors.push(problem([...at, 'roleMap', claim], `unknown role '${role}'`));
        }
      }
    }
  }
  if ((users || jwt !== undefined) && auth.requireApiKeyWithSession !== false && appCount === 0) {
    errors.push(
      problem(
        ['auth', 'apps'],
        'session tokens need an app key to come with them (requireApiKeyWithSession), but no apps are configured',
      ),
    );
  }
  return errors;
}

function uniqueNames(list: Item[], what: string): ApiError[] {
  const first = new Map<string, Path>();
  return list.flatMap(({ value, at }) => {
    if (typeof value.name !== 'string') return [];
    const earlier = first.get(value.name);
    if (earlier === undefined) {
      first.set(value.name, at);
      return [];
    }
    return [
      problem([...at, 'name'], `duplicate ${what} name '${value.name}' (first at ${formatPath(earlier)})`),
    ];
  });
}

function checkAccess(role: Item, serviceNames: string[]): ApiError[] {
  const access = Array.isArray(role.value.access) ? role.value.access : [];
  return access.flatMap((entry: unknown, i) => {
    if (!isRecord(entry)) return [];
    const at = [...role.at, 'access', i];
    const errors: ApiError[] = [];
    const service = entry.service;
    if (typeof service === 'string' && service !== '' && service !== '*' && !serviceNames.includes(service)) {
      const known = serviceNames.length > 0 ? ` (services: ${[...new Set(serviceNames)].join(', ')})` : '';
      errors.push(
        problem([...at, 'service'], `unknown service '${service}'${known}; '*' means every service`),
      );
    }
    if (entry.verbs !== undefined && entry.verbMask !== undefined) {
      errors.push(problem(at, 'give verbs or verbMask, not both'));
    } else if (entry.verbs === undefined && entry.verbMask === undefined) {
      errors.push(problem(at, "needs verbs (a list, or '*' for all) or verbMask"));
    }
    const filters = Array.isArray(entry.filters) ? entry.filters : [];
    filters.forEach((filter: unknown, j) => {
      if (!isRecord(filter) || filter.value !== undefined || typeof filter.operator !== 'string') return;
      if (!NO_VALUE_OPERATORS.includes(filter.operator)) {
        errors.push(problem([...at, 'filters', j, 'value'], `is required for operator '${filter.operator}'`));
      }
    });
    return errors;
  });
}

function checkApp({ value: app, at }: Item, roleNames: string[]): ApiError[] {
  const errors: ApiError[] = [];
  if (typeof app.role === 'string' && app.role !== '' && !roleNames.includes(app.role)) {
    const known =
      roleNames.length > 0 ? `roles: ${[...new Set(roleNames)].join(', ')}` : 'no roles are configured';
    errors.push(problem([...at, 'role'], `unknown role '${app.role}' (${known})`));
  }
  if (app.apiKey !== undefined && app.apiKeyHash !== undefined) {
    errors.push(problem(at, 'give apiKey or apiKeyHash, not both'));
  } else if (app.apiKey === undefined && app.apiKeyHash === undefined) {
    errors.push(problem(at, 'needs apiKeyHash (from `junction key create`) or apiKey (e.g. ${APP_API_KEY})'));
  }
  return errors;
}

/** Two apps with one key would make the key's role ambiguous. The message names the other app, never the key. */
function uniqueKeys(apps: Item[]): ApiError[] {
  const first = new Map<string, Path>();
  return apps.flatMap(({ value: app, at }) => {
    const given = (['apiKey', 'apiKeyHash'] as const).filter((key) => app[key] !== undefined);
    const [field] = given;
    const raw = field === undefined ? undefined : app[field];
    if (given.length !== 1 || field === undefined || typeof raw !== 'string') return [];
    if (field === 'apiKeyHash' && !KEY_HASH.test(raw)) return [];
    const hash = field === 'apiKey' ? hashApiKey(raw) : normaliseKeyHash(raw);
    const earlier = first.get(hash);
    if (earlier === undefined) {
      first.set(hash, at);
      return [];
    }
    return [problem([...at, field], `the same API key as ${formatPath(earlier)}; give each app its own key`)];
  });
}
