// The system database of users and sessions as one async interface with two homes (auth.systemDatabase):
// - `{ filename }`: a SQLite file of its own (system-store.ts, synchronous, wrapped here);
// - `{ service }`: tables `junction_users`, `junction_revoked_tokens` and `junction_system` in a configured
//   PostgreSQL, MySQL/MariaDB or SQLite service, created on first use if missing, reached through a small
//   pool of its own. Those three tables are never served (withoutSystemTables), as they hold password hashes.
// Every write through either store changes `version()`, which is how a server notices what the CLI or
// another replica changed: a row in `junction_system` here, SQLite's data_version for the file.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { SystemDatabaseConfig } from '../../auth/types.js';
import type { ServiceConfig } from '../../config/types.js';
import { ApiError } from '../../errors/index.js';
import type { RawCatalog } from '../../introspect/catalog.js';
import { connectionTarget, createKnex, destroyKnex } from './connect.js';
import { translateDbError } from './db-errors.js';
import {
  openSystemStore,
  type NewSystemUser,
  type SystemStore,
  type SystemUser,
  type SystemUserChanges,
} from './system-store.js';

export interface UserStore {
  /** Where the users are, for messages: the file, or `service 'name'`. */
  readonly where: string;
  /** Emails compare case-insensitively. */
  userByEmail(email: string): Promise<SystemUser | null>;
  userById(id: number): Promise<SystemUser | null>;
  listUsers(): Promise<SystemUser[]>;
  /** Throws BAD_REQUEST when the email is taken. */
  addUser(user: NewSystemUser, now?: Date): Promise<SystemUser>;
  /** False when there is no such user. */
  updateUser(email: string, changes: SystemUserChanges, now?: Date): Promise<boolean>;
  removeUser(email: string): Promise<boolean>;
  recordLogin(id: number, at: Date): Promise<void>;
  /** Keeps `jti` refused until `expiresAt` (unix seconds); drops entries that have expired. */
  revokeToken(jti: string, expiresAt: number, now?: Date): Promise<void>;
  isRevoked(jti: string): Promise<boolean>;
  /** Changes whenever users or revoked tokens change (caches compare it to know when to forget). */
  version(): Promise<number>;
  close(): Promise<void>;
}

export const SYSTEM_TABLES = ['junction_users', 'junction_revoked_tokens', 'junction_system'] as const;
const [USERS, REVOKED, META] = SYSTEM_TABLES;

/** The configured system database; a `service` must name a PostgreSQL, MySQL or SQLite service. */
export function openUserStore(location: SystemDatabaseConfig, services: readonly ServiceConfig[]): UserStore {
  if ('filename' in location) return fileUserStore(openSystemStore(location.filename));
  const service = services.find((s) => s.name === location.service);
  if (!service || service.type === 'mongodb') {
    throw new ApiError(
      'CONFIG_INVALID',
      `auth.systemDatabase.service: '${location.service}' is not a configured PostgreSQL, MySQL or SQLite service`,
    );
  }
  return new ServiceUserStore(service);
}

/** A served catalog without Junction's own tables: they hold password hashes and must never be served. */
export function withoutSystemTables(catalog: RawCatalog): RawCatalog {
  const system: readonly string[] = SYSTEM_TABLES;
  const tables = catalog.tables.filter((table) => !system.includes(table.name.toLowerCase()));
  return tables.length === catalog.tables.length ? catalog : { ...catalog, tables };
}

/** The SQLite file store behind the async interface. */
export function fileUserStore(store: SystemStore): UserStore {
  return {
    where: store.filename,
    userByEmail: async (email) => store.userByEmail(email),
    userById: async (id) => store.userById(id),
    listUsers: async () => store.listUsers(),
    addUser: async (user, now) => store.addUser(user, now),
    updateUser: async (email, changes, now) => store.updateUser(email, changes, now),
    removeUser: async (email) => store.removeUser(email),
    recordLogin: async (id, at) => store.recordLogin(id, at),
    revokeToken: async (jti, expiresAt, now) => store.revokeToken(jti, expiresAt, now),
    isRevoked: async (jti) => store.isRevoked(jti),
    version: async () => store.version(),
    close: async () => store.close(),
  };
}

interface UserRow {
  id: number | string;
  email: string;
  name: string | null;
  password_hash: string;
  role: string;
  active: boolean | number | string;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

const fromRow = (r: UserRow): SystemUser => ({
  id: Number(r.id),
  email: r.email,
  name: r.name,
  passwordHash: r.password_hash,
  role: r.role,
  active: r.active === true || Number(r.active) === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  lastLoginAt: r.last_login_at,
});

/** Emails are unique whatever their case: the lower-cased form is the key. */
const emailKey = (email: string) => email.toLowerCase();
/** Provider `jti`s can be long; past 128 characters their SHA-256 stands in for them. */
const jtiKey = (jti: string) =>
  jti.length <= 128 ? jti : `sha256:${createHash('sha256').update(jti).digest('hex')}`;

const COLUMNS: Record<keyof SystemUserChanges, string> = {
  name: 'name',
  passwordHash: 'password_hash',
  role: 'role',
  active: 'active',
};

class ServiceUserStore implements UserStore {
  readonly where: string;
  private readonly db: Knex;
  private ready: Promise<void> | null = null;

  constructor(private readonly service: ServiceConfig) {
    this.where = `service '${service.name}' (${connectionTarget(service).where})`;
    this.db = createKnex(service);
  }

  userByEmail(email: string) {
    return this.run(async (db) => {
      const row = (await db(USERS)
        .where({ email_key: emailKey(email) })
        .first()) as UserRow | undefined;
      return row ? fromRow(row) : null;
    });
  }

  userById(id: number) {
    return this.run(async (db) => {
      const row = (await db(USERS).where({ id }).first()) as UserRow | undefined;
      return row ? fromRow(row) : null;
    });
  }

  listUsers() {
    return this.run(async (db) => ((await db(USERS).orderBy('id')) as UserRow[]).map(fromRow));
  }

  async addUser(user: NewSystemUser, now = new Date()) {
    const at = now.toISOString();
    const taken = () => new ApiError('BAD_REQUEST', `a user with the email ${user.email} exists already`);
    if (await this.userByEmail(user.email)) throw taken();
    try {
      await this.run((db) =>
        db.transaction(async (trx) => {
          await trx(USERS).insert({
            email: user.email,
            email_key: emailKey(user.email),
            name: user.name,
            password_hash: user.passwordHash,
            role: user.role,
            active: user.active,
            created_at: at,
            updated_at: at,
          });
          await bump(trx);
        }),
      );
    } catch (error) {
      // Another process added the same email in between: the unique key refused the second row.
      if (await this.userByEmail(user.email)) throw taken();
      throw error;
    }
    return (await this.userByEmail(user.email)) as SystemUser;
  }

  updateUser(email: string, changes: SystemUserChanges, now = new Date()) {
    const set: Record<string, unknown> = { updated_at: now.toISOString() };
    for (const key of Object.keys(changes) as (keyof SystemUserChanges)[]) {
      if (changes[key] !== undefined) set[COLUMNS[key]] = changes[key];
    }
    return this.run((db) =>
      db.transaction(async (trx) => {
        const changed = await trx(USERS)
          .where({ email_key: emailKey(email) })
          .update(set);
        if (changed > 0) await bump(trx);
        return changed > 0;
      }),
    );
  }

  removeUser(email: string) {
    return this.run((db) =>
      db.transaction(async (trx) => {
        const removed = await trx(USERS)
          .where({ email_key: emailKey(email) })
          .delete();
        if (removed > 0) await bump(trx);
        return removed > 0;
      }),
    );
  }

  recordLogin(id: number, at: Date) {
    return this.run(async (db) => {
      await db(USERS).where({ id }).update({ last_login_at: at.toISOString() });
    });
  }

  revokeToken(jti: string, expiresAt: number, now = new Date()) {
    return this.run((db) =>
      db.transaction(async (trx) => {
        await trx(REVOKED)
          .where('expires_at', '<', Math.floor(now.getTime() / 1000))
          .delete();
        await trx(REVOKED)
          .insert({ jti: jtiKey(jti), expires_at: expiresAt })
          .onConflict('jti')
          .merge();
        await bump(trx);
      }),
    );
  }

  isRevoked(jti: string) {
    return this.run(
      async (db) =>
        (await db(REVOKED)
          .where({ jti: jtiKey(jti) })
          .first('jti')) !== undefined,
    );
  }

  version() {
    return this.run(async (db) => {
      const row = (await db(META).where({ id: 1 }).first('version')) as
        { version: number | string } | undefined;
      return Number(row?.version ?? 0);
    });
  }

  close() {
    return destroyKnex(this.db);
  }

  /** Runs `work` once the tables exist; driver errors become Junction's (503 while unreachable). */
  private async run<T>(work: (db: Knex) => Promise<T>): Promise<T> {
    try {
      this.ready ??= createTables(this.db).catch((error: unknown) => {
        this.ready = null; // tried again on the next call
        throw error;
      });
      await this.ready;
      return await work(this.db);
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw translateDbError(error);
    }
  }
}

function bump(trx: Knex.Transaction) {
  return trx(META)
    .where({ id: 1 })
    .update({ version: trx.raw('?? + 1', ['version']) });
}

/** Creates the tables that are missing; another process creating them at the same moment is fine. */
async function createTables(db: Knex): Promise<void> {
  const tables: [string, (t: Knex.CreateTableBuilder) => void][] = [
    [
      USERS,
      (t) => {
        t.increments('id').primary();
        t.string('email', 254).notNullable();
        t.string('email_key', 254).notNullable().unique();
        t.string('name', 255).nullable();
        t.string('password_hash', 255).notNullable();
        t.string('role', 64).notNullable();
        t.boolean('active').notNullable().defaultTo(true);
        t.string('created_at', 32).notNullable();
        t.string('updated_at', 32).notNullable();
        t.string('last_login_at', 32).nullable();
      },
    ],
    [
      REVOKED,
      (t) => {
        t.string('jti', 200).primary();
        t.bigInteger('expires_at').notNullable().index();
      },
    ],
    [
      META,
      (t) => {
        t.integer('id').primary();
        t.bigInteger('version').notNullable();
      },
    ],
  ];
  for (const [name, columns] of tables) {
    if (await db.schema.hasTable(name)) continue;
    try {
      await db.schema.createTable(name, columns);
    } catch (error) {
      if (!(await db.schema.hasTable(name))) throw error;
    }
  }
  await db(META).insert({ id: 1, version: 0 }).onConflict('id').ignore();
}
