// One SQLite connection living in a statement process (statement-process.ts): statements in, rows out, with the
// service's statement timeout. A statement past it kills the process (the only way to stop SQLite from
// outside), fails with 504 STATEMENT_TIMEOUT, and leaves this connection dead for the pool to replace.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { ApiError } from '../../errors/index.js';
import { serviceUnavailable } from '../resilience/guarded-data-source.js';
import type { ErrorReply, OpenRequest, ProcessMessage, StatementReply, StatementResult } from './protocol.js';
import { statementProcessSource } from './statement-process.js';

export interface RemoteOptions extends OpenRequest {
  service: string;
  statementMs: number;
}

interface Pending {
  resolve: (reply: StatementResult) => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

/** A driver error rebuilt from the process's message: db-errors.ts reads its `code` as before. */
export class SqliteDriverError extends Error {
  constructor(
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'SqliteError';
  }
}

const DRIVER = createRequire(import.meta.url).resolve('better-sqlite3');

export class SqliteRemote {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Why the process is gone; every later statement fails with it. */
  private death: ApiError | null = null;

  private constructor(
    private readonly options: RemoteOptions,
    private readonly onTimeout: () => void,
  ) {
    this.child = spawn(process.execPath, ['-e', statementProcessSource(DRIVER)], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (message: ProcessMessage) => this.settle(message));
    this.child.on('exit', () => this.fail(ended(options.service)));
    // Not started (out of memory, no such file) or its channel broke: a failed source, never a crash.
    this.child.on('error', (error) => this.fail(ended(options.service, error)));
    // The connection must not keep the server (or a CLI run) alive on its own.
    this.child.unref();
    this.child.channel?.unref();
  }

  /**
   * Starts the process and opens the file; rejects with the driver's error when SQLite cannot open it.
   * `onTimeout` hears when a statement timeout killed the process, so a successor can start at once.
   */
  static open(options: RemoteOptions, onTimeout: () => void = () => {}): Promise<SqliteRemote> {
    const remote = new SqliteRemote(options, onTimeout);
    return new Promise((resolve, reject) => {
      const onMessage = (message: ProcessMessage) => {
        if (!('ready' in message)) return;
        remote.child.off('message', onMessage);
        remote.child.off('exit', onExit);
        remote.child.off('error', onExit);
        if (message.ready) resolve(remote);
        else {
          remote.kill();
          reject(new SqliteDriverError(message.error.code, message.error.message));
        }
      };
      const onExit = () =>
        reject(new SqliteDriverError('SQLITE_CANTOPEN', 'the SQLite statement process could not start'));
      remote.child.on('message', onMessage);
      remote.child.on('exit', onExit);
      remote.child.on('error', onExit);
      remote.child.send(openRequest(options));
    });
  }

  get dead(): boolean {
    return this.death !== null;
  }

  /** Runs one statement; `bindings` must already be values better-sqlite3 binds (no booleans, no dates). */
  run(sql: string, bindings: readonly unknown[]): Promise<StatementResult> {
    if (this.death) return Promise.reject(this.death);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.timeout(), this.options.statementMs);
      this.pending.set(id, { resolve, reject, timer });
      this.child.send({ id, sql, bindings: [...bindings] }, (error) => {
        if (error) this.fail(ended(this.options.service, error));
      });
    });
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private timeout(): void {
    this.fail(
      new ApiError(
        'STATEMENT_TIMEOUT',
        'The database took too long to answer and the statement was cancelled.',
        { details: { service: this.options.service, timeoutMs: this.options.statementMs } },
      ),
    );
    this.onTimeout();
  }

  /** The process is (to be) gone: reject what waits, and everything after. */
  private fail(error: ApiError): void {
    this.death ??= error;
    this.kill();
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(this.death);
    }
  }

  private settle(message: ProcessMessage): void {
    if ('ready' in message) return;
    const p = this.pending.get(message.id);
    if (!p) return;
    this.pending.delete(message.id);
    clearTimeout(p.timer);
    if ('error' in message) p.reject(this.driverError(message));
    else p.resolve(toResult(message));
  }

  private driverError(message: ErrorReply): Error {
    const { code, message: text } = message.error;
    // Another process holds the file's lock past the busy timeout: the source is unavailable, not broken.
    if (code === 'SQLITE_BUSY' || code?.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED') {
      const reason = 'its database file is locked by another process';
      return serviceUnavailable(this.options.service, reason, 1000, new SqliteDriverError(code, text));
    }
    return new SqliteDriverError(code, text);
  }
}

function openRequest(options: RemoteOptions): OpenRequest {
  return { filename: options.filename, readonly: options.readonly, pragmas: options.pragmas };
}

function ended(service: string, cause?: unknown): ApiError {
  return serviceUnavailable(service, 'its database connection ended', 1000, cause);
}

/**
 * Rows back to objects (a repeated column name keeps its last value, as better-sqlite3 does), blobs back to
 * Buffers: structured clone may hand them over as plain Uint8Arrays.
 */
function toResult(reply: StatementReply): StatementResult {
  const { columns } = reply;
  const rows = reply.rows.map((values) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) {
      const value = values[i];
      row[columns[i] as string] =
        value instanceof Uint8Array && !Buffer.isBuffer(value)
          ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
          : value;
    }
    return row;
  });
  return { ...reply, rows };
}
