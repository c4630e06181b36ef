// The pieces the credential suites rest on, without a server: which refusals count as failed authentications
// for the brute-force guard, how `Authorization: Basic` is read, and the request id and audit line.
import { describe, expect, it } from 'vitest';
import { deniedLine, requestIdOf } from '../../../src/auth/audit.js';
import { isFailedAuthentication } from '../../../src/auth/failures.js';
import { hashApiKey } from '../../../src/auth/keys.js';
import { Authenticator, basicCredentials } from '../../../src/auth/principal.js';
import type { RoleConfig } from '../../../src/auth/types.js';
import { ApiError } from '../../../src/errors/index.js';

const role: RoleConfig = { name: 'reader', description: null, active: true, access: [] };
const KEY = 'unit-credentials-key-0123456789';
const auth = new Authenticator({
  apiKeyInQuery: false,
  roles: [role, { ...role, name: 'off', active: false }],
  apps: [
    { name: 'web', description: null, active: true, role: 'reader', apiKeyHash: hashApiKey(KEY) },
    { name: 'old', description: null, active: false, role: 'reader', apiKeyHash: hashApiKey(`${KEY}-old`) },
    { name: 'dark', description: null, active: true, role: 'off', apiKeyHash: hashApiKey(`${KEY}-dark`) },
  ],
});

async function refusal(headers: Record<string, string>): Promise<unknown> {
  try {
    await auth.resolve(new Headers(headers), new URLSearchParams());
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}

describe('failed authentications (what the brute-force guard counts)', () => {
  it('are unknown and inactive keys', async () => {
    expect(
      isFailedAuthentication(await refusal({ 'x-dreamfactory-api-key': 'guess-0123456789abcdef' })),
    ).toBe(true);
    expect(isFailedAuthentication(await refusal({ 'x-dreamfactory-api-key': `${KEY}-old` }))).toBe(true);
  });

  it('are not missing credentials, nor a valid key whose role is switched off', async () => {
    expect(isFailedAuthentication(await refusal({}))).toBe(false);
    const inactiveRole = await refusal({ 'x-dreamfactory-api-key': `${KEY}-dark` });
    expect(inactiveRole).toMatchObject({ status: 403 });
    expect(isFailedAuthentication(inactiveRole)).toBe(false);
    expect(
      isFailedAuthentication(new ApiError('UNAUTHORIZED', 'Unauthorized. User is not authenticated.')),
    ).toBe(false);
  });

  it('tell which requests carry credentials: a key, a token; Basic only where there are local users', () => {
    const has = (headers: Record<string, string>) =>
      auth.hasCredentials(new Headers(headers), new URLSearchParams());
    expect(has({ 'x-dreamfactory-api-key': 'x' })).toBe(true);
    expect(has({ authorization: 'Bearer abc' })).toBe(true);
    expect(has({ authorization: 'Basic YTpi' })).toBe(false);
    expect(has({})).toBe(false);
  });
});

describe('Authorization: Basic', () => {
  const header = (value: string) => new Headers({ authorization: value });
  const encoded = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

  it('splits email and password at the first colon (passwords may hold colons)', () => {
    expect(basicCredentials(header(encoded('ann@example.com:pa:ss word')))).toEqual({
      email: 'ann@example.com',
      password: 'pa:ss word',
    });
  });

  it('ignores other schemes, and refuses what does not decode to email:password as a failed authentication', () => {
    expect(basicCredentials(header('Bearer abc'))).toBeNull();
    expect(basicCredentials(new Headers())).toBeNull();
    for (const bad of ['Basic !!!', encoded('no-colon'), encoded(':no-email')]) {
      let thrown: unknown;
      try {
        basicCredentials(header(bad));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({ status: 401, message: 'Unauthorized. User credentials did not match.' });
      expect(isFailedAuthentication(thrown)).toBe(true);
    }
  });
});

describe('request ids and audit lines', () => {
  it("keep the client's X-Request-Id when it is a short safe token, and make a UUID otherwise", () => {
    const id = (value?: string) =>
      requestIdOf(new Headers(value === undefined ? {} : { 'x-request-id': value }));
    expect(id('abc-123_x.y:z')).toBe('abc-123_x.y:z');
    for (const unsafe of [undefined, '', 'two words', 'a'.repeat(65), 'line\u0085break', 'x"y']) {
      expect(id(unsafe)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('name the request, the client, the principal and the refusal, never a key or an email', () => {
    const line = deniedLine({
      requestId: 'r-1',
      client: '10.0.0.7',
      principal: {
        kind: 'user',
        app: null,
        user: { id: 7, email: 'ann@example.com', name: 'Ann' },
        role,
        session: { jti: null, expiresAt: 0 },
      },
      method: 'GET',
      path: '/api/v2/db/_table/secret',
      status: 403,
      code: 'FORBIDDEN',
      message: 'Access Forbidden.',
    });
    expect(line).toBe(
      'denied: request=r-1 client=10.0.0.7 principal=(user:7 app:- role:reader) GET /api/v2/db/_table/secret 403 FORBIDDEN: Access Forbidden.',
    );
    expect(line).not.toContain('ann@example.com');
  });
});
