/* eslint-disable @typescript-eslint/no-explicit-any -- responses are read dynamically, as a client would */
// Credentials and what the server records about them, end to end over HTTP (compat §10.1, security.md T17,
// A7): `Authorization: Basic` with a user's email and password in REST and GraphQL; the request id every
// response carries in X-Request-Id and every `denied:` log line repeats; and the verb mask `include_schema`
// reports, which is the caller's, not always 31.
import { openSystemStore } from '../../src/adapters/sql/system-store.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, connect, createDeployment, type Client, type Deployment } from './support/auth.js';

const NO_API_KEY =
  "No API Key provided. Please provide a valid API Key using X-DreamFactory-API-Key request header or 'api_key' url query parameter.";
const BASIC_REFUSED = 'Unauthorized. User credentials did not match.';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let deployment: Deployment;
let client: Client;
/** Everything secret the tests sent: none may appear in the server's log. */
const secrets: string[] = [];

beforeAll(async () => {
  deployment = await createDeployment();
  secrets.push(...deployment.secrets);
  // The brute-force guard is on (the default); the refusals below stay under its 10 failures.
  client = await connect(deployment.config());
});

afterAll(async () => {
  await client?.close();
  deployment?.remove();
});

const withKey = (extra: Record<string, string> = {}) => ({
  'x-dreamfactory-api-key': deployment.key,
  ...extra,
});
const asUser = (email: string, password: string) => {
  const header = basic(email, password);
  secrets.push(header.slice('Basic '.length));
  return withKey({ authorization: header });
};
const dfError = (status: number, message: string) => ({
  error: { code: status, context: null, message, status_code: status },
});

describe('Authorization: Basic with a user’s email and password', () => {
  it("runs a REST request as that user's role", async () => {
    const notes = await client.call(
      'GET',
      '/api/v2/notes/_table/note',
      asUser(deployment.ann.email, deployment.ann.password),
    );
    expect(notes.status, notes.text).toBe(200);
    // Ann's role sees her own notes only ({user.email} in its row filter).
    expect(notes.body.resource.map((n: any) => n.body)).toEqual(['Ann one']);
    // Ann's role reads notes only; the app's role (reader) could read secrets, so this is Ann's refusal.
    const secret = await client.call(
      'GET',
      '/api/v2/notes/_table/secret',
      asUser(deployment.ann.email, deployment.ann.password),
    );
    expect(secret.body).toEqual(
      dfError(
        403,
        "Access Forbidden. GET access to component '_table/secret' of service 'notes' is not allowed by this user's role.",
      ),
    );
  });

  it('answers GET /api/v2/user/session with the user, and no session token', async () => {
    const me = await client.call(
      'GET',
      '/api/v2/user/session',
      asUser(deployment.ann.email, deployment.ann.password),
    );
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ session_token: null, email: deployment.ann.email, role: 'noter' });
  });

  it("runs a GraphQL request as that user's role", async () => {
    const answer = await client.graphql(
      '{ notes { notes { body } } }',
      asUser(deployment.ann.email, deployment.ann.password),
    );
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.notes.notes).toEqual([{ body: 'Ann one' }]);
    // The user's role has no `secret` table, so its schema has none either.
    const secret = await client.graphql(
      '{ notes { secrets { value } } }',
      asUser(deployment.ann.email, deployment.ann.password),
    );
    expect(secret.body.errors?.[0]?.message).toMatch(/^Cannot query field "secrets"/);
    expect(JSON.stringify(secret.body)).not.toContain('classified');
  });

  it('answers a wrong password, an unknown email and a malformed header with 401 in REST', async () => {
    for (const headers of [
      asUser(deployment.ann.email, 'not-her-password'),
      asUser('nobody@example.com', deployment.ann.password),
      withKey({ authorization: 'Basic not-base64!' }),
      withKey({ authorization: `Basic ${Buffer.from('no-colon-here').toString('base64')}` }),
    ]) {
      const reply = await client.call('GET', '/api/v2/notes/_table/note', headers);
      expect(reply.status, JSON.stringify(headers)).toBe(401);
      expect(reply.body).toEqual(dfError(401, BASIC_REFUSED));
    }
  });

  it('answers a wrong password with HTTP 401 in GraphQL, before the query is parsed', async () => {
    const answer = await client.graphql(
      '{ notes { notes { body } } }',
      asUser(deployment.bob.email, 'not-his-password'),
    );
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({
      errors: [{ message: BASIC_REFUSED, extensions: { code: 'UNAUTHORIZED' } }],
    });
  });

  it('needs the app key too, as a session token does', async () => {
    const header = basic(deployment.ann.email, deployment.ann.password);
    const reply = await client.call('GET', '/api/v2/notes/_table/note', { authorization: header });
    expect(reply.body).toEqual(dfError(400, NO_API_KEY));
  });

  it('stops working on the next request once the user is disabled', async () => {
    const bob = () =>
      client.call('GET', '/api/v2/notes/_table/note', asUser(deployment.bob.email, deployment.bob.password));
    expect((await bob()).status).toBe(200);
    const store = openSystemStore(deployment.systemFile);
    try {
      store.updateUser(deployment.bob.email, { active: false });
      expect((await bob()).body).toEqual(dfError(401, BASIC_REFUSED));
      store.updateUser(deployment.bob.email, { active: true });
      expect((await bob()).status).toBe(200);
    } finally {
      store.close();
    }
  });
});

describe('request ids', () => {
  it('echoes a safe X-Request-Id and repeats it in the denied line, with the principal and the reason', async () => {
    const reply = await client.call(
      'DELETE',
      '/api/v2/notes/_table/note/2',
      withKey({ 'x-request-id': 'client-req-0042' }),
    );
    expect(reply.status).toBe(401);
    expect(reply.headers.get('x-request-id')).toBe('client-req-0042');
    const lines = client.server.log.filter((line) => line.includes('request=client-req-0042'));
    expect(lines).toEqual([
      'denied: request=client-req-0042 client=127.0.0.1 principal=(app:web role:reader) DELETE /api/v2/notes/_table/note/2 401 UNAUTHORIZED: Unauthorized. User is not authenticated.',
    ]);
  });

  it('makes one up when the client sends none, or one that is not a short safe token', async () => {
    for (const given of [undefined, 'has spaces and; semicolons', 'x'.repeat(65)]) {
      const reply = await client.call('GET', '/api/v2/notes/_table/secret', {
        ...asUser(deployment.ann.email, deployment.ann.password),
        ...(given === undefined ? {} : { 'x-request-id': given }),
      });
      const id = reply.headers.get('x-request-id') ?? '';
      expect(id).toMatch(UUID);
      const lines = client.server.log.filter((line) => line.includes(`request=${id} `));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /principal=\(user:1 app:web role:noter\) GET \/api\/v2\/notes\/_table\/secret 403 FORBIDDEN/,
      );
    }
    const unsafe = await client.call('GET', '/health', { 'x-request-id': 'bad id\tvalue' });
    expect(unsafe.headers.get('x-request-id')).toMatch(UUID);
  });

  it('is on every response: probes, successes, GraphQL', async () => {
    const replies = [
      await client.call('GET', '/health'),
      await client.call('GET', '/api/v2/notes/_table/note', withKey()),
      await client.graphql('{ notes { notes { body } } }', withKey()),
    ];
    for (const reply of replies) expect(reply.headers.get('x-request-id')).toMatch(UUID);
    expect(new Set(replies.map((r) => r.headers.get('x-request-id'))).size).toBe(3);
  });

  it('audits GraphQL refusals the same way: bad credentials, and a field the role may not use', async () => {
    const badKey = await client.graphql('{ notes { notes { body } } }', {
      'x-dreamfactory-api-key': 'a-key-nobody-has-0123456789',
      'x-request-id': 'gql-bad-key',
    });
    expect(badKey.status).toBe(400);
    secrets.push('a-key-nobody-has-0123456789');
    expect(client.server.log).toContain(
      "denied: request=gql-bad-key client=127.0.0.1 principal=none POST /graphql 400 CREDENTIALS_INVALID: No session token (JWT) provided. Please provide a valid JWT using X-DreamFactory-Session-Token request header or 'session_token' url query parameter.",
    );
    // Ann may update her notes, but not hand one to Bob: the write would leave her row filter.
    const write = await client.call(
      'POST',
      '/graphql',
      { ...asUser(deployment.ann.email, deployment.ann.password), 'x-request-id': 'gql-write' },
      { query: 'mutation { notes_updateNote(id: 1, set: { owner: "bob@example.com" }) { id } }' },
    );
    expect(write.headers.get('x-request-id')).toBe('gql-write');
    expect(write.body.errors?.[0]?.extensions?.code, write.text).toBe('FORBIDDEN');
    expect(client.server.log.filter((l) => l.startsWith('denied: request=gql-write '))).toEqual([
      'denied: request=gql-write client=127.0.0.1 principal=(user:1 app:web role:noter) POST /graphql 403 FORBIDDEN: Denied access to some of the requested fields.',
    ]);
  });
});

describe('include_schema', () => {
  it("reports the caller's verb mask on the table: GET only for the app's reader role", async () => {
    const reply = await client.call('GET', '/api/v2/notes/_table/note?include_schema=true', withKey());
    expect(reply.body.meta.schema.access).toBe(1);
  });

  it('GET and PATCH (1 + 8) for a user whose role has them', async () => {
    const reply = await client.call(
      'GET',
      '/api/v2/notes/_table/note?include_schema=true',
      asUser(deployment.ann.email, deployment.ann.password),
    );
    expect(reply.body.meta.schema.access).toBe(9);
  });

  it('all five verbs (31) when access control is off', async () => {
    const config = deployment.config();
    const open = await connect({ ...config, auth: { apiKeyInQuery: true, roles: [], apps: [] } });
    try {
      const reply = await open.call('GET', '/api/v2/notes/_table/note?include_schema=true');
      expect(reply.body.meta.schema.access).toBe(31);
    } finally {
      await open.close();
    }
  });
});

describe('the server log after all of the above', () => {
  it('never contains a key, a password or Basic credentials', () => {
    const log = client.server.log.join('\n');
    expect(client.server.log.filter((line) => line.startsWith('denied: ')).length).toBeGreaterThan(5);
    for (const secret of secrets) expect(log).not.toContain(secret);
  });
});
