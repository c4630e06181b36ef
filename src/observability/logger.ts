// ObservabilityConfig.logs → a pino logger: JSON lines (or readable text lines) on stderr or through a sink
// callback, credentials redacted by pino's `redact`, and `legacyLog` for the older code that logs plain strings.
import { pino, type DestinationStream, type Logger } from 'pino';
import { LOG_LEVELS } from '../config/observability-schema.js';
import type { ObservabilityConfig } from '../config/types.js';
import { currentRequestId } from './request-scope.js';

export type { Logger } from 'pino';
/** Where finished lines go, one call per line (without the newline): tests collect them, the CLI prints them. */
export type LogSink = (line: string) => void;
type LogsConfig = ObservabilityConfig['logs'];

/** Headers and fields that carry credentials, wherever a log call puts them (pino `redact` paths). */
export const REDACT_PATHS = [
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'headers["x-dreamfactory-api-key"]',
  'headers["x-dreamfactory-session-token"]',
  'headers["x-junction-admin-token"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  '*.headers["x-dreamfactory-api-key"]',
  '*.headers["x-dreamfactory-session-token"]',
  '*.headers["x-junction-admin-token"]',
  'password',
  '*.password',
  'api_key',
  '*.api_key',
  'apiKey',
  '*.apiKey',
  'session_token',
  '*.session_token',
  'sessionToken',
  '*.sessionToken',
  'bindings',
  '*.bindings',
];

/** The level the server runs at: JUNCTION_LOG_LEVEL when it names a level, else the config's. */
export function logLevel(config: LogsConfig, env: NodeJS.ProcessEnv = process.env): LogsConfig['level'] {
  const wanted = env.JUNCTION_LOG_LEVEL?.trim().toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(wanted ?? '')
    ? (wanted as LogsConfig['level'])
    : config.level;
}

/** A logger writing to `sink` (default: stderr) in the configured format. */
export function createLogger(config: LogsConfig, sink?: LogSink): Logger {
  return pino(
    {
      level: logLevel(config),
      base: { pid: process.pid, name: 'junction' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    },
    destination(config.format, sink),
  );
}

function destination(format: LogsConfig['format'], sink: LogSink | undefined): DestinationStream {
  if (format === 'json' && !sink) return pino.destination({ dest: 2, sync: true });
  const out = sink ?? ((line: string) => process.stderr.write(`${line}\n`));
  const render = format === 'text' ? textLine : (line: string) => line;
  return { write: (line: string) => out(render(line.endsWith('\n') ? line.slice(0, -1) : line)) };
}

/** Fields a text line appends after the message, in this order. */
const TEXT_FIELDS = ['statements', 'service', 'principal', 'requestId'] as const;

/** Entries whose message already names the request and service: refusals and the query log's lines. */
const COMPLETE_LINES = new Set(['denied', 'sql', 'hook']);

/**
 * One JSON record → one readable line: the message, then the fields above as key=value, then an error's stack.
 * Refusal lines are their message alone (`denied: request=… …`), the form the audit trail always had.
 */
export function textLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  let line = typeof record.msg === 'string' ? record.msg : '';
  if (typeof record.event === 'string' && COMPLETE_LINES.has(record.event)) return line;
  for (const key of TEXT_FIELDS) {
    const value = record[key];
    if (value !== undefined && value !== null && value !== '') line += ` ${key}=${String(value)}`;
  }
  const error = record.err as { stack?: unknown } | undefined;
  if (error && typeof error.stack === 'string') line += `\n${error.stack}`;
  return line;
}

/**
 * The `(message) => void` form older modules log through, on top of `logger`: each message becomes a warning
 * (an error when it reports something unexpected) carrying the id of the request it happened in.
 */
export function legacyLog(logger: Logger): (message: string) => void {
  return (message) => {
    const requestId = currentRequestId();
    const fields = requestId === undefined ? {} : { requestId };
    if (/unexpected|failed/i.test(message)) logger.error(fields, message);
    else logger.warn(fields, message);
  };
}
