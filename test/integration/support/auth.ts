/* eslint-disable @typescript-eslint/no-explicit-any -- responses are read dynamically, as a client would */
// A small access-controlled deployment for the credential suites (access-bruteforce, access-credentials):
// a SQLite `notes` service, a system database file with two users added through the same store the CLI
// writes, two roles (`reader`: GET on every table; `noter`: GET and PATCH on the user's own notes only), an
// app key, and a
// server started from that config with the limits given. Calls are made as a client would: fetch over HTTP,
// with the credentials in headers, returning status, headers, parsed body and text.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSystemStore } from '../../../src/adapters/sql/system-store.js';
import { hashApiKey } from '../../../src/auth/keys.js';
import { hashPassword } from '../../../src/auth/passwords.js';
import type { RoleAccessConfig, RoleConfig } from '../../../src/auth/types.js';
import { DEFAULT_LIMITS } from '../../../src/config/limits-schema.js';
import type { JunctionConfig, LimitsConfig, ServiceConfig } from '../../../src/config/types.js';
import { startTestServer, tempDir, testConfig, type TestServer } from './graphql.js';

export const SESSION_SECRET = 'credential-suites-session-secret-0123456789';

export interface Deployment {
  /** The app's key (role `reader`). */
  key: string;
  ann: { email: string; password: string };
  bob: { email: string; password: string };
  /** The system database file (users and revoked tokens). */
  systemFile: string;
  /** Every secret of the deployment: none may appear in a log. */
  secrets: string[];
  /** The config with these limits (rate limit off unless given, so that only the guard answers 429). */
  config(limits?: {
    authFailures?: Partial<LimitsConfig['authFailures']>;
    rateLimit?: Partial<LimitsConfig['rateLimit']>;
  }): JunctionConfig;
  remove(): void;
}

function access(
  component: string,
  verbs: RoleAccessConfig['verbs'],
  filters: RoleAccessConfig['filters'] = [],
): RoleAccessConfig {
  return {
    service: 'notes',
    component,
    verbs,
    filters,
    filterOp: 'AND',
    hiddenFields: [],
    writableFields: null,
  };
}

const role = (name: string, entries: RoleAccessConfig[]): RoleConfig => ({
  name,
  description: null,
  active: true,
  access: entries,
});

export async function createDeployment(): Promise<Deployment> {
  const tmp = tempDir('junction-credentials-');
  const notes = join(tmp.dir, 'notes.sqlite');
  const db = new Database(notes);
  db.exec(`
    create table note (id integer primary key, owner text not null, body text not null);
    create table secret (id integer primary key, value text not null);
    insert into note values (1, 'ann@example.com', 'Ann one'), (2, 'bob@example.com', 'Bob one');
    insert into secret values (1, 'classified');`);
  db.close();
  const systemFile = join(tmp.dir, 'system.sqlite');
  const key = `web-${randomBytes(24).toString('base64url')}`;
  const ann = { email: 'ann@example.com', password: `ann-${randomBytes(9).toString('base64url')}` };
  const bob = { email: 'bob@example.com', password: `bob-${randomBytes(9).toString('base64url')}` };
  const store = openSystemStore(systemFile);
  for (const [user, roleName] of [
    [ann, 'noter'],
    [bob, 'reader'],
  ] as const) {
    store.addUser({
      email: user.email,
      name: null,
      passwordHash: await hashPassword(user.password),
      role: roleName,
      active: true,
    });
  }
  store.close();
  const service: ServiceConfig = {
    name: 'notes',
    type: 'sqlite',
    label: null,
    description: null,
    connection: { kind: 'file', filename: notes },
    schema: null,
    database: null,
    sampleSize: 1000,
    maxRecords: 1000,
    tables: {},
  };
  return {
    key,
    ann,
    bob,
    systemFile,
    secrets: [key, ann.password, bob.password, SESSION_SECRET],
    config(limits = {}) {
      const base = testConfig([service]);
      return {
        ...base,
        auth: {
          apiKeyInQuery: true,
          roles: [
            role('reader', [access('_table/*', ['GET'])]),
            role('noter', [
              access(
                '_table/note/*',
                ['GET', 'PATCH'],
                [{ field: 'owner', operator: '=', value: '{user.email}' }],
              ),
            ]),
          ],
          apps: [
            { name: 'web', description: null, active: true, role: 'reader', apiKeyHash: hashApiKey(key) },
          ],
          users: {
            systemDatabase: { filename: systemFile },
            sessionSecret: SESSION_SECRET,
            sessionTtlSeconds: 3600,
          },
        },
        limits: {
          ...DEFAULT_LIMITS,
          rateLimit: { ...DEFAULT_LIMITS.rateLimit, enabled: false, ...limits.rateLimit },
          authFailures: { ...DEFAULT_LIMITS.authFailures, ...limits.authFailures },
        },
      };
    },
    remove: () => tmp.remove(),
  };
}

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface Client {
  server: TestServer;
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** `path` after the origin; `headers` as sent (credentials included). */
  call<T = any>(
    method: string,
    path: string,
    headers?: Record<string, string>,
    body?: unknown,
  ): Promise<Reply<T>>;
  graphql<T = any>(query: string, headers?: Record<string, string>): Promise<Reply<T>>;
  close(): Promise<void>;
}

/** A started server for `config` (listening on `host`) and a client calling it over HTTP at 127.0.0.1. */
export async function connect(config: JunctionConfig, host?: string): Promise<Client> {
  const server = await startTestServer(config, host);
  const base = new URL(server.url).origin;
  const call = async (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) => {
    const response = await fetch(base + path, {
      method,
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    return { status: response.status, headers: response.headers, body: parsed as any, text };
  };
  return {
    server,
    origin: base,
    call,
    graphql: (query, headers) => call('POST', '/graphql', headers, { query }),
    close: () => server.close(),
  };
}

/** `Authorization: Basic` for an email and password. */
export function basic(email: string, password: string): string {
  return `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}`;
}
