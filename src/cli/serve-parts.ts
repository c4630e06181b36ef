// Pieces `serve` shares between its in-process path and the cluster primary: flag parsing, the operator's
// words for a refused listen, the start-up warnings and the "serving" line.
import { availableParallelism } from 'node:os';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { limitsOf } from '../config/limits-schema.js';
import type { JunctionConfig } from '../config/types.js';
import { ApiError, ApiErrorList, formatProblem, isApiError } from '../errors/index.js';
import type { LoadedModel } from '../runtime/load-model.js';

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;

export function parsePort(text: string): number {
  if (!/^[0-9]+$/.test(text) || Number(text) > 65535) {
    throw new ApiError('CONFIG_INVALID', 'must be a whole number from 0 to 65535 (0 picks a free port)', {
      path: '--port',
    });
  }
  return Number(text);
}

/** --workers, else server.workers, else one per core. */
export function workerCount(flag: string | undefined, config: JunctionConfig): number {
  if (flag === undefined) return config.server.workers ?? availableParallelism();
  if (!/^[0-9]+$/.test(flag) || Number(flag) < 1 || Number(flag) > 1024) {
    throw new ApiError('CONFIG_INVALID', 'must be a whole number from 1 to 1024', { path: '--workers' });
  }
  return Number(flag);
}

export function shutdownTimeoutOf(config: JunctionConfig): number {
  return config.server.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
}

/** The operating system's refusal to listen, in words an operator can act on. */
export function listenError(error: unknown, host: string, port: number): unknown {
  const where = `${host}:${port}`;
  switch ((error as NodeJS.ErrnoException).code) {
    case 'EADDRINUSE':
      return new ApiError(
        'CONFIG_INVALID',
        `cannot listen on ${where}: the port is already in use; stop the other process or choose another port (--port or server.port)`,
        { cause: error },
      );
    case 'EACCES':
      return new ApiError(
        'CONFIG_INVALID',
        `cannot listen on ${where}: permission denied; ports below 1024 need privileges, choose another port`,
        { cause: error },
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new ApiError(
        'CONFIG_INVALID',
        `cannot listen on ${where}: ${host} is not an address of this machine; fix --host or server.host`,
        { cause: error },
      );
    default:
      return error;
  }
}

/** Binds and releases host:port once, so a cluster reports a taken port before it forks anything. */
export async function probeListen(host: string, port: number): Promise<void> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error) => reject(listenError(error, host, port)));
    probe.listen({ host, port, exclusive: true }, () => resolve());
  });
  await new Promise((resolve) => probe.close(resolve));
}

/** Warnings about the loaded model and an open API, printed once per start (by the primary in a cluster). */
export function startupWarnings(config: JunctionConfig, loaded: LoadedModel, workers: number): string[] {
  const warnings = loaded.warnings.map((warning) => `warning: ${warning}`);
  if (config.auth.apps.length === 0) {
    warnings.push(
      'warning: no apps are configured, so access control is off: anyone who can reach this port can read and change every table (see README: Access control)',
    );
  }
  const limits = limitsOf(config);
  const counted = limits.rateLimit.enabled || (limits.authFailures.enabled && config.auth.apps.length > 0);
  if (workers > 1 && counted && limits.rateLimit.redisUrl === null) {
    warnings.push(
      `warning: ${workers} workers and no limits.rateLimit.redisUrl: each worker keeps its own rate-limit and failed-login counters, so a client may get up to ${workers}× the configured limits; set limits.rateLimit.redisUrl to share them (see README: Scale-out)`,
    );
  }
  return warnings;
}

export function servingLine(
  loaded: LoadedModel,
  address: Pick<AddressInfo, 'address' | 'port'>,
  readyMs: number,
  workers: number,
): string {
  const origins = [...loaded.origins].map(
    ([name, origin]) => `${name} (${origin === 'cache' ? 'from cache' : 'introspected'})`,
  );
  const url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  const processes = workers === 1 ? '1 process' : `${workers} workers`;
  return `junction: serving ${origins.join(', ')} at ${url} — GraphQL ${url}/graphql, model ${url}/_model (${processes}, ready in ${readyMs} ms)`;
}

/** The same words reportFailure prints, as text a worker can hand to its primary. */
export function describeFailure(error: unknown): string {
  if (error instanceof ApiErrorList) {
    const n = error.errors.length;
    return [`${n} problem${n === 1 ? '' : 's'}:`, ...error.errors.map((p) => `  - ${formatProblem(p)}`)].join(
      '\n',
    );
  }
  if (isApiError(error)) return formatProblem(error);
  return `unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}
