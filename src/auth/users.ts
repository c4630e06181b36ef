// Local users' sessions: email + password → a session JWT (login); a session JWT → the user it belongs to,
// checked against the system database on every request (revoked? user still there and active? which role?);
// logout revokes the token's `jti` until it expires. What the store says is cached for at most 5 s and
// forgotten as soon as the store's version changes (the CLI, another worker or replica wrote to it), so a
// disabled user's token stops working on the next request (security.md T18, A6). The same password check
// serves `Authorization: Basic` (compat §10.1), whose successes are remembered for a minute (by an HMAC of
// the credentials under a key of this process, never the password) so that a client sending them on every
// request does not pay for a password hash each time.
import { createHmac, randomBytes } from 'node:crypto';
import { ApiError } from '../errors/index.js';
import type { SystemUser } from '../adapters/sql/system-store.js';
import type { UserStore } from '../adapters/sql/user-store.js';
import { credentialsRefused } from './failures.js';
import {
  CLOCK_TOLERANCE_SECONDS,
  issueSessionToken,
  tokenInvalid,
  tokenRevoked,
  verifySessionToken,
  type IssuedSession,
} from './jwt.js';
import { dummyPasswordHash, MAX_PASSWORD_LENGTH, verifyPassword } from './passwords.js';
import type { UsersConfig } from './types.js';

export const INVALID_CREDENTIALS = 'Invalid credentials supplied.';
export const BASIC_REFUSED = 'Unauthorized. User credentials did not match.';
export const CACHE_TTL_MS = 5_000;
const BASIC_CACHE_TTL_MS = 60_000;
const CACHE_LIMIT = 10_000;

export interface LocalSession {
  user: SystemUser;
  jti: string;
  /** Unix seconds. */
  expiresAt: number;
}

interface Cached<T> {
  value: T;
  at: number;
}

export class UserSessions {
  private readonly users = new Map<number, Cached<SystemUser | null>>();
  private readonly revoked = new Map<string, Cached<boolean>>();
  /** HMAC(email, password) → user id, for Basic credentials that were right. */
  private readonly basic = new Map<string, Cached<number>>();
  private readonly basicKey = randomBytes(32);
  /** The store version the caches hold; read lazily, so a store that is down fails requests, not the start. */
  private seenVersion = -1;

  constructor(
    private readonly config: UsersConfig,
    readonly store: UserStore,
    private readonly clock: () => number = Date.now,
  ) {
    // Computed once, ahead of the first login with an unknown email, which would otherwise take twice as long.
    void dummyPasswordHash();
  }

  /** Wrong email, wrong password and a disabled user get the same answer in about the same time. */
  async login(email: unknown, password: unknown): Promise<{ user: SystemUser; session: IssuedSession }> {
    if (typeof email !== 'string' || email.trim() === '')
      throw new ApiError('BAD_REQUEST', 'Login request is missing required email.');
    if (typeof password !== 'string' || password === '')
      throw new ApiError('BAD_REQUEST', 'Login request is missing required password.');
    const user = await this.checkPassword(email, password, invalidCredentials);
    const now = this.clock();
    const session = issueSessionToken(this.config.sessionSecret, user.id, this.config.sessionTtlSeconds, {
      now,
    });
    await this.store.recordLogin(user.id, new Date(now));
    this.users.delete(user.id);
    return { user: { ...user, lastLoginAt: new Date(now).toISOString() }, session };
  }

  /**
   * `Authorization: Basic` credentials → their active user, with the login's password check; any failure is
   * 401 `Unauthorized. User credentials did not match.` (compat §10.1).
   */
  async authenticateBasic(email: string, password: string): Promise<SystemUser> {
    await this.forgetIfChanged();
    const key = createHmac('sha256', this.basicKey)
      .update(email.trim())
      .update('\0')
      .update(password)
      .digest('base64');
    const hit = this.basic.get(key);
    if (hit && this.clock() - hit.at < BASIC_CACHE_TTL_MS) {
      const user = await this.userById(hit.value);
      if (user?.active) return user;
    }
    const user = await this.checkPassword(email, password, basicRefused);
    if (this.basic.size >= CACHE_LIMIT) this.basic.clear();
    this.basic.set(key, { value: user.id, at: this.clock() });
    return user;
  }

  /** A session token → its session; throws 401 (expired, invalid, user gone or disabled) or 403 (revoked). */
  async verify(token: string): Promise<LocalSession> {
    const verified = verifySessionToken(token, this.config.sessionSecret, { now: this.clock() });
    if (await this.isRevoked(verified.jti)) throw tokenRevoked();
    const user = await this.userById(verified.userId);
    if (!user || !user.active) throw tokenInvalid('the user is disabled or no longer exists');
    return { user, jti: verified.jti, expiresAt: verified.exp };
  }

  /** Whether `jti` was logged out (also for external tokens, which share the list). */
  async isRevoked(jti: string): Promise<boolean> {
    await this.forgetIfChanged();
    return this.cached(this.revoked, jti, () => this.store.isRevoked(jti));
  }

  /** Refuses the token from now on, until it would have expired anyway (clock skew included). */
  async logout(jti: string, expiresAt: number): Promise<void> {
    await this.store.revokeToken(jti, expiresAt + CLOCK_TOLERANCE_SECONDS, new Date(this.clock()));
    this.revoked.set(jti, { value: true, at: this.clock() });
  }

  close(): Promise<void> {
    return this.store.close();
  }

  private userById(id: number): Promise<SystemUser | null> {
    return this.cached(this.users, id, () => this.store.userById(id));
  }

  /** The active user with this email and password; otherwise `refused()`, after as long as a real check. */
  private async checkPassword(email: string, password: string, refused: () => ApiError): Promise<SystemUser> {
    if (password.length > MAX_PASSWORD_LENGTH) throw refused();
    const user = await this.store.userByEmail(email.trim());
    const matches = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
    if (!user || !matches || !user.active) throw refused();
    return user;
  }

  private async forgetIfChanged(): Promise<void> {
    const version = await this.store.version();
    if (version === this.seenVersion) return;
    this.seenVersion = version;
    this.users.clear();
    this.revoked.clear();
    this.basic.clear();
  }

  private async cached<K, T>(cache: Map<K, Cached<T>>, key: K, read: () => Promise<T>): Promise<T> {
    const now = this.clock();
    const hit = cache.get(key);
    if (hit && now - hit.at < CACHE_TTL_MS) return hit.value;
    if (cache.size >= CACHE_LIMIT) cache.clear();
    const value = await read();
    cache.set(key, { value, at: now });
    return value;
  }
}

function invalidCredentials(): ApiError {
  return credentialsRefused(new ApiError('UNAUTHORIZED', INVALID_CREDENTIALS));
}

function basicRefused(): ApiError {
  return credentialsRefused(new ApiError('UNAUTHORIZED', BASIC_REFUSED));
}
