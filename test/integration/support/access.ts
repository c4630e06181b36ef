/* eslint-disable @typescript-eslint/no-explicit-any -- responses are read dynamically, as a client would */
// Access-control suites (access-matrix, access-attacks): a Junction server whose config has roles and apps,
// REST and GraphQL calls made with one app's API key, raw requests whose path is sent byte for byte, table
// checksums to prove that nothing was written, and DreamFactory's component matching written out once more,
// independently of src/auth, so that expected outcomes are computed from role definitions.
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { Knex } from 'knex';
import { hashApiKey } from '../../../src/auth/keys.js';
import type { AccessVerb, AppConfig, RoleAccessConfig, RoleConfig } from '../../../src/auth/types.js';
import type { JunctionConfig } from '../../../src/config/types.js';
import { CHINOOK_TABLES, chinookName } from './chinook.js';
import type { TestDialect } from './databases.js';
import { startTestServer, type TestServer } from './graphql.js';

export const DIALECTS = [
  { dialect: 'sqlite', label: 'SQLite' },
  { dialect: 'postgres', label: 'PostgreSQL (snake_case Chinook)' },
  { dialect: 'mysql', label: 'MariaDB' },
] as const satisfies readonly { dialect: TestDialect; label: string }[];

/** One access entry on the `chinook` service. */
export function entry(
  component: string,
  verbs: AccessVerb[] | '*',
  extra: Partial<RoleAccessConfig> = {},
): RoleAccessConfig {
  return {
    service: 'chinook',
    component,
    verbs: verbs === '*' ? ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] : verbs,
    filters: [],
    filterOp: 'AND',
    hiddenFields: [],
    writableFields: null,
    ...extra,
  };
}

export function role(name: string, access: RoleAccessConfig[]): RoleConfig {
  return { name, description: null, active: true, access };
}

/** An active app whose requests with `key` run as `role`. */
export function app(name: string, role: string, key: string): AppConfig {
  return { name, description: null, active: true, role, apiKeyHash: hashApiKey(key) };
}

/**
 * DreamFactory's rule (compat §10.3), restated from the spec: components compare lower-cased with `/` trimmed;
 * an exact entry beats a wildcard `P*` (matching when `component + "/"` starts with `P` minus the `*`), which
 * beats the service's `*`, which beats an every-service `*`; the verbs of the winning level add up.
 */
export function dfAllows(r: RoleConfig, service: string, component: string, verb: AccessVerb): boolean {
  const clean = (c: string) =>
    c
      .trim()
      .replace(/^\/+|\/+$/g, '')
      .toLowerCase();
  const wanted = clean(component);
  const rank = (e: RoleAccessConfig): number | null => {
    const pattern = clean(e.component);
    const own = e.service === service;
    if (!own && e.service !== '*') return null;
    if (!own) return pattern === '*' ? 3 : null;
    if (pattern === '*') return 2;
    if (pattern.endsWith('*')) return `${wanted}/`.startsWith(pattern.slice(0, -1)) ? 1 : null;
    return pattern === wanted ? 0 : null;
  };
  const ranked = r.access.map((e) => ({ e, level: rank(e) })).filter((x) => x.level !== null);
  if (ranked.length === 0) return false;
  const best = Math.min(...ranked.map((x) => x.level as number));
  return ranked.some((x) => x.level === best && x.e.verbs.includes(verb));
}

export interface Answer<T = any> {
  status: number;
  body: T;
  text: string;
}

export interface Call {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
}

export interface AccessServer {
  server: TestServer;
  origin: string;
  /** `path` is everything after the origin (`/api/v2/chinook/_table/Album?limit=1`). */
  rest<T = any>(key: string | null, path: string, call?: Call): Promise<Answer<T>>;
  graphql<T = any>(
    key: string | null,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<Answer<T>>;
  /** The path goes out exactly as given (fetch would normalise `..`, `%2e%2e` and `\`). */
  raw<T = any>(key: string | null, method: string, path: string, json?: unknown): Promise<Answer<T>>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Rate limits are on by default: a 429 is waited out (Retry-After) and the same call is made again. */
async function retrying(send: () => Promise<Answer>): Promise<Answer> {
  for (let attempt = 0; ; attempt += 1) {
    const answer = await send();
    if (answer.status !== 429 || attempt >= 20) return answer;
    await sleep(250 + Math.random() * 250);
  }
}

function parse(text: string): unknown {
  try {
    return text === '' ? null : JSON.parse(text);
  } catch {
    return text;
  }
}

export async function startAccessServer(config: JunctionConfig): Promise<AccessServer> {
  const server = await startTestServer(config);
  const origin = new URL(server.url).origin;
  const keyHeader = (key: string | null): Record<string, string> =>
    key === null ? {} : { 'x-dreamfactory-api-key': key };
  const send = async (path: string, call: Call, key: string | null): Promise<Answer> => {
    const body = call.json === undefined ? undefined : JSON.stringify(call.json);
    const response = await fetch(origin + path, {
      method: call.method ?? (body === undefined ? 'GET' : 'POST'),
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...keyHeader(key),
        ...call.headers,
      },
      body,
    });
    const text = await response.text();
    return { status: response.status, body: parse(text), text };
  };
  const raw = (key: string | null, method: string, path: string, json?: unknown) =>
    new Promise<Answer>((resolve, reject) => {
      const body = json === undefined ? undefined : JSON.stringify(json);
      const url = new URL(origin);
      const outgoing = httpRequest({
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: {
          accept: 'application/json',
          ...keyHeader(key),
          ...(body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
        },
      });
      outgoing.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, body: parse(text), text });
        });
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  return {
    server,
    origin,
    rest: (key, path, call = {}) => retrying(() => send(path, call, key)),
    graphql: (key, query, variables) =>
      retrying(() =>
        send('/graphql', { method: 'POST', json: { query, ...(variables ? { variables } : {}) } }, key),
      ),
    raw: (key, method, path, json) => retrying(() => raw(key, method, path, json)),
    close: () => server.close(),
  };
}

/** SHA-256 over every row of each table in key order: equal checksums mean nothing was written. */
export async function checksums(
  knex: Knex,
  dialect: TestDialect,
  tables: readonly string[],
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of tables) {
    const name = chinookName(dialect, table);
    const key = chinookName(dialect, `${table}Id`);
    const rows = await knex(name).select('*').orderBy(key);
    out[table] = createHash('sha256').update(JSON.stringify(rows)).digest('hex');
  }
  return out;
}

/** Inserts rows with explicit keys (PostgreSQL's identity columns need OVERRIDING SYSTEM VALUE). */
export function insertSql(
  dialect: TestDialect,
  table: string,
  columns: string[],
  rows: (string | number | null)[][],
): string {
  const n = (name: string) => chinookName(dialect, name);
  const literal = (v: string | number | null) =>
    v === null ? 'null' : typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`;
  const overriding = dialect === 'postgres' ? ' overriding system value' : '';
  return (
    `insert into ${n(table)} (${columns.map(n).join(', ')})${overriding} values ` +
    rows.map((r) => `(${r.map(literal).join(', ')})`).join(', ') +
    ';'
  );
}

/** Runs `work` over `items` with at most `width` in flight; results in input order. */
export async function pool<T, R>(items: T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const i = next;
      next += 1;
      results[i] = await work(items[i] as T);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Objects in a GraphQL answer that carry `key` with a value: the rows it returned. */
export function rowsIn(data: unknown, key: string): number {
  if (Array.isArray(data)) return data.reduce((sum: number, item) => sum + rowsIn(item, key), 0);
  if (data === null || typeof data !== 'object') return 0;
  const own = (data as Record<string, unknown>)[key];
  const self = own !== undefined && own !== null ? 1 : 0;
  return self + Object.values(data).reduce((sum: number, v) => sum + rowsIn(v, key), 0);
}

/**
 * Names the answer mentions that the role must not learn and the request did not send (case-insensitive):
 * what an error message may leak.
 */
export function leakedNames(answer: string, request: string, forbidden: readonly string[]): string[] {
  const said = request.toLowerCase();
  const heard = answer.toLowerCase();
  return forbidden.filter((name) => heard.includes(name.toLowerCase()) && !said.includes(name.toLowerCase()));
}

/** Hidden columns of the entries that give a role GET on `component` (as configured). */
export function hiddenOf(r: RoleConfig, component: string): string[] {
  return r.access
    .filter((e) =>
      dfAllows({ ...r, access: [e] }, e.service === '*' ? 'chinook' : e.service, component, 'GET'),
    )
    .flatMap((e) => e.hiddenFields);
}

/** `genre_id` / `GenreId` → `genreId`, as GraphQL names columns. */
export function camel(column: string): string {
  const c = column.replace(/_([a-z0-9])/g, (_, x: string) => x.toUpperCase());
  return c.charAt(0).toLowerCase() + c.slice(1);
}

/**
 * Names a role must not learn from an answer: the Chinook tables it cannot read (REST name, GraphQL type and
 * list field) and its hidden columns (REST and GraphQL names).
 */
export function forbiddenNames(dialect: TestDialect, r: RoleConfig): string[] {
  const n = (name: string) => chinookName(dialect, name);
  const names: string[] = [];
  for (const table of CHINOOK_TABLES) {
    const component = `_table/${n(table)}`;
    if (!dfAllows(r, 'chinook', component, 'GET')) names.push(n(table), table, `${camel(table)}s`);
    for (const column of hiddenOf(r, component)) names.push(column, camel(column));
  }
  return [...new Set(names)];
}
