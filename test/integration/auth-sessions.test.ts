/* eslint-disable @typescript-eslint/no-explicit-any -- responses are read dynamically, as a client would */
// Users and sessions end to end: a YAML config in a temp directory (a small SQLite database, a system
// database beside it, roles with a `{user.email}` row filter, an app key, an external identity provider with
// a local JWKS), users added and disabled with the real `junction user` CLI in child processes, and a real
// server called over HTTP: login, me, logout over REST; Bearer tokens in REST and GraphQL; DreamFactory's
// 400/401/403 messages exactly; and no key, token or password in anything the server logged.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import jwt from 'jsonwebtoken';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startTestServer, tempDir, type TestServer } from './support/graphql.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = 'integration-session-secret-0123456789abcdef';
const KEY = 'notes-web-app-key-0123456789abcdef';
const ANN_PASSWORD = 'ann-has-a-long-password';
const BOB_PASSWORD = 'bob-has-another-password';
const ENV = { JUNCTION_SESSION_SECRET: SECRET, NOTES_API_KEY: KEY };

const NO_API_KEY =
  "No API Key provided. Please provide a valid API Key using X-DreamFactory-API-Key request header or 'api_key' url query parameter.";
const EXPIRED =
  'Token has expired: Session expired. Please refresh your token (if still within refresh window) or re-login.';

const tmp = tempDir('junction-auth-sessions-');
const configFile = join(tmp.dir, 'junction.yaml');
const idp = generateKeyPairSync('rsa', { modulusLength: 2048 });
let server: TestServer;
let base: string;
/** Every token the tests saw: none may appear in the server's log. */
const secrets = new Set<string>([KEY, ANN_PASSWORD, BOB_PASSWORD, SECRET]);

interface Reply {
  status: number;
  body: any;
}

async function call(
  method: string,
  path: string,
  {
    token,
    key = KEY,
    body,
    query = '',
  }: { token?: string; key?: string | null; body?: unknown; query?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key) headers['x-dreamfactory-api-key'] = key;
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}${query}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
}

async function login(email: string, password: string, key: string | null = KEY): Promise<Reply> {
  const reply = await call('POST', '/api/v2/user/session', { key, body: { email, password } });
  if (typeof reply.body.session_token === 'string') secrets.add(reply.body.session_token);
  return reply;
}

async function graphql(query: string, token: string): Promise<Reply> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: `Bearer ${token}`,
      'x-dreamfactory-api-key': KEY,
    },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: await response.json() };
}

const dfError = (status: number, message: string) => ({
  status,
  body: { error: { code: status, context: null, message, status_code: status } },
});

/** `junction user …` in a child process, as an operator runs it. */
function junctionUser(args: string[], stdin?: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/index.ts', 'user', ...args, '--config', configFile],
      { cwd: ROOT, env: { ...process.env, ...ENV }, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stdin.end(stdin ?? '');
    child.on('close', (code) => resolve({ code, out }));
  });
}

beforeAll(async () => {
  const db = new Database(join(tmp.dir, 'notes.sqlite'));
  db.exec(`
    create table note (id integer primary key, owner text not null, body text not null);
    create table secret (id integer primary key, value text not null);
    insert into note values (1, 'ann@example.com', 'Ann one'), (2, 'bob@example.com', 'Bob one'),
      (3, 'ann@example.com', 'Ann two');
    insert into secret values (1, 'classified');`);
  db.close();
  writeFileSync(
    join(tmp.dir, 'jwks.json'),
    JSON.stringify({ keys: [{ ...idp.publicKey.export({ format: 'jwk' }), kid: 'idp-1', alg: 'RS256' }] }),
  );
  const own = [{ field: 'owner', operator: '=', value: '{user.email}' }];
  writeFileSync(
    configFile,
    stringify({
      services: [{ name: 'notes', type: 'sqlite', filename: './notes.sqlite' }],
      schemaCache: { mode: 'off' },
      auth: {
        sessionSecret: '${JUNCTION_SESSION_SECRET}',
        systemDatabase: { filename: './system.sqlite' },
        roles: [
          { name: 'catalogue', access: [{ service: 'notes', component: '_table/note', verbs: ['GET'] }] },
          {
            name: 'member',
            access: [{ service: 'notes', component: '_table/note', verbs: ['GET'], filters: own }],
          },
        ],
        apps: [{ name: 'web', role: 'catalogue', apiKey: '${NOTES_API_KEY}' }],
        externalJwt: {
          jwksFile: './jwks.json',
          algorithms: ['RS256'],
          issuer: 'https://idp.example',
          audience: 'notes',
          roleMap: { staff: 'member' },
        },
      },
    }),
  );
  const added = await Promise.all([
    junctionUser(
      ['add', 'ann@example.com', '--role', 'member', '--name', 'Ann', '--password-stdin'],
      `${ANN_PASSWORD}\n`,
    ),
    junctionUser(['add', 'bob@example.com', '--role', 'member', '--password-stdin'], `${BOB_PASSWORD}\n`),
  ]);
  for (const { code, out } of added) expect(code, out).toBe(0);
  server = await startTestServer(await loadConfig(configFile, { ...process.env, ...ENV }));
  base = server.url.replace(/\/graphql$/, '');
}, 60_000);

afterAll(async () => {
  await server?.close();
  tmp.remove();
});

describe('logging in with POST /api/v2/user/session', () => {
  it("answers DreamFactory's login fields with a session token for the right email and password", async () => {
    const reply = await login('ann@example.com', ANN_PASSWORD);
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body)).toEqual([
      'session_token',
      'session_id',
      'id',
      'name',
      'email',
      'role',
      'last_login_date',
      'host',
    ]);
    expect(reply.body).toMatchObject({ name: 'Ann', email: 'ann@example.com', role: 'member' });
    expect(reply.body.id).toEqual(expect.any(Number));
    expect(reply.body.session_token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(reply.body.last_login_date).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it('answers a wrong password, an unknown email and no key with 401, 401 and 400', async () => {
    expect(await login('ann@example.com', 'not-the-password')).toEqual(
      dfError(401, 'Invalid credentials supplied.'),
    );
    expect(await login('nobody@example.com', ANN_PASSWORD)).toEqual(
      dfError(401, 'Invalid credentials supplied.'),
    );
    expect(await login('ann@example.com', ANN_PASSWORD, null)).toEqual(dfError(400, NO_API_KEY));
  });
});

describe('a session token', () => {
  let ann: string;
  beforeAll(async () => {
    ann = (await login('ann@example.com', ANN_PASSWORD)).body.session_token;
  });

  it('answers GET /api/v2/user/session with its user', async () => {
    const reply = await call('GET', '/api/v2/user/session', { token: ann });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ session_token: ann, email: 'ann@example.com', role: 'member' });
  });

  it("reads REST records as the user's role, with {user.email} in its row filter", async () => {
    const reply = await call('GET', '/api/v2/notes/_table/note', { token: ann });
    expect(reply.status).toBe(200);
    expect(reply.body.resource.map((r: any) => r.body)).toEqual(['Ann one', 'Ann two']);
    // The same key without a session runs as the app's role, which sees every note.
    expect((await call('GET', '/api/v2/notes/_table/note')).body.resource).toHaveLength(3);
  });

  it('reads GraphQL as the user too', async () => {
    const reply = await graphql('{ notes { notes { body owner } } }', ann);
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data.notes.notes).toEqual([
      { body: 'Ann one', owner: 'ann@example.com' },
      { body: 'Ann two', owner: 'ann@example.com' },
    ]);
  });

  it("is refused a component the user's role lacks with 403 naming it; a key alone gets 401", async () => {
    expect(await call('GET', '/api/v2/notes/_table/secret', { token: ann })).toEqual(
      dfError(
        403,
        "Access Forbidden. GET access to component '_table/secret' of service 'notes' is not allowed by this user's role.",
      ),
    );
    expect(await call('GET', '/api/v2/notes/_table/secret')).toEqual(
      dfError(401, 'Unauthorized. User is not authenticated.'),
    );
  });

  it('needs the app key as well, and is refused when expired or signed with another secret', async () => {
    expect(await call('GET', '/api/v2/notes/_table/note', { token: ann, key: null })).toEqual(
      dfError(400, NO_API_KEY),
    );
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: '1', iss: 'junction', jti: 'old-session', iat: now - 7200 };
    const expired = jwt.sign({ ...claims, exp: now - 31 }, SECRET, { algorithm: 'HS256' });
    const forged = jwt.sign({ ...claims, exp: now + 600 }, 'someone-elses-secret-0123456789abcdef', {
      algorithm: 'HS256',
    });
    secrets.add(expired).add(forged);
    expect(await call('GET', '/api/v2/notes/_table/note', { token: expired })).toEqual(dfError(401, EXPIRED));
    expect(await call('GET', '/api/v2/notes/_table/note', { token: forged })).toEqual(
      dfError(401, 'Invalid token: signature verification failed'),
    );
  });
});

describe('ending sessions', () => {
  it('logs out with DELETE /api/v2/user/session, after which the token is refused at once with 403', async () => {
    const token = (await login('ann@example.com', ANN_PASSWORD)).body.session_token;
    expect((await call('GET', '/api/v2/notes/_table/note', { token })).status).toBe(200);
    expect(await call('DELETE', '/api/v2/user/session', { token })).toEqual({
      status: 200,
      body: { success: true },
    });
    const terminated = dfError(403, 'The token has been blacklisted: Session terminated. Please re-login.');
    expect(await call('GET', '/api/v2/notes/_table/note', { token })).toEqual(terminated);
    expect(await call('GET', '/api/v2/user/session', { token })).toEqual(terminated);
    const again = await graphql('{ notes { notes { body } } }', token);
    expect(again.body.errors?.[0]?.message).toBe(terminated.body.error.message);
  });

  it('refuses a disabled user on the next request, and its logins with the same 401 as a wrong password', async () => {
    const bob = (await login('bob@example.com', BOB_PASSWORD)).body.session_token;
    expect((await call('GET', '/api/v2/notes/_table/note', { token: bob })).body.resource).toHaveLength(1);
    const disabled = await junctionUser(['disable', 'bob@example.com']);
    expect(disabled.code, disabled.out).toBe(0);
    expect(await call('GET', '/api/v2/notes/_table/note', { token: bob })).toEqual(
      dfError(401, 'Invalid token: the user is disabled or no longer exists'),
    );
    expect(await login('bob@example.com', BOB_PASSWORD)).toEqual(
      dfError(401, 'Invalid credentials supplied.'),
    );
  });
});

describe("an identity provider's token", () => {
  const sign = (claims: object) => {
    const now = Math.floor(Date.now() / 1000);
    const token = jwt.sign(
      { iss: 'https://idp.example', aud: 'notes', iat: now, exp: now + 600, ...claims },
      idp.privateKey,
      { algorithm: 'RS256', keyid: 'idp-1' },
    );
    secrets.add(token);
    return token;
  };

  it('runs as the mapped role with its email in {user.email}, over REST and GraphQL', async () => {
    const token = sign({ sub: 'idp|bob', email: 'bob@example.com', role: 'staff' });
    const rest = await call('GET', '/api/v2/notes/_table/note', { token });
    expect(rest.body.resource?.map((r: any) => r.body)).toEqual(['Bob one']);
    const me = await call('GET', '/api/v2/user/session', { token });
    expect(me.body).toMatchObject({ id: 'idp|bob', email: 'bob@example.com', role: 'member' });
    const gql = await graphql('{ notes { notes { body } } }', token);
    expect(gql.body.data?.notes.notes).toEqual([{ body: 'Bob one' }]);
  });

  it('is refused when its role is not mapped, its audience is wrong, or it is HS256 signed with the public key', async () => {
    expect(
      await call('GET', '/api/v2/notes/_table/note', { token: sign({ sub: 'x', role: 'guest' }) }),
    ).toEqual(dfError(403, 'Role not found. A role may not be assigned to you or your application.'));
    expect(
      await call('GET', '/api/v2/notes/_table/note', {
        token: sign({ sub: 'x', role: 'staff', aud: 'other' }),
      }),
    ).toEqual(dfError(401, 'Invalid token: wrong audience'));
    const pem = idp.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const now = Math.floor(Date.now() / 1000);
    const confused = jwt.sign(
      { iss: 'https://idp.example', aud: 'notes', exp: now + 600, role: 'staff', email: 'ann@example.com' },
      pem,
      { algorithm: 'HS256', keyid: 'idp-1', allowInsecureKeySizes: true },
    );
    secrets.add(confused);
    expect(await call('GET', '/api/v2/notes/_table/note', { token: confused })).toEqual(
      dfError(401, 'Invalid token: algorithm not allowed'),
    );
  });
});

describe('the server log', () => {
  it('records denied requests but never a key, a token or a password', () => {
    expect(server.log.some((line) => line.startsWith('denied: '))).toBe(true);
    const leaks = server.log.filter((line) => [...secrets].some((secret) => line.includes(secret)));
    expect(leaks).toEqual([]);
    expect(secrets.size).toBeGreaterThan(8);
  });
});
