// The JWT rules of security.md T18 / A6, for Junction's own session tokens and for an identity provider's:
// fixed algorithms (no `none`, no HS/RS confusion), `exp` required, 30 s of clock skew, issuer and audience,
// keys found by `kid` in a map only. Keys are generated here with node:crypto; nothing leaves the process.
import { createHmac, generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import {
  ExternalTokenVerifier,
  issueSessionToken,
  parseJwks,
  TOKEN_EXPIRED,
  verifySessionToken,
} from '../../../src/auth/jwt.js';
import type { ExternalJwtConfig } from '../../../src/auth/types.js';
import { ApiError } from '../../../src/errors/index.js';

const SECRET = 'test-session-secret-with-32-bytes-or-more';
const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const SECONDS = Math.floor(NOW / 1000);

function failure(work: () => unknown): { status: number; message: string } {
  try {
    work();
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error('expected the token to be refused');
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token assembled by hand, as an attacker would: any header, any payload, any HMAC key. */
function forge(header: Record<string, unknown>, payload: Record<string, unknown>, hmacKey?: string | Buffer) {
  const head = `${b64(header)}.${b64(payload)}`;
  const signature =
    hmacKey === undefined ? '' : createHmac('sha256', hmacKey).update(head).digest('base64url');
  return `${head}.${signature}`;
}

describe("Junction's session tokens", () => {
  const issued = issueSessionToken(SECRET, 42, 3600, { now: NOW });

  it('carry the user id as sub, a unique jti, iss junction and an exp one TTL ahead, signed HS256', () => {
    const decoded = jwt.decode(issued.token, { complete: true });
    expect(decoded?.header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(decoded?.payload).toEqual({
      sub: '42',
      iss: 'junction',
      iat: SECONDS,
      exp: SECONDS + 3600,
      jti: issued.jti,
    });
    expect(issueSessionToken(SECRET, 42, 3600, { now: NOW }).jti).not.toBe(issued.jti);
  });

  it('verify to the user id, jti and expiry with the right secret', () => {
    expect(verifySessionToken(issued.token, SECRET, { now: NOW })).toMatchObject({
      userId: 42,
      jti: issued.jti,
      exp: SECONDS + 3600,
    });
  });

  it('still verify within 30 s after expiry (clock skew) but not 31 s after', () => {
    expect(verifySessionToken(issued.token, SECRET, { now: NOW + 3629_000 }).userId).toBe(42);
    expect(failure(() => verifySessionToken(issued.token, SECRET, { now: NOW + 3631_000 }))).toEqual({
      status: 401,
      message: TOKEN_EXPIRED,
    });
  });

  it("answer an expired token with DreamFactory's exact 401 message", () => {
    expect(TOKEN_EXPIRED).toBe(
      'Token has expired: Session expired. Please refresh your token (if still within refresh window) or re-login.',
    );
  });

  it('refuse alg none, even with the claims of a real session', () => {
    const claims = { sub: '42', iss: 'junction', exp: SECONDS + 60, jti: 'x' };
    for (const alg of ['none', 'None', 'NONE']) {
      expect(
        failure(() => verifySessionToken(forge({ alg, typ: 'JWT' }, claims), SECRET, { now: NOW })),
      ).toEqual({
        status: 401,
        message: 'Invalid token: algorithm not allowed',
      });
    }
    const signedNone = jwt.sign(claims, '', { algorithm: 'none' });
    expect(failure(() => verifySessionToken(signedNone, SECRET, { now: NOW })).message).toBe(
      'Invalid token: algorithm not allowed',
    );
  });

  it('refuse another secret, a tampered payload and a token cut short', () => {
    const other = issueSessionToken('another-secret-that-is-also-32-bytes-long', 42, 3600, { now: NOW });
    expect(failure(() => verifySessionToken(other.token, SECRET, { now: NOW }))).toEqual({
      status: 401,
      message: 'Invalid token: signature verification failed',
    });
    const [head, , signature] = issued.token.split('.');
    const promoted = `${head}.${b64({ sub: '1', iss: 'junction', iat: SECONDS, exp: SECONDS + 3600, jti: issued.jti })}.${signature}`;
    expect(failure(() => verifySessionToken(promoted, SECRET, { now: NOW })).message).toBe(
      'Invalid token: signature verification failed',
    );
    expect(failure(() => verifySessionToken(`${head}.${signature}`, SECRET, { now: NOW })).message).toBe(
      'Invalid token: malformed token',
    );
    expect(failure(() => verifySessionToken('not a token', SECRET, { now: NOW })).message).toBe(
      'Invalid token: malformed token',
    );
  });

  it('refuse a correctly signed token without exp, without jti, or issued by someone else', () => {
    const sign = (claims: Record<string, unknown>) => forge({ alg: 'HS256', typ: 'JWT' }, claims, SECRET);
    expect(
      failure(() => verifySessionToken(sign({ sub: '42', iss: 'junction', jti: 'j' }), SECRET)).message,
    ).toBe('Invalid token: no expiry (exp)');
    expect(
      failure(() =>
        verifySessionToken(sign({ sub: '42', iss: 'junction', exp: SECONDS + 60 }), SECRET, { now: NOW }),
      ).message,
    ).toBe('Invalid token: no token id (jti)');
    expect(
      failure(() =>
        verifySessionToken(sign({ sub: '42', iss: 'idp', exp: SECONDS + 60, jti: 'j' }), SECRET, {
          now: NOW,
        }),
      ).message,
    ).toBe('Invalid token: wrong issuer');
  });
});

describe("an identity provider's tokens", () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwks = parseJwks({
    keys: [
      { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1' },
    ],
  });
  const config = (extra: Partial<ExternalJwtConfig> = {}): ExternalJwtConfig => ({
    secret: null,
    jwksFile: null,
    algorithms: ['RS256', 'ES256'],
    issuer: 'https://idp.example',
    audience: 'junction-api',
    roleClaim: 'app_metadata.role',
    roleMap: { staff: 'reader', admin: 'writer' },
    emailClaim: 'email',
    idClaim: 'sub',
    ...extra,
  });
  const verifier = new ExternalTokenVerifier(config(), jwks);
  const claims = {
    sub: 'auth0|123',
    email: 'ann@example.com',
    app_metadata: { role: 'staff' },
    iss: 'https://idp.example',
    aud: 'junction-api',
    iat: SECONDS,
    exp: SECONDS + 600,
  };
  const sign = (
    key: KeyObject,
    algorithm: jwt.Algorithm,
    kid: string | undefined,
    payload: object = claims,
  ) => jwt.sign(payload, key, { algorithm, ...(kid ? { keyid: kid } : {}) });

  it('verify with the JWKS key named by kid and map the role claim to a Junction role', () => {
    expect(verifier.verify(sign(rsa.privateKey, 'RS256', 'rsa-1'), { now: NOW })).toMatchObject({
      id: 'auth0|123',
      email: 'ann@example.com',
      role: 'reader',
      exp: SECONDS + 600,
    });
    expect(verifier.verify(sign(ec.privateKey, 'ES256', 'ec-1'), { now: NOW }).role).toBe('reader');
  });

  it('give no role when the claim is not in roleMap, and take the first mapped value of a list', () => {
    const unmapped = { ...claims, app_metadata: { role: 'contractor' } };
    expect(verifier.verify(sign(rsa.privateKey, 'RS256', 'rsa-1', unmapped), { now: NOW }).role).toBeNull();
    const list = { ...claims, app_metadata: { role: ['contractor', 'admin', 'staff'] } };
    expect(verifier.verify(sign(rsa.privateKey, 'RS256', 'rsa-1', list), { now: NOW }).role).toBe('writer');
  });

  it('refuse HS256 signed with the RSA public key (key confusion), whether or not HS256 is allowed', () => {
    const pem = rsa.publicKey.export({ format: 'pem', type: 'spki' });
    const confused = forge({ alg: 'HS256', typ: 'JWT', kid: 'rsa-1' }, claims, pem);
    expect(failure(() => verifier.verify(confused, { now: NOW }))).toEqual({
      status: 401,
      message: 'Invalid token: algorithm not allowed',
    });
    const withHs = new ExternalTokenVerifier(
      config({ algorithms: ['RS256', 'HS256'], secret: 'the-idp-shared-secret-of-32-bytes-min' }),
      jwks,
    );
    expect(failure(() => withHs.verify(confused, { now: NOW })).message).toBe(
      'Invalid token: signature verification failed',
    );
  });

  it('refuse alg none and an algorithm outside the list, even when the key would fit', () => {
    expect(
      failure(() => verifier.verify(forge({ alg: 'none', kid: 'rsa-1' }, claims), { now: NOW })).message,
    ).toBe('Invalid token: algorithm not allowed');
    const rs384 = sign(rsa.privateKey, 'RS384', 'rsa-1');
    expect(failure(() => verifier.verify(rs384, { now: NOW })).message).toBe(
      'Invalid token: algorithm not allowed',
    );
  });

  it('refuse an unknown kid, a path as kid, and a key whose own alg differs from the header', () => {
    for (const kid of ['rsa-2', '../../etc/passwd', "rsa-1' or '1'='1"]) {
      expect(failure(() => verifier.verify(sign(rsa.privateKey, 'RS256', kid), { now: NOW })).message).toBe(
        'Invalid token: unknown key id (kid)',
      );
    }
    // Two keys: a token without kid cannot pick one.
    expect(
      failure(() => verifier.verify(sign(rsa.privateKey, 'RS256', undefined), { now: NOW })).message,
    ).toBe('Invalid token: unknown key id (kid)');
    // An ES256 header under the EC kid, signed with the RSA key: the signature does not verify.
    const head = `${b64({ alg: 'ES256', typ: 'JWT', kid: 'ec-1' })}.${b64(claims)}`;
    const wrongKey = `${head}.${cryptoSign('sha256', Buffer.from(head), rsa.privateKey).toString('base64url')}`;
    expect(failure(() => verifier.verify(wrongKey, { now: NOW }))).toEqual({
      status: 401,
      message: 'Invalid token: signature verification failed',
    });
  });

  it('refuse a wrong issuer, a wrong audience, a missing exp and a tampered payload', () => {
    const token = (payload: object) => sign(rsa.privateKey, 'RS256', 'rsa-1', payload);
    expect(
      failure(() => verifier.verify(token({ ...claims, iss: 'https://evil.example' }), { now: NOW })).message,
    ).toBe('Invalid token: wrong issuer');
    expect(failure(() => verifier.verify(token({ ...claims, aud: 'other-api' }), { now: NOW })).message).toBe(
      'Invalid token: wrong audience',
    );
    const { exp: _, ...noExp } = claims;
    expect(failure(() => verifier.verify(token(noExp), { now: NOW })).message).toBe(
      'Invalid token: no expiry (exp)',
    );
    const [head, , signature] = token(claims).split('.');
    const tampered = `${head}.${b64({ ...claims, app_metadata: { role: 'admin' } })}.${signature}`;
    expect(failure(() => verifier.verify(tampered, { now: NOW })).message).toBe(
      'Invalid token: signature verification failed',
    );
  });

  it('allow 30 s of clock skew on exp and nbf, and no more', () => {
    const token = sign(rsa.privateKey, 'RS256', 'rsa-1', { ...claims, nbf: SECONDS + 20 });
    expect(verifier.verify(token, { now: NOW }).id).toBe('auth0|123');
    expect(verifier.verify(token, { now: (SECONDS + 629) * 1000 }).id).toBe('auth0|123');
    expect(failure(() => verifier.verify(token, { now: (SECONDS + 631) * 1000 })).message).toBe(
      TOKEN_EXPIRED,
    );
    const later = sign(rsa.privateKey, 'RS256', 'rsa-1', { ...claims, nbf: SECONDS + 31 });
    expect(failure(() => verifier.verify(later, { now: NOW })).message).toBe(
      'Invalid token: not valid yet (nbf)',
    );
  });

  it('verify HS256 tokens with the shared secret only', () => {
    const secret = 'the-idp-shared-secret-of-32-bytes-min';
    const hs = new ExternalTokenVerifier(config({ algorithms: ['HS256'], secret }), new Map());
    expect(hs.verify(jwt.sign(claims, secret, { algorithm: 'HS256' }), { now: NOW }).email).toBe(
      'ann@example.com',
    );
    expect(
      failure(() => hs.verify(jwt.sign(claims, `${secret}!`, { algorithm: 'HS256' }), { now: NOW })).message,
    ).toBe('Invalid token: signature verification failed');
  });

  it('leave private parts and encryption keys out of the key set', () => {
    const set = parseJwks({
      keys: [
        { ...rsa.privateKey.export({ format: 'jwk' }), kid: 'with-private' },
        { ...ec.publicKey.export({ format: 'jwk' }), kid: 'enc', use: 'enc' },
        { kty: 'oct', k: 'c2VjcmV0', kid: 'sym' },
      ],
    });
    expect([...set.keys()]).toEqual(['with-private']);
    expect(set.get('with-private')?.key.type).toBe('public');
  });
});
