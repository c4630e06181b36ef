// The messages between a SQLite service and its statement process (statement-process.ts), one statement at
// a time. Values travel with Node's structured clone ("advanced" IPC): bigints and Buffers survive.

export interface OpenRequest {
  filename: string;
  readonly: boolean;
  /** `PRAGMA` settings applied right after opening (pragmas.ts). */
  pragmas: string[];
}

export interface StatementRequest {
  id: number;
  sql: string;
  bindings: unknown[];
}

export interface StatementReply {
  id: number;
  /** Whether the statement returns rows (SELECT, … RETURNING); otherwise rows is empty. */
  reader: boolean;
  /** Column names of `rows`, which travel as arrays (StatementResult turns them back into objects). */
  columns: string[];
  rows: unknown[][];
  changes: number;
  lastInsertRowid: number | bigint;
}

/** A driver error as plain data: `code` (SQLITE_BUSY, SQLITE_CONSTRAINT_UNIQUE, …) is what db-errors.ts maps. */
export interface ErrorReply {
  id: number;
  error: { code: string | undefined; message: string };
}

/** A reply as callers use it: one object per row, as better-sqlite3 returns them. */
export interface StatementResult extends Omit<StatementReply, 'rows' | 'columns'> {
  rows: Record<string, unknown>[];
}

export type ProcessMessage =
  { ready: true } | { ready: false; error: ErrorReply['error'] } | StatementReply | ErrorReply;
