// Users and sessions on a real SQLite system database in a temp directory: login, the principal a token
// resolves to, logout, and changes made through a second connection (as the CLI in another process makes
// them) taking effect on the very next request.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSystemStore, type SystemStore } from '../../../src/adapters/sql/system-store.js';
import { denied, principalLookup } from '../../../src/auth/authorize.js';
import { hashApiKey } from '../../../src/auth/keys.js';
import { hashPassword } from '../../../src/auth/passwords.js';
import { Authenticator } from '../../../src/auth/principal.js';
import type { AuthConfig, Principal, RoleConfig } from '../../../src/auth/types.js';
import { ApiError } from '../../../src/errors/index.js';

const SECRET = 'unit-test-session-secret-32-bytes-long';
const KEY = 'web-app-key-0123456789abcdef';
const PASSWORD = 'ann-password-1';

const role = (name: string, active = true): RoleConfig => ({
  name,
  description: null,
  active,
  access: [
    {
      service: '*',
      component: '*',
      verbs: ['GET'],
      filters: [],
      filterOp: 'AND',
      hiddenFields: [],
      writableFields: null,
    },
  ],
});

let dir: string;
let filename: string;
let cli: SystemStore;
let auth: Authenticator;

const config = (extra: Partial<AuthConfig> = {}): AuthConfig => ({
  apiKeyInQuery: false,
  roles: [role('reader'), role('staff'), role('retired', false)],
  apps: [{ name: 'web', description: null, active: true, role: 'reader', apiKeyHash: hashApiKey(KEY) }],
  users: { systemDatabase: { filename }, sessionSecret: SECRET, sessionTtlSeconds: 3600 },
  ...extra,
});

async function rejected(work: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await work;
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

const request = (headers: Record<string, string>, query = '') =>
  [new Headers(headers), new URLSearchParams(query)] as const;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'junction-sessions-'));
  filename = join(dir, 'system.sqlite');
  // The "CLI": its own connection to the file, as another process would have.
  cli = openSystemStore(filename);
  cli.addUser({
    email: 'Ann@Example.com',
    name: 'Ann',
    passwordHash: await hashPassword(PASSWORD),
    role: 'staff',
    active: true,
  });
  cli.addUser({
    email: 'off@example.com',
    name: null,
    passwordHash: await hashPassword(PASSWORD),
    role: 'staff',
    active: false,
  });
  auth = new Authenticator(config());
});

afterAll(async () => {
  await auth.close();
  cli.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the system database', () => {
  it('is created with its tables on first use and holds password hashes, never passwords', () => {
    const bytes = readFileSync(filename).toString('latin1');
    expect(bytes).not.toContain(PASSWORD);
    expect(cli.userByEmail('ann@example.com')?.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
  });

  it('finds users by email whatever the case, and refuses a second user with the same email', () => {
    expect(cli.userByEmail('ANN@EXAMPLE.COM')?.name).toBe('Ann');
    expect(() =>
      cli.addUser({ email: 'ann@example.com', name: null, passwordHash: 'x', role: 'staff', active: true }),
    ).toThrow(/exists already/);
  });
});

describe('login', () => {
  it('gives a session token for the right email and password', async () => {
    const users = auth.users;
    const { user, session } = await users!.login(' ann@example.com ', PASSWORD);
    expect(user).toMatchObject({ email: 'Ann@Example.com', role: 'staff' });
    expect(user.lastLoginAt).not.toBeNull();
    expect(session.token.split('.')).toHaveLength(3);
  });

  it('answers a wrong password, an unknown email and a disabled user alike', async () => {
    const message = { status: 401, message: 'Invalid credentials supplied.' };
    expect(await rejected(auth.users!.login('ann@example.com', 'wrong-password'))).toEqual(message);
    expect(await rejected(auth.users!.login('nobody@example.com', PASSWORD))).toEqual(message);
    expect(await rejected(auth.users!.login('off@example.com', PASSWORD))).toEqual(message);
  });

  it("asks for a missing email or password with DreamFactory's 400 messages", async () => {
    expect(await rejected(auth.users!.login(undefined, PASSWORD))).toEqual({
      status: 400,
      message: 'Login request is missing required email.',
    });
    expect(await rejected(auth.users!.login('ann@example.com', ''))).toEqual({
      status: 400,
      message: 'Login request is missing required password.',
    });
  });
});

describe('a session token', () => {
  it("runs as the user's role with the app of the key, from any of the three places a token may be", async () => {
    const { session } = await auth.users!.login('ann@example.com', PASSWORD);
    for (const [headers, query] of [
      request({ authorization: `Bearer ${session.token}`, 'x-dreamfactory-api-key': KEY }),
      request({ 'x-dreamfactory-session-token': session.token, 'x-dreamfactory-api-key': KEY }),
      request({ 'x-dreamfactory-api-key': KEY }, `session_token=${session.token}`),
    ]) {
      expect(await auth.resolve(headers, query)).toMatchObject({
        kind: 'user',
        app: { name: 'web' },
        user: { email: 'Ann@Example.com', name: 'Ann' },
        role: { name: 'staff' },
        session: { jti: session.jti, expiresAt: session.expiresAt },
      });
    }
  });

  it("needs the app's key too, unless requireApiKeyWithSession is false", async () => {
    const { session } = await auth.users!.login('ann@example.com', PASSWORD);
    expect(await rejected(auth.resolve(...request({ authorization: `Bearer ${session.token}` })))).toEqual({
      status: 400,
      message:
        "No API Key provided. Please provide a valid API Key using X-DreamFactory-API-Key request header or 'api_key' url query parameter.",
    });
    const keyless = new Authenticator(config({ requireApiKeyWithSession: false }));
    expect(await keyless.resolve(...request({ authorization: `Bearer ${session.token}` }))).toMatchObject({
      kind: 'user',
      app: null,
      role: { name: 'staff' },
    });
    await keyless.close();
  });

  it('is answered before the key: a bad token is 401 even with a good key, and a good key alone still works', async () => {
    expect(
      await rejected(
        auth.resolve(...request({ authorization: 'Bearer abc.def.ghi', 'x-dreamfactory-api-key': KEY })),
      ),
    ).toEqual({ status: 401, message: 'Invalid token: malformed token' });
    expect(await auth.resolve(...request({ 'x-dreamfactory-api-key': KEY }))).toMatchObject({
      kind: 'app',
      role: { name: 'reader' },
    });
  });

  it('stops working at once after logout, with 403 Session terminated', async () => {
    const { session } = await auth.users!.login('ann@example.com', PASSWORD);
    const headers = request({ authorization: `Bearer ${session.token}`, 'x-dreamfactory-api-key': KEY });
    const principal = await auth.resolve(...headers);
    expect(await auth.revoke(principal)).toBe(true);
    expect(await rejected(auth.resolve(...headers))).toEqual({
      status: 403,
      message: 'The token has been blacklisted: Session terminated. Please re-login.',
    });
    // Another server process on the same system database refuses it too.
    const other = new Authenticator(config());
    expect((await rejected(other.resolve(...headers))).status).toBe(403);
    await other.close();
  });

  it('stops working on the next request when another process disables, re-roles or removes the user', async () => {
    cli.addUser({
      email: 'bob@example.com',
      name: 'Bob',
      passwordHash: await hashPassword(PASSWORD),
      role: 'staff',
      active: true,
    });
    const { session } = await auth.users!.login('bob@example.com', PASSWORD);
    const headers = request({ authorization: `Bearer ${session.token}`, 'x-dreamfactory-api-key': KEY });
    expect((await auth.resolve(...headers)).kind).toBe('user'); // now cached
    cli.updateUser('bob@example.com', { role: 'reader' });
    expect(await auth.resolve(...headers)).toMatchObject({ role: { name: 'reader' } });
    cli.updateUser('bob@example.com', { active: false });
    expect(await rejected(auth.resolve(...headers))).toEqual({
      status: 401,
      message: 'Invalid token: the user is disabled or no longer exists',
    });
    cli.updateUser('bob@example.com', { active: true });
    expect((await auth.resolve(...headers)).kind).toBe('user');
    cli.removeUser('bob@example.com');
    expect((await rejected(auth.resolve(...headers))).status).toBe(401);
  });

  it("is refused with DreamFactory's 403 messages when the user's role is missing or inactive", async () => {
    cli.addUser({
      email: 'cy@example.com',
      name: null,
      passwordHash: await hashPassword(PASSWORD),
      role: 'staff',
      active: true,
    });
    const { session } = await auth.users!.login('cy@example.com', PASSWORD);
    const headers = request({ authorization: `Bearer ${session.token}`, 'x-dreamfactory-api-key': KEY });
    cli.updateUser('cy@example.com', { role: 'retired' });
    expect(await rejected(auth.resolve(...headers))).toEqual({
      status: 403,
      message:
        'Access Forbidden. The role assigned to you or your application or the default role of your application is not active.',
    });
    cli.updateUser('cy@example.com', { role: 'gone' });
    expect(await rejected(auth.resolve(...headers))).toEqual({
      status: 403,
      message: 'Role not found. A role may not be assigned to you or your application.',
    });
  });
});

describe('denials and row-filter lookups by principal kind', () => {
  const app: Principal = { kind: 'app', app: config().apps[0]!, role: role('reader') };
  const user: Principal = {
    kind: 'user',
    app: null,
    user: { id: 7, email: 'ann@example.com', name: 'Ann' },
    role: role('staff'),
    session: { jti: 'j', expiresAt: 0 },
  };

  it('is 401 for an API key alone and 403 naming verb, component and service for a logged-in user', () => {
    expect(denied(app, 'GET', 'chinook', '_table/Album')).toMatchObject({
      status: 401,
      message: 'Unauthorized. User is not authenticated.',
    });
    expect(denied(user, 'DELETE', 'chinook', '_table/Album')).toMatchObject({
      status: 403,
      message:
        "Access Forbidden. DELETE access to component '_table/album' of service 'chinook' is not allowed by this user's role.",
    });
    expect(denied(user, 'GET', 'chinook', '').message).toBe(
      "Access Forbidden. GET access to service 'chinook' is not allowed by this user's role.",
    );
  });

  it('looks up {user.id} and {user.email} for users, and nothing for an app (the filter then matches no row)', () => {
    const forUser = principalLookup(user);
    expect([forUser('user.id'), forUser('user.email'), forUser('role.name'), forUser('app.name')]).toEqual([
      '7',
      'ann@example.com',
      'staff',
      undefined,
    ]);
    const forApp = principalLookup(app);
    expect([forApp('user.id'), forApp('user.email'), forApp('app.name')]).toEqual([
      undefined,
      undefined,
      'web',
    ]);
  });
});
