// Local users' sessions: email + password → a session JWT (login); a session JWT → the user it belongs to,
// checked against the system database on every request (revoked? user still there and active? which role?);
// logout revokes the token's `jti` until it expires. What the store says is cached for at most 5 s and
// forgotten as soon as any other process (the CLI, another worker) writes to the store, so a disabled user's
// token stops working on the next request (security.md T18, A6).
import { ApiError } from '../errors/index.js';
import { openSystemStore, type SystemStore, type SystemUser } from '../adapters/sql/system-store.js';
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
export const CACHE_TTL_MS = 5_000;
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
  private seenVersion: number;

  constructor(
    private readonly config: UsersConfig,
    readonly store: SystemStore = openSystemStore(config.systemDatabase.filename),
    private readonly clock: () => number = Date.now,
  ) {
    this.seenVersion = store.version();
    // Computed once, ahead of the first login with an unknown email, which would otherwise take twice as long.
    void dummyPasswordHash();
  }

  /** Wrong email, wrong password and a disabled user get the same answer in about the same time. */
  async login(email: unknown, password: unknown): Promise<{ user: SystemUser; session: IssuedSession }> {
    if (typeof email !== 'string' || email.trim() === '')
      throw new ApiError('BAD_REQUEST', 'Login request is missing required email.');
    if (typeof password !== 'string' || password === '')
      throw new ApiError('BAD_REQUEST', 'Login request is missing required password.');
    if (password.length > MAX_PASSWORD_LENGTH) throw invalidCredentials();
    const user = this.store.userByEmail(email.trim());
    const matches = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
    if (!user || !matches || !user.active) throw invalidCredentials();
    const now = this.clock();
    const session = issueSessionToken(this.config.sessionSecret, user.id, this.config.sessionTtlSeconds, {
      now,
    });
    this.store.recordLogin(user.id, new Date(now));
    this.users.delete(user.id);
    return { user: { ...user, lastLoginAt: new Date(now).toISOString() }, session };
  }

  /** A session token → its session; throws 401 (expired, invalid, user gone or disabled) or 403 (revoked). */
  verify(token: string): LocalSession {
    const verified = verifySessionToken(token, this.config.sessionSecret, { now: this.clock() });
    if (this.isRevoked(verified.jti)) throw tokenRevoked();
    const user = this.cached(this.users, verified.userId, () => this.store.userById(verified.userId));
    if (!user || !user.active) throw tokenInvalid('the user is disabled or no longer exists');
    return { user, jti: verified.jti, expiresAt: verified.exp };
  }

  /** Whether `jti` was logged out (also for external tokens, which share the list). */
  isRevoked(jti: string): boolean {
    this.forgetIfChanged();
    return this.cached(this.revoked, jti, () => this.store.isRevoked(jti));
  }

  /** Refuses the token from now on, until it would have expired anyway (clock skew included). */
  logout(jti: string, expiresAt: number): void {
    this.store.revokeToken(jti, expiresAt + CLOCK_TOLERANCE_SECONDS, new Date(this.clock()));
    this.revoked.set(jti, { value: true, at: this.clock() });
  }

  close(): void {
    this.store.close();
  }

  private forgetIfChanged(): void {
    const version = this.store.version();
    if (version === this.seenVersion) return;
    this.seenVersion = version;
    this.users.clear();
    this.revoked.clear();
  }

  private cached<K, T>(cache: Map<K, Cached<T>>, key: K, read: () => T): T {
    const now = this.clock();
    const hit = cache.get(key);
    if (hit && now - hit.at < CACHE_TTL_MS) return hit.value;
    if (cache.size >= CACHE_LIMIT) cache.clear();
    const value = read();
    cache.set(key, { value, at: now });
    return value;
  }
}

function invalidCredentials(): ApiError {
  return new ApiError('UNAUTHORIZED', INVALID_CREDENTIALS);
}
