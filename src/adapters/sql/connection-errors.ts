// Driver error while connecting → ApiError SOURCE_UNAVAILABLE that names the service, dialect and target,
// says what went wrong and how to fix it. The password never appears; the raw error stays in `cause`.
import type { ServiceConfig } from '../../config/types.js';
import { ApiError, isApiError } from '../../errors/index.js';
import type { ConnectionTarget } from './target.js';

interface DriverError {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  errors?: unknown;
  name?: unknown;
}

interface Diagnosis {
  problem: string;
  hint: string;
}

export function connectionError(error: unknown, service: ServiceConfig, target: ConnectionTarget): ApiError {
  if (isApiError(error)) return error;
  const { problem, hint } = diagnose(firstCause(error), service, target);
  const where = `service '${service.name}' (${service.type} at ${target.where})`;
  const message = `Cannot connect to ${where}: ${scrub(problem, service)}. ${hint}`;
  return new ApiError('SOURCE_UNAVAILABLE', message, {
    cause: error,
    details: { service: service.name, dialect: service.type, target: target.where },
  });
}

function diagnose(error: DriverError, service: ServiceConfig, target: ConnectionTarget): Diagnosis {
  const code = String(error.code ?? '');
  const message = String(error.message ?? error);
  const user = target.user ?? '(default user)';
  const database = target.database ?? '(default database)';
  switch (code) {
    case 'ECONNREFUSED':
      return {
        problem: 'connection refused',
        hint: `Is the ${serverName(service)} server running and listening on ${target.where}?`,
      };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { problem: 'host not found', hint: 'Check the host name in the connection settings.' };
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return timedOut(service, target);
    case '28P01': // PostgreSQL invalid_password
    case '28000': // PostgreSQL invalid_authorization_specification (unknown role, pg_hba.conf)
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
    case 'ER_DBACCESS_DENIED_ERROR':
      return {
        problem: `the server refused user '${user}' (${message})`,
        hint: 'Check the user name and password, and that this user may connect from this host.',
      };
    case '3D000': // PostgreSQL invalid_catalog_name
    case 'ER_BAD_DB_ERROR':
      return {
        problem: `database '${database}' does not exist`,
        hint: 'Create it, or fix the database name in the connection settings.',
      };
    case 'SQLITE_CANTOPEN':
      return { problem: 'the database file cannot be opened', hint: 'Check the path and its permissions.' };
  }
  if (error.name === 'KnexTimeoutError' || /timeout|timed out/i.test(message))
    return timedOut(service, target);
  return {
    problem: message,
    hint: `Check that ${target.where} is a reachable ${serverName(service)} server.`,
  };
}

function timedOut(service: ServiceConfig, target: ConnectionTarget): Diagnosis {
  if (service.type === 'sqlite') {
    return { problem: 'timed out', hint: 'Is another process holding a lock on the database file?' };
  }
  return {
    problem: 'timed out',
    hint: `Is ${target.where} reachable from this machine (host up, port open, no firewall in between)?`,
  };
}

function serverName(service: ServiceConfig): string {
  return service.type === 'postgres'
    ? 'PostgreSQL'
    : service.type === 'mysql'
      ? 'MySQL/MariaDB'
      : service.type;
}

/** Node reports "localhost" failures on both IPv4 and IPv6 as one AggregateError: use the first inner one. */
function firstCause(error: unknown): DriverError {
  const candidate = (error ?? {}) as DriverError;
  if (!candidate.code && Array.isArray(candidate.errors) && candidate.errors.length > 0) {
    return candidate.errors[0] as DriverError;
  }
  return typeof error === 'object' && error !== null ? candidate : { message: String(error) };
}

/** Driver messages sometimes echo connection strings; remove any password before it reaches a person. */
function scrub(message: string, service: ServiceConfig): string {
  const conn = service.connection;
  const secrets: string[] = [];
  if (conn.kind === 'fields' && conn.password) secrets.push(conn.password);
  if (conn.kind === 'url') {
    try {
      const password = new URL(conn.url).password;
      if (password) secrets.push(password, decodeURIComponent(password));
    } catch {
      // An unparseable URL has no password we could find.
    }
  }
  let out = message.replace(/(\/\/[^:/@\s]*:)[^@\s]*@/g, '$1***@');
  for (const secret of secrets) out = out.split(secret).join('***');
  return out;
}
