// knex's better-sqlite3 client with its one connection moved into a statement process (remote.ts): builder
// queries, transactions (BEGIN … COMMIT/ROLLBACK, savepoints) and the direct statement path all run there,
// so a slow or locked SQLite file no longer blocks the event loop. knex's pool (max 1) keeps a transaction's
// statements alone on the connection, exactly as before.
import { createRequire } from 'node:module';
import { ApiError } from '../../errors/index.js';
import { SqliteRemote, type RemoteOptions } from './remote.js';

interface KnexQuery {
  sql: string;
  bindings?: unknown[];
  response?: unknown;
  context?: { lastID: number | bigint; changes: number };
}

interface BetterSqliteClient {
  connectionSettings: { remote: RemoteOptions };
  query(connection: unknown, query: unknown): Promise<unknown>;
  destroy(callback?: unknown): Promise<unknown>;
  _formatBindings(bindings: unknown[] | undefined): unknown[];
}

type ClientClass = new (config: unknown) => BetterSqliteClient;

// knex ships no types for its dialect classes; this one is what `client: 'better-sqlite3'` loads.
const Base = createRequire(import.meta.url)('knex/lib/dialects/better-sqlite3/index.js') as ClientClass;

/** What `_query` throws around an ApiError, because knex prefixes the SQL text to a failed query's message. */
class Carrier extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
  }
}

export class SqliteProcessClient extends Base {
  /** A process started when a statement timeout killed the last one: starting takes a while (tsx: seconds). */
  private spare: Promise<SqliteRemote> | null = null;
  private closed = false;

  async acquireRawConnection(): Promise<SqliteRemote> {
    const spare = this.spare;
    this.spare = null;
    const ready = await spare?.catch(() => null);
    if (ready && !ready.dead) return ready;
    return this.start();
  }

  override async destroy(callback?: unknown): Promise<unknown> {
    this.closed = true;
    const spare = this.spare;
    this.spare = null;
    void spare?.then(
      (remote) => remote.kill(),
      () => undefined,
    );
    return super.destroy(callback);
  }

  private start(): Promise<SqliteRemote> {
    return SqliteRemote.open(this.connectionSettings.remote, () => {
      if (this.closed || this.spare) return;
      this.spare = this.start();
      this.spare.catch(() => undefined);
    });
  }

  async destroyRawConnection(connection: SqliteRemote): Promise<void> {
    connection.kill();
  }

  /** A connection whose process was killed (statement timeout) or died is replaced on next acquire. */
  validateConnection(connection: SqliteRemote): boolean {
    return !connection.dead;
  }

  override async query(connection: unknown, query: unknown): Promise<unknown> {
    try {
      return await super.query(connection, query);
    } catch (error) {
      throw error instanceof Carrier ? error.error : error;
    }
  }

  async _query(connection: SqliteRemote, obj: KnexQuery): Promise<KnexQuery> {
    if (!obj.sql) throw new Error('The query is empty');
    // The process died with an open transaction: SQLite rolled it back from its journal, which is what
    // knex's ROLLBACK asks for, so the caller sees the error that ended the transaction instead of this one.
    if (connection.dead && /^ROLLBACK\b/i.test(obj.sql)) return obj;
    try {
      const reply = await connection.run(obj.sql, this._formatBindings(obj.bindings));
      if (reply.reader) obj.response = reply.rows;
      else {
        obj.response = { changes: reply.changes, lastInsertRowid: reply.lastInsertRowid };
        obj.context = { lastID: reply.lastInsertRowid, changes: reply.changes };
      }
      return obj;
    } catch (error) {
      throw error instanceof ApiError ? new Carrier(error) : error;
    }
  }
}
