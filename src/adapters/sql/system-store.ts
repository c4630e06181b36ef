// A SQLite file path → the system store: users (email, display name, password hash, role, active) and revoked
// session tokens. Synchronous (better-sqlite3), because every request with a token reads it before anything
// else runs; each call is one indexed statement. Tables are created on first use; the file is created
// readable by its owner only, as it holds password hashes.
import { closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ApiError } from '../../errors/index.js';

export interface SystemUser {
  id: number;
  email: string;
  name: string | null;
  /** `scrypt$N$r$p$salt$hash` (src/auth/passwords.ts). */
  passwordHash: string;
  role: string;
  active: boolean;
  /** ISO 8601, UTC. */
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string | null;
}

export interface NewSystemUser {
  email: string;
  name: string | null;
  passwordHash: string;
  role: string;
  active: boolean;
}

export type SystemUserChanges = Partial<Pick<SystemUser, 'name' | 'passwordHash' | 'role' | 'active'>>;

export interface SystemStore {
  readonly filename: string;
  /** Emails compare case-insensitively (ASCII), as they are unique that way. */
  userByEmail(email: string): SystemUser | null;
  userById(id: number): SystemUser | null;
  listUsers(): SystemUser[];
  /** Throws BAD_REQUEST when the email is taken. */
  addUser(user: NewSystemUser, now?: Date): SystemUser;
  /** False when there is no such user. */
  updateUser(email: string, changes: SystemUserChanges, now?: Date): boolean;
  removeUser(email: string): boolean;
  recordLogin(id: number, at: Date): void;
  /** Keeps `jti` refused until `expiresAt` (unix seconds); drops entries that have expired. */
  revokeToken(jti: string, expiresAt: number, now?: Date): void;
  isRevoked(jti: string): boolean;
  /**
   * Changes whenever another connection (another process: the CLI, another worker) commits to the file;
   * caches compare it to know when to forget what they read (SQLite's `PRAGMA data_version`).
   */
  version(): number;
  close(): void;
}

const SCHEMA = `
create table if not exists users (
  id integer primary key autoincrement,
  email text not null unique collate nocase,
  name text,
  password_hash text not null,
  role text not null,
  active integer not null default 1,
  created_at text not null,
  updated_at text not null,
  last_login_at text
);
create table if not exists revoked_tokens (
  jti text primary key,
  expires_at integer not null
);
create index if not exists revoked_tokens_expires_at on revoked_tokens (expires_at);
`;

interface UserRecord {
  id: number;
  email: string;
  name: string | null;
  password_hash: string;
  role: string;
  active: number;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

const fromRecord = (r: UserRecord): SystemUser => ({
  id: r.id,
  email: r.email,
  name: r.name,
  passwordHash: r.password_hash,
  role: r.role,
  active: r.active === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  lastLoginAt: r.last_login_at,
});

const COLUMNS: Record<keyof SystemUserChanges, string> = {
  name: 'name',
  passwordHash: 'password_hash',
  role: 'role',
  active: 'active',
};

export function openSystemStore(filename: string): SystemStore {
  let db: Database.Database;
  try {
    if (filename !== ':memory:' && !existsSync(filename)) closeSync(openSync(filename, 'a', 0o600));
    db = new Database(filename);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    throw new ApiError('CONFIG_INVALID', `cannot open the system database ${filename} (${reason})`, {
      path: 'auth.systemDatabase',
      cause,
    });
  }
  const byEmail = db.prepare<[string], UserRecord>('select * from users where email = ?');
  const byId = db.prepare<[number], UserRecord>('select * from users where id = ?');
  const all = db.prepare<[], UserRecord>('select * from users order by id');
  const insert = db.prepare(
    'insert into users (email, name, password_hash, role, active, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?)',
  );
  const remove = db.prepare('delete from users where email = ?');
  const login = db.prepare('update users set last_login_at = ? where id = ?');
  const revoke = db.prepare('insert or replace into revoked_tokens (jti, expires_at) values (?, ?)');
  const purge = db.prepare('delete from revoked_tokens where expires_at < ?');
  const revoked = db.prepare<[string], { found: number }>(
    'select 1 as found from revoked_tokens where jti = ?',
  );

  return {
    filename,
    userByEmail: (email) => {
      const row = byEmail.get(email);
      return row ? fromRecord(row) : null;
    },
    userById: (id) => {
      const row = byId.get(id);
      return row ? fromRecord(row) : null;
    },
    listUsers: () => all.all().map(fromRecord),
    addUser(user, now = new Date()) {
      const at = now.toISOString();
      try {
        const result = insert.run(
          user.email,
          user.name,
          user.passwordHash,
          user.role,
          user.active ? 1 : 0,
          at,
          at,
        );
        return fromRecord(byId.get(Number(result.lastInsertRowid)) as UserRecord);
      } catch (cause) {
        if ((cause as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
          throw new ApiError('BAD_REQUEST', `a user with the email ${user.email} exists already`);
        }
        throw cause;
      }
    },
    updateUser(email, changes, now = new Date()) {
      const keys = (Object.keys(changes) as (keyof SystemUserChanges)[]).filter(
        (key) => changes[key] !== undefined,
      );
      const sets = keys.map((key) => `${COLUMNS[key]} = ?`);
      const values = keys.map((key) => {
        const value = changes[key];
        return typeof value === 'boolean' ? (value ? 1 : 0) : (value ?? null);
      });
      const sql = `update users set ${[...sets, 'updated_at = ?'].join(', ')} where email = ?`;
      return db.prepare(sql).run(...values, now.toISOString(), email).changes > 0;
    },
    removeUser: (email) => remove.run(email).changes > 0,
    recordLogin(id, at) {
      login.run(at.toISOString(), id);
    },
    revokeToken(jti, expiresAt, now = new Date()) {
      db.transaction(() => {
        purge.run(Math.floor(now.getTime() / 1000));
        revoke.run(jti, expiresAt);
      })();
    },
    isRevoked: (jti) => revoked.get(jti) !== undefined,
    version: () => db.pragma('data_version', { simple: true }) as number,
    close() {
      if (db.open) db.close();
    },
  };
}
