// ObservabilityConfig.queryLog (+ JUNCTION_QUERY_LOG / DB_QUERY_LOG_ENABLED) → one info log entry per database
// statement and per event-script run, each with its request id, so one request's work can be read in the log
// (DreamFactory's DB_QUERY_LOG_ENABLED). Bound values are replaced by their types unless `bindings: shown`.
// Introspection and connection probes bypass the hub and are not logged; a statement run outside any request
// (none today) would carry no requestId in JSON and `request=-` in text. The hub is process-wide: a process runs one server (a worker is a
// process), so its query log sees exactly that server's statements.
import type { ObservabilityConfig } from '../config/types.js';
import type { Logger } from './logger.js';
import { currentRequestId } from './request-scope.js';
import { statementHub, statementKind, type StatementEvent, type StatementObserver } from './statements.js';

type QueryLogConfig = ObservabilityConfig['queryLog'];

/** One event script (hook) run, as the script runner reports it. */
export interface HookRun {
  /** DreamFactory's event name, e.g. `chinook._table.Album.get.pre_process`. */
  event: string;
  /** The script that handled it (its file name or configured name). */
  script: string;
  durationMs: number;
  /** ok: it ran; rejected: it refused the request on purpose; failed: it threw; timeout: it ran too long. */
  outcome: 'ok' | 'rejected' | 'failed' | 'timeout';
  /** The error code or short reason when not ok; never record data. */
  detail?: string | undefined;
  /** Default: the request the caller runs in (request-scope.ts). */
  requestId?: string | undefined;
}

export interface QueryLog extends StatementObserver {
  /** Whether anything is written; when false every method does nothing. */
  readonly enabled: boolean;
  /** Logs one event-script run (the script runner calls it as each hook finishes). */
  hook(run: HookRun): void;
  /** Stops observing statements. */
  close(): void;
}

/** Environment values understood as on and off. */
const ON = new Set(['true', '1', 'yes', 'on']);
const OFF = new Set(['false', '0', 'no', 'off']);
/** Junction's own name first: it wins over DreamFactory's when both are set. */
const ENV_NAMES = ['JUNCTION_QUERY_LOG', 'DB_QUERY_LOG_ENABLED'] as const;

/** Whether the query log is on: the first of the environment variables that says true/false, else the config. */
export function queryLogEnabled(
  config: QueryLogConfig,
  env: NodeJS.ProcessEnv = process.env,
): { enabled: boolean; ignored: string[] } {
  const ignored: string[] = [];
  for (const name of ENV_NAMES) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') continue;
    const value = raw.trim().toLowerCase();
    if (ON.has(value)) return { enabled: true, ignored };
    if (OFF.has(value)) return { enabled: false, ignored };
    ignored.push(name);
  }
  return { enabled: config.enabled, ignored };
}

/**
 * The query log of one server: subscribed to `statementHub` when enabled (close() unsubscribes), writing through
 * `logger` at level info.
 */
export function createQueryLog(
  config: QueryLogConfig,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): QueryLog {
  const { enabled, ignored } = queryLogEnabled(config, env);
  for (const name of ignored) {
    logger.warn({ event: 'config' }, `${name} is not true or false; ignored`);
  }
  if (!enabled) return { enabled, onStatement() {}, hook() {}, close() {} };
  if (!logger.isLevelEnabled('info')) {
    logger.warn({ event: 'config' }, 'the query log is on, but the log level hides its info lines');
  }
  if (config.bindings === 'shown') {
    logger.warn({ event: 'config' }, 'the query log shows bound values, which may hold personal data');
  }
  const log: QueryLog = {
    enabled,
    onStatement(event) {
      const { record, message } = statementEntry(event, config.bindings, currentRequestId());
      logger.info(record, message);
    },
    hook(run) {
      const { record, message } = hookEntry(run, run.requestId ?? currentRequestId());
      if (run.outcome === 'ok') logger.info(record, message);
      else logger.warn(record, message);
    },
    close: () => stop(),
  };
  const stop = statementHub.add(log);
  return log;
}

interface Entry {
  record: Record<string, unknown>;
  message: string;
}

/**
 * A statement → its log record and text line. `fallbackRequestId` (the request scope's) is used for statements
 * run without a request tag. The key `params` is used, not `bindings`: the logger censors `bindings` wherever it
 * appears, and `shown` is the one place that asked for the values.
 */
export function statementEntry(
  event: StatementEvent,
  bindings: QueryLogConfig['bindings'],
  fallbackRequestId?: string,
): Entry {
  const requestId = event.request?.id ?? fallbackRequestId;
  const durationMs = roundMs(event.durationMs);
  const params = bindings === 'shown' ? shownValues(event.bindings) : redactedValues(event.bindings);
  const failure = event.error ? errorClass(event.error) : null;
  const record: Record<string, unknown> = {
    event: 'sql',
    ...(requestId === undefined ? {} : { requestId }),
    service: event.service,
    dialect: event.dialect,
    kind: statementKind(event.sql),
    sql: event.sql,
    params,
    paramCount: event.bindings.length,
    durationMs,
    rows: event.rows,
    ...(failure === null ? {} : { error: failure }),
  };
  const outcome =
    failure === null ? (event.rows === null ? '' : ` rows=${event.rows}`) : ` failed ${failure}`;
  const values = params.length === 0 ? '' : ` [${params.join(', ')}]`;
  const message = `sql request=${requestId ?? '-'} service=${event.service} ${durationMs} ms${outcome}: ${oneLine(event.sql)}${values}`;
  return { record, message };
}

/** A hook run → its log record and text line. */
export function hookEntry(run: HookRun, requestId: string | undefined): Entry {
  const durationMs = roundMs(run.durationMs);
  const record: Record<string, unknown> = {
    event: 'hook',
    ...(requestId === undefined ? {} : { requestId }),
    hook: run.event,
    script: run.script,
    outcome: run.outcome,
    durationMs,
    ...(run.detail === undefined ? {} : { detail: run.detail }),
  };
  const detail = run.detail === undefined ? '' : ` (${run.detail})`;
  const message = `hook request=${requestId ?? '-'} ${run.event} ${run.script} ${durationMs} ms ${run.outcome}${detail}`;
  return { record, message };
}

/** Values listed before the rest is summed up as `…(+N more)`. */
const MAX_VALUES = 50;
/** Characters of one shown value before it is cut. */
const MAX_VALUE_CHARS = 200;

/** Each value → its type, runs of one type as `<number> ×20`: how many values and of what kind, never which. */
export function redactedValues(values: readonly unknown[]): string[] {
  const out: string[] = [];
  let last = '';
  let run = 0;
  const flush = () => {
    if (run > 0) out.push(run === 1 ? last : `${last} ×${run}`);
  };
  for (const value of values) {
    const type = `<${typeOf(value)}>`;
    if (type === last) {
      run += 1;
      continue;
    }
    flush();
    last = type;
    run = 1;
  }
  flush();
  return out;
}

function typeOf(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `array(${value.length})`;
  if (value instanceof Date) return 'date';
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return 'bytes';
  return typeof value === 'bigint' ? 'number' : typeof value;
}

/** Each value JSON-encoded and cut at MAX_VALUE_CHARS; more than MAX_VALUES values end in `…(+N more)`. */
export function shownValues(values: readonly unknown[]): string[] {
  const out = values.slice(0, MAX_VALUES).map((value) => cut(encode(value)));
  if (values.length > MAX_VALUES) out.push(`…(+${values.length - MAX_VALUES} more)`);
  return out;
}

function encode(value: unknown): string {
  if (value === undefined) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `<${value.length} bytes>`;
  try {
    return JSON.stringify(value, (_key, inner: unknown) =>
      typeof inner === 'bigint' ? inner.toString() : inner,
    );
  } catch {
    return `<${typeOf(value)}>`;
  }
}

function cut(text: string): string {
  return text.length <= MAX_VALUE_CHARS
    ? text
    : `${text.slice(0, MAX_VALUE_CHARS)}…(+${text.length - MAX_VALUE_CHARS} chars)`;
}

/**
 * The driver error's class and code (`DatabaseError 42P01`, `Error ER_NO_SUCH_TABLE`), not its message: driver
 * messages may quote the values (`invalid input syntax for type integer: "abc"`).
 */
export function errorClass(error: unknown): string {
  if (error === null || typeof error !== 'object') return typeof error;
  const name = (error as object).constructor?.name || 'Error';
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' || typeof code === 'number' ? `${name} ${code}` : name;
}

function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** Line breaks and indentation of hand-written SQL would break one entry into several lines. */
function oneLine(sql: string): string {
  return sql.replace(/\s*\n\s*/g, ' ');
}
