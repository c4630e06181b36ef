/* eslint-disable @typescript-eslint/no-explicit-any -- responses are read dynamically, as a client would */
// `auth.systemDatabase: { service }`: users and revoked tokens kept in tables of a configured PostgreSQL or
// MariaDB service instead of a SQLite file of their own. Users are added and disabled with the real
// `junction user` CLI in child processes; two servers on the same config stand for two replicas. Login works,
// logout revokes on both, a disabled user's token stops working, the `junction_*` tables are created on first
// use with password hashes only, and they are never served.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { createKnex, destroyKnex } from '../../src/adapters/sql/connect.js';
import { loadConfig } from '../../src/config/index.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';
import { startTestServer, tempDir, type TestServer } from './support/graphql.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = 'system-service-session-secret-0123456789abcdef';
const KEY = 'system-service-app-key-0123456789abcdef';
const PASSWORD = 'ann-keeps-a-long-password';
const ENV = { JUNCTION_SESSION_SECRET: SECRET, NOTES_API_KEY: KEY };

interface Reply {
  status: number;
  body: any;
}

describe.each([
  { dialect: 'postgres', label: 'PostgreSQL' },
  { dialect: 'mysql', label: 'MariaDB' },
] as const)('users kept in a $label service', ({ dialect }) => {
  const tmp = tempDir('junction-system-service-');
  const configFile = join(tmp.dir, 'junction.yaml');
  let db: TestDatabase;
  /** The test's own look at the database (through the driver, not through Junction). */
  let knex: Knex;
  let first: TestServer;
  let second: TestServer;
  let log: string[] = [];

  /** `junction user …` in a child process, as an operator runs it. */
  const junctionUser = (args: string[], stdin = '') =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/cli/index.ts', 'user', ...args, '--config', configFile],
        { cwd: ROOT, env: { ...process.env, ...ENV }, stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stdin.end(stdin);
      child.on('close', (code) => resolve({ code, out }));
    });

  const call = async (
    server: TestServer,
    method: string,
    path: string,
    { token, body }: { token?: string; body?: unknown } = {},
  ): Promise<Reply> => {
    const headers: Record<string, string> = { accept: 'application/json', 'x-dreamfactory-api-key': KEY };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const origin = new URL(server.url).origin;
    const response = await fetch(origin + path, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: await response.json() };
  };
  const login = (server: TestServer, password = PASSWORD) =>
    call(server, 'POST', '/api/v2/user/session', { body: { email: 'ann@example.com', password } });

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    await db.exec(
      'create table note (id integer primary key, owner varchar(100) not null, body varchar(100) not null);' +
        "insert into note values (1, 'ann@example.com', 'Ann one'), (2, 'bob@example.com', 'Bob one');",
    );
    knex = createKnex(db.service());
    const connection = db.service().connection as { kind: 'url'; url: string };
    writeFileSync(
      configFile,
      stringify({
        services: [{ name: 'notes', type: dialect, url: connection.url }],
        schemaCache: { mode: 'off' },
        auth: {
          sessionSecret: '${JUNCTION_SESSION_SECRET}',
          systemDatabase: { service: 'notes' },
          roles: [
            {
              name: 'member',
              access: [
                {
                  service: 'notes',
                  component: '_table/note',
                  verbs: ['GET'],
                  filters: [{ field: 'owner', operator: '=', value: '{user.email}' }],
                },
              ],
            },
            { name: 'everything', access: [{ service: 'notes', component: '*', verbs: '*' }] },
          ],
          apps: [{ name: 'web', role: 'everything', apiKey: '${NOTES_API_KEY}' }],
        },
      }),
    );
    const added = await junctionUser(
      ['add', 'ann@example.com', '--role', 'member', '--name', 'Ann', '--password-stdin'],
      `${PASSWORD}\n`,
    );
    expect(added.code, added.out).toBe(0);
    const config = await loadConfig(configFile, { ...process.env, ...ENV });
    first = await startTestServer(config);
    second = await startTestServer(config);
    log = first.log;
  }, 120_000);

  afterAll(async () => {
    await first?.close();
    await second?.close();
    if (knex) await destroyKnex(knex);
    await db?.drop();
    tmp.remove();
  });

  it('creates the junction_ tables on first use and keeps only a scrypt hash of the password', async () => {
    const schema = dialect === 'postgres' ? knex.raw("'public'") : knex.raw('database()');
    const tables = await knex('information_schema.tables')
      .where('table_schema', schema)
      .select({ name: 'table_name' })
      .orderBy('table_name');
    expect(tables.map((t: any) => t.name)).toEqual([
      'junction_revoked_tokens',
      'junction_system',
      'junction_users',
      'note',
    ]);
    const users = await knex('junction_users').select('email', 'password_hash', 'role', 'active');
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ email: 'ann@example.com', role: 'member' });
    expect(users[0].password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(JSON.stringify(users)).not.toContain(PASSWORD);
  });

  it("logs in with the CLI's user and reads as the user's role", async () => {
    const reply = await login(first);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body).toMatchObject({ email: 'ann@example.com', name: 'Ann', role: 'member' });
    const notes = await call(first, 'GET', '/api/v2/notes/_table/note', { token: reply.body.session_token });
    expect(notes.body.resource?.map((n: any) => n.body)).toEqual(['Ann one']);
    expect((await login(first, 'not-her-password')).status).toBe(401);
  });

  it('revokes the token on logout, for the other server on the same database too', async () => {
    const token = (await login(first)).body.session_token as string;
    expect((await call(second, 'GET', '/api/v2/notes/_table/note', { token })).status).toBe(200);
    expect(await call(first, 'DELETE', '/api/v2/user/session', { token })).toEqual({
      status: 200,
      body: { success: true },
    });
    const terminated = 'The token has been blacklisted: Session terminated. Please re-login.';
    for (const server of [first, second]) {
      const refused = await call(server, 'GET', '/api/v2/notes/_table/note', { token });
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toBe(terminated);
    }
  });

  it("refuses a user's tokens on the next request once the CLI disables the user", async () => {
    const token = (await login(second)).body.session_token as string;
    expect((await call(second, 'GET', '/api/v2/notes/_table/note', { token })).status).toBe(200);
    const disabled = await junctionUser(['disable', 'ann@example.com']);
    expect(disabled.code, disabled.out).toBe(0);
    const refused = await call(second, 'GET', '/api/v2/notes/_table/note', { token });
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toBe('Invalid token: the user is disabled or no longer exists');
    expect((await login(first)).status).toBe(401);
    const enabled = await junctionUser(['enable', 'ann@example.com']);
    expect(enabled.code, enabled.out).toBe(0);
    expect((await login(first)).status).toBe(200);
  });

  it('never serves the junction_ tables, even to a role with access to everything', async () => {
    const listing = await call(first, 'GET', '/api/v2/notes/_table');
    expect(listing.body.resource.map((t: any) => t.name)).toEqual(['note']);
    const users = await call(first, 'GET', '/api/v2/notes/_table/junction_users');
    expect(users.status).toBe(404);
    const origin = new URL(first.url).origin;
    const schema = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-dreamfactory-api-key': KEY },
      body: JSON.stringify({ query: '{ __schema { types { name } } }' }),
    });
    expect(JSON.stringify(await schema.json()).toLowerCase()).not.toContain('junction');
  });

  it('lists the users with the CLI, never their hashes', async () => {
    const listed = await junctionUser(['list', '--json']);
    expect(listed.code, listed.out).toBe(0);
    expect(listed.out).toContain('ann@example.com');
    expect(listed.out).not.toContain('scrypt');
    expect(log.join('\n')).not.toContain(PASSWORD);
  });
});
