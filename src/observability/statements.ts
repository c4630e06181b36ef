// One executed database statement → every observer that wants it (Prometheus counters, trace spans, and later a
// query log). Adapters report through `statementHub`, the one object they are handed; what observes is decided
// by the HTTP server at start. Events carry the SQL text with placeholders and, separately, the bound values:
// an observer that writes anything out must not copy the values (metrics and spans never do).
import type { RequestTag } from '../executor/data-source.js';

export interface StatementEvent {
  /** The configured service (database) the statement ran on. */
  service: string;
  /** `postgres`, `mysql`, `sqlite` or `mongodb`. */
  dialect: string;
  /** The statement with placeholders (a MongoDB operation's name), never the values. */
  sql: string;
  /** The values bound to the placeholders: secrets and personal data may be among them. */
  bindings: readonly unknown[];
  /** Wall-clock start, ms since the epoch. */
  startedAt: number;
  durationMs: number;
  /** Rows returned or changed, when known. */
  rows: number | null;
  /** The driver's error when the statement failed (before translation to an ApiError). */
  error: unknown;
  /** The request it ran for (its id, and the key observers keep per-request state under). */
  request: RequestTag | undefined;
}

export interface StatementObserver {
  onStatement(event: StatementEvent): void;
}

class StatementHub implements StatementObserver {
  private readonly observers = new Set<StatementObserver>();

  /** Whether anyone listens: adapters skip building events (and SQL text) when nobody does. */
  get active(): boolean {
    return this.observers.size > 0;
  }

  add(observer: StatementObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  onStatement(event: StatementEvent): void {
    for (const observer of this.observers) {
      // An observer's bug must never fail the statement that already ran.
      try {
        observer.onStatement(event);
      } catch {
        /* ignored on purpose */
      }
    }
  }
}

/** The process's one hub: sources report to it, servers subscribe to it. */
export const statementHub = new StatementHub();

/** What an adapter needs to report its statements. */
export interface StatementReporting {
  service: string;
  hub: Pick<StatementHub, 'active' | 'onStatement'>;
}

/** `select`, `insert`, `update`, `delete`, `call`, … — the statement's first keyword, lower-cased. */
export function statementKind(sql: string): string {
  const word = /^\s*(?:\(\s*)*([A-Za-z]+)/.exec(sql)?.[1]?.toLowerCase() ?? 'other';
  if (word === 'with') return /\b(insert|update|delete)\b/i.exec(sql)?.[1]?.toLowerCase() ?? 'select';
  return KINDS.has(word) ? word : 'other';
}

const KINDS = new Set(['select', 'insert', 'update', 'delete', 'call', 'replace', 'merge', 'upsert']);

/** Runs `work` (one statement) and reports it to `reporting` when someone listens; the result is unchanged. */
export async function observed<T>(
  reporting: StatementReporting | undefined,
  details: {
    dialect: string;
    request: RequestTag | undefined;
    text: () => { sql: string; bindings: readonly unknown[] };
  },
  work: () => Promise<T>,
  rowsOf: (result: T) => number | null,
): Promise<T> {
  if (!reporting?.hub.active) return work();
  const startedAt = Date.now();
  const start = performance.now();
  const report = (rows: number | null, error: unknown) => {
    const { sql, bindings } = details.text();
    reporting.hub.onStatement({
      service: reporting.service,
      dialect: details.dialect,
      sql,
      bindings,
      startedAt,
      durationMs: performance.now() - start,
      rows,
      error,
      request: details.request,
    });
  };
  try {
    const result = await work();
    report(rowsOf(result), null);
    return result;
  } catch (error) {
    report(null, error);
    throw error;
  }
}
