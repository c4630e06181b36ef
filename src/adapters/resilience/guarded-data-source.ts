// A source's DataSource behind its circuit breaker: every call (a transaction and a routine call as a whole)
// passes the breaker once, and every SOURCE_UNAVAILABLE leaving it names the service, never the host, and
// carries the seconds a client should wait (Retry-After).
import type { DataSource } from '../../executor/data-source.js';
import { ApiError } from '../../errors/index.js';
import type { SourceBreaker } from './breaker.js';

export interface GuardOptions {
  service: string;
  breaker: SourceBreaker;
  /** Driver error → ApiError (the SQL or MongoDB translation); ApiErrors pass unchanged. */
  translate: (error: unknown) => ApiError;
  /** How long a request waits for a pooled connection, for the "busy" message. */
  acquireTimeoutMs: number | null;
  /** False when the pool's wait queue is full: the call is refused "busy" without queueing. */
  admit?: () => boolean;
}

/** The client-facing unavailable error of one service. */
export function serviceUnavailable(
  service: string,
  reason: string,
  retryAfterMs: number,
  cause?: unknown,
  availability: 'unavailable' | 'busy' | 'open' = 'unavailable',
): ApiError {
  const retryAfter = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const verb = availability === 'busy' ? 'is busy' : 'is unavailable';
  return new ApiError('SOURCE_UNAVAILABLE', `Service '${service}' ${verb}: ${reason}; try again shortly.`, {
    cause,
    details: { service, availability, retryAfter },
  });
}

/** Rewrites a SOURCE_UNAVAILABLE from the adapter so it names the service; other errors pass. */
function named(error: ApiError, options: GuardOptions): ApiError {
  if (error.code !== 'SOURCE_UNAVAILABLE') return error;
  if (error.details?.service === options.service && error.details.retryAfter !== undefined) return error;
  if (error.details?.availability === 'busy') {
    const within = options.acquireTimeoutMs === null ? '' : ` within ${options.acquireTimeoutMs} ms`;
    return serviceUnavailable(
      options.service,
      `no database connection became free${within}`,
      1000,
      error.cause ?? error,
      'busy',
    );
  }
  const reason = /unavailable: (.*); try again/.exec(error.message)?.[1] ?? 'the database cannot be reached';
  return serviceUnavailable(options.service, reason, 1000, error.cause ?? error);
}

/**
 * The error as callers should see it: driver errors the translation knows (a lost connection while a
 * transaction begins or commits) become their ApiError; anything else — ApiErrors, and errors a
 * transaction's own work throws on purpose to roll back — passes unchanged.
 */
function known(error: unknown, options: GuardOptions): unknown {
  if (error instanceof ApiError) return named(error, options);
  const translated = options.translate(error);
  return translated.code === 'DATABASE_ERROR' ? error : named(translated, options);
}

export function guardDataSource(inner: DataSource, options: GuardOptions): DataSource {
  const refuse = (retryAfterMs: number) =>
    serviceUnavailable(
      options.service,
      'it failed repeatedly and is given a pause',
      retryAfterMs,
      undefined,
      'open',
    );
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    if (options.admit && !options.admit()) {
      throw serviceUnavailable(
        options.service,
        'too many requests are waiting for a database connection',
        1000,
        undefined,
        'busy',
      );
    }
    return options.breaker.run(async () => {
      try {
        return await work();
      } catch (error) {
        throw known(error, options);
      }
    }, refuse);
  };
  const guarded: DataSource = {
    read: (query, stats) => guard(() => inner.read(query, stats)),
    readRelated: (relation, query, keys, perParent, stats, keyTypes) =>
      guard(() => inner.readRelated(relation, query, keys, perParent, stats, keyTypes)),
    count: (query, stats) => guard(() => inner.count(query, stats)),
    aggregate: (query, stats) => guard(() => inner.aggregate(query, stats)),
    aggregateRelated: (relation, query, keys, stats) =>
      guard(() => inner.aggregateRelated(relation, query, keys, stats)),
    distinctKeys: (table, fields, where, limit, stats) =>
      guard(() => inner.distinctKeys(table, fields, where, limit, stats)),
    // The work runs on the transaction's own DataSource, unguarded: the transaction passes the breaker once.
    transaction: (work) =>
      guard(async () => {
        let finished = false;
        try {
          return await inner.transaction(async (tx) => {
            const result = await work(tx);
            finished = true;
            return result;
          });
        } catch (error) {
          // The work succeeded and only the commit failed because the connection died around COMMIT (or with
          // something the translation does not know): the database may have committed before it went, so the
          // outcome is unknown to us — a 503 that says so, never a 500 and never "nothing was saved".
          if (!finished || error instanceof ApiError) throw error;
          const code = options.translate(error).code;
          if (code !== 'DATABASE_ERROR' && code !== 'SOURCE_UNAVAILABLE') throw error;
          throw serviceUnavailable(
            options.service,
            'the connection was lost while committing, so the change may or may not be saved',
            1000,
            error,
          );
        }
      }),
    insert: (table, rows, returning, stats) => guard(() => inner.insert(table, rows, returning, stats)),
    update: (table, set, where, stats) => guard(() => inner.update(table, set, where, stats)),
    delete: (table, where, stats) => guard(() => inner.delete(table, where, stats)),
    upsert: (table, values, conflict, update, stats) =>
      guard(() => inner.upsert(table, values, conflict, update, stats)),
  };
  if (inner.canRollback) {
    const canRollback = inner.canRollback.bind(inner);
    guarded.canRollback = () => guard(canRollback);
  }
  if (inner.callRoutine) {
    const call = inner.callRoutine.bind(inner);
    guarded.callRoutine = (routine, args, stats) => guard(() => call(routine, args, stats));
  }
  return guarded;
}
