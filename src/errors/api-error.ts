// ApiError: the single error type that crosses stage boundaries. Encoders turn it into GraphQL errors,
// DreamFactory envelopes or CLI messages; raw driver text stays in `cause` and only reaches the log.
import { ERROR_CODES, type ErrorCode, type ErrorFamily } from './catalogue.js';

export interface ApiErrorOptions {
  /** Where in the input the problem is, e.g. `services[2].type`. */
  path?: string;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly family: ErrorFamily;
  readonly path: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: ApiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.family = ERROR_CODES[code].family;
    this.path = options.path;
    this.details = options.details;
  }
}

/** Several problems found in one pass (a config with three mistakes reports all three). */
export class ApiErrorList extends ApiError {
  readonly errors: readonly ApiError[];

  constructor(code: ErrorCode, errors: readonly ApiError[]) {
    super(code, errors.map(formatProblem).join('\n'));
    this.errors = errors;
  }
}

/** `path: message`, the form operators see in the CLI. */
export function formatProblem(error: ApiError): string {
  return error.path ? `${error.path}: ${error.message}` : error.message;
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

/** Seconds a client should wait before retrying (503 SOURCE_UNAVAILABLE carries them), else null. */
export function retryAfterOf(error: unknown): number | null {
  if (!(error instanceof ApiError)) return null;
  const seconds = error.details?.retryAfter;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : null;
}
