// One script run: its time limit, and what its outcome means for the request. A rejection becomes the
// status the script chose; an ApiError from an internal API call passes unchanged; anything else the script
// throws is a 500 naming the event (module, message and stack go to the log only); past the limit, a 504.
import { ApiError } from '../errors/index.js';
import type { ErrorCode } from '../errors/catalogue.js';

export type ScriptOutcome = 'ok' | 'rejected' | 'failed' | 'timeout';

/** What the runner reports of each run (the query log prints it; the server log gets failures). */
export interface ScriptRunReport {
  /** The event name, or `service:<name>` for a scripted service. */
  event: string;
  module: string;
  durationMs: number;
  outcome: ScriptOutcome;
  error?: unknown;
}

/** Thrown by `platform.reject`: the request stops with this status and message. */
export class ScriptRejection extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ScriptRejection';
  }
}

const REJECTION_CODES: Record<number, ErrorCode> = {
  400: 'SCRIPT_REJECTED',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'SCRIPT_CONFLICT',
  422: 'SCRIPT_UNPROCESSABLE',
};

export function rejectionError(status: number, message: string): ApiError {
  return new ApiError(REJECTION_CODES[status] ?? 'SCRIPT_REJECTED', message);
}

/**
 * Runs `work` with a time limit. `signal` aborts when the limit passes or the run ends, whichever is first, so
 * a script that outlives its run cannot call the API any more. A synchronous endless loop cannot be stopped
 * in-process: scripts are trusted code (README).
 */
export async function runWithLimit<T>(
  what: { event: string; module: string; timeoutMs: number },
  work: (signal: AbortSignal) => T | Promise<T>,
  report: (run: ScriptRunReport) => void,
): Promise<T> {
  const controller = new AbortController();
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(TIMED_OUT), what.timeoutMs);
  });
  const done = (outcome: ScriptOutcome, error?: unknown) =>
    report({
      event: what.event,
      module: what.module,
      durationMs: performance.now() - started,
      outcome,
      ...(error === undefined ? {} : { error }),
    });
  try {
    const value = await Promise.race([Promise.resolve().then(() => work(controller.signal)), expired]);
    done('ok');
    return value;
  } catch (error) {
    if (error === TIMED_OUT) {
      done('timeout');
      throw new ApiError(
        'SCRIPT_TIMEOUT',
        `The script for ${what.event} did not finish within ${what.timeoutMs} ms.`,
      );
    }
    if (error instanceof ScriptRejection) {
      done('rejected');
      throw rejectionError(error.status, error.message);
    }
    if (error instanceof ApiError) {
      done('rejected');
      throw error;
    }
    done('failed', error);
    throw new ApiError('SCRIPT_FAILED', `The script for ${what.event} failed; the server log has details.`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

const TIMED_OUT = Symbol('timed out');
