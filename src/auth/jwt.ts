// JWTs in and out: Junction's own session tokens (HS256 with auth.sessionSecret) are issued and verified here,
// and an external identity provider's tokens are verified against its shared secret or a local JWKS file.
// The rules (security.md T18): the accepted algorithms are fixed by the config, never by the token's `alg`
// (so `none` and HS/RS confusion fail); each algorithm family has its own key (HS* the secret, RS/PS/ES* a
// JWKS public key found by `kid` in a map, nothing else); `exp` is required; 30 s of clock skew. Failures are
// DreamFactory's messages (compat §6.2); they never contain the token.
import { randomUUID } from 'node:crypto';
import { createPublicKey, createSecretKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import jwt from 'jsonwebtoken';
import { ApiError } from '../errors/index.js';
import type { ExternalJwtConfig, JwtAlgorithm } from './types.js';

export const CLOCK_TOLERANCE_SECONDS = 30;
/** `iss` of the tokens Junction issues; tokens with another issuer go to the external verifier. */
export const LOCAL_ISSUER = 'junction';
export const MIN_SECRET_BYTES = 32;

export const TOKEN_EXPIRED =
  'Token has expired: Session expired. Please refresh your token (if still within refresh window) or re-login.';
const REVOKED_REASON = 'The token has been blacklisted';

export function tokenExpired(): ApiError {
  return new ApiError('UNAUTHORIZED', TOKEN_EXPIRED);
}

export function tokenInvalid(reason: string): ApiError {
  return new ApiError('UNAUTHORIZED', `Invalid token: ${reason}`);
}

export function tokenRevoked(): ApiError {
  return new ApiError('FORBIDDEN', `${REVOKED_REASON}: Session terminated. Please re-login.`);
}

export interface VerifiedToken {
  claims: jwt.JwtPayload;
  /** Unix seconds; always present (tokens without `exp` are refused). */
  exp: number;
  jti: string | null;
}

interface Now {
  /** Milliseconds since the epoch; tests pass a fixed clock. */
  now?: number;
}

/** The token's claims without checking anything: only to choose the verifier, never to trust. */
export function peekIssuer(token: string): string | null {
  const decoded = jwt.decode(token, { json: true });
  return decoded && typeof decoded.iss === 'string' ? decoded.iss : null;
}

export interface IssuedSession {
  token: string;
  jti: string;
  /** Unix seconds. */
  expiresAt: number;
}

export function issueSessionToken(
  secret: string,
  userId: number,
  ttlSeconds: number,
  options: Now = {},
): IssuedSession {
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const jti = randomUUID();
  const expiresAt = iat + ttlSeconds;
  const token = jwt.sign(
    { sub: String(userId), iss: LOCAL_ISSUER, iat, exp: expiresAt, jti },
    secretKey(secret),
    {
      algorithm: 'HS256',
    },
  );
  return { token, jti, expiresAt };
}

/** A Junction session token → its user id and `jti`; throws the 401 answers of compat §6.2. */
export function verifySessionToken(
  token: string,
  secret: string,
  options: Now = {},
): VerifiedToken & { userId: number; jti: string } {
  const verified = verifyWith(token, () => secretKey(secret), {
    algorithms: ['HS256'],
    issuer: LOCAL_ISSUER,
    now: options.now,
  });
  const { sub } = verified.claims;
  if (typeof sub !== 'string' || !/^[1-9][0-9]{0,15}$/.test(sub)) throw tokenInvalid('no user (sub)');
  if (verified.jti === null) throw tokenInvalid('no token id (jti)');
  return { ...verified, userId: Number(sub), jti: verified.jti };
}

type KeyFor = (header: jwt.JwtHeader) => KeyObject;

interface VerifyOptions {
  algorithms: JwtAlgorithm[];
  issuer?: string | null;
  audience?: string | null;
  now?: number | undefined;
}

function verifyWith(token: string, keyFor: KeyFor, options: VerifyOptions): VerifiedToken {
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.payload === 'string') throw tokenInvalid('malformed token');
  const alg = decoded.header.alg;
  if (!(options.algorithms as string[]).includes(alg)) throw tokenInvalid('algorithm not allowed');
  let claims: jwt.JwtPayload;
  try {
    claims = jwt.verify(token, keyFor(decoded.header), {
      algorithms: options.algorithms,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      ...(options.issuer ? { issuer: options.issuer } : {}),
      ...(options.audience ? { audience: options.audience } : {}),
      ...(options.now === undefined ? {} : { clockTimestamp: Math.floor(options.now / 1000) }),
    }) as jwt.JwtPayload;
  } catch (error) {
    throw verifyError(error);
  }
  if (typeof claims.exp !== 'number') throw tokenInvalid('no expiry (exp)');
  return {
    claims,
    exp: claims.exp,
    jti: typeof claims.jti === 'string' && claims.jti !== '' ? claims.jti : null,
  };
}

function verifyError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof jwt.TokenExpiredError) return tokenExpired();
  if (error instanceof jwt.NotBeforeError) return tokenInvalid('not valid yet (nbf)');
  const message = error instanceof Error ? error.message : '';
  if (message.startsWith('jwt audience invalid')) return tokenInvalid('wrong audience');
  if (message.startsWith('jwt issuer invalid')) return tokenInvalid('wrong issuer');
  if (message === 'invalid algorithm') return tokenInvalid('algorithm not allowed');
  if (message === 'jwt signature is required') return tokenInvalid('unsigned token');
  if (message === 'invalid signature') return tokenInvalid('signature verification failed');
  if (message.includes('malformed') || message === 'invalid token') return tokenInvalid('malformed token');
  // jsonwebtoken's key-type checks ("… must be a symmetric key …"): the key does not fit the algorithm.
  return tokenInvalid('signature verification failed');
}

function secretKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

/** JWKS public keys by `kid` (`''` for a key without one). Private parts and `use: enc` keys are left out. */
export type KeySet = Map<string, { key: KeyObject; alg: string | null }>;

export function parseJwks(document: unknown, where = 'the JWKS'): KeySet {
  const keys = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw jwksError(`${where} is not a JWKS: it needs a "keys" list`);
  const set: KeySet = new Map();
  keys.forEach((jwk: unknown, i) => {
    if (typeof jwk !== 'object' || jwk === null) throw jwksError(`${where}: keys[${i}] is not an object`);
    const { kid, use, alg, kty } = jwk as Record<string, unknown>;
    if (use === 'enc' || kty === 'oct') return;
    let key: KeyObject;
    try {
      key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } catch {
      throw jwksError(`${where}: keys[${i}] is not a public key Node can read`);
    }
    const id = typeof kid === 'string' ? kid : '';
    if (set.has(id)) throw jwksError(`${where}: two keys with kid '${id}'`);
    set.set(id, { key, alg: typeof alg === 'string' ? alg : null });
  });
  return set;
}

function jwksError(message: string): ApiError {
  return new ApiError('CONFIG_INVALID', message, { path: 'auth.externalJwt.jwksFile' });
}

export function loadJwksFile(path: string): KeySet {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw jwksError(
      `cannot read the JWKS file ${path} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw jwksError(`the JWKS file ${path} is not valid JSON`);
  }
  return parseJwks(document, `the JWKS file ${path}`);
}

export interface ExternalIdentity extends VerifiedToken {
  id: string | null;
  email: string | null;
  name: string | null;
  /** The Junction role the provider's role maps to; null when it maps to none. */
  role: string | null;
}

/** Verifies an identity provider's tokens with the config's fixed algorithms and keys. */
export class ExternalTokenVerifier {
  private readonly secret: KeyObject | null;

  constructor(
    private readonly config: ExternalJwtConfig,
    private readonly keys: KeySet = config.jwksFile ? loadJwksFile(config.jwksFile) : new Map(),
  ) {
    this.secret = config.secret === null ? null : secretKey(config.secret);
  }

  verify(token: string, options: Now = {}): ExternalIdentity {
    const verified = verifyWith(token, (header) => this.keyFor(header), {
      algorithms: this.config.algorithms,
      issuer: this.config.issuer,
      audience: this.config.audience,
      now: options.now,
    });
    const { claims } = verified;
    const text = (value: unknown) =>
      typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null;
    return {
      ...verified,
      id: text(claim(claims, this.config.idClaim)),
      email: text(claim(claims, this.config.emailClaim)),
      name: text(claims.name),
      role: this.roleOf(claim(claims, this.config.roleClaim)),
    };
  }

  private keyFor(header: jwt.JwtHeader): KeyObject {
    if (header.alg.startsWith('HS')) {
      if (!this.secret) throw tokenInvalid('algorithm not allowed');
      return this.secret;
    }
    // `kid` is only ever a map key: never a path, URL or query (T18).
    const kid = typeof header.kid === 'string' ? header.kid : null;
    const entry =
      kid !== null ? this.keys.get(kid) : this.keys.size === 1 ? [...this.keys.values()][0] : undefined;
    if (!entry) throw tokenInvalid('unknown key id (kid)');
    if (entry.alg !== null && entry.alg !== header.alg) throw tokenInvalid('algorithm not allowed');
    return entry.key;
  }

  private roleOf(value: unknown): string | null {
    const candidates = Array.isArray(value) ? value : [value];
    for (const candidate of candidates) {
      if (typeof candidate !== 'string') continue;
      const mapped = Object.hasOwn(this.config.roleMap, candidate)
        ? this.config.roleMap[candidate]
        : undefined;
      if (mapped !== undefined) return mapped;
    }
    return null;
  }
}

/** `a.b.c` reaches into nested objects; a claim named with a dot itself is found first. */
function claim(claims: jwt.JwtPayload, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  let value: unknown = claims;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
