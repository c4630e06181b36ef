// Small helpers to build fetch-API responses; every JSON answer of the non-GraphQL routes goes through here.
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ApiError, retryAfterOf } from '../errors/index.js';

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

/** An ApiError as `{ error: { code, message, status_code } }`; anything else is masked as INTERNAL. */
export function errorResponse(error: unknown): Response {
  const known = error instanceof ApiError ? error : new ApiError('INTERNAL', 'Internal server error.');
  const retryAfter = retryAfterOf(known);
  return json(
    { error: { code: known.code, message: known.message, status_code: known.status } },
    known.status,
    retryAfter === null ? {} : { 'retry-after': String(retryAfter) },
  );
}

/**
 * GraphQL answers whose errors include an unavailable source (partial data, or a whole operation on a dead
 * one) carry Retry-After with the longest wait any of those errors asks for.
 */
export function retryAfterPlugin(): Plugin {
  const waits = new WeakMap<Request, number>();
  return {
    onResultProcess({ request, result }) {
      const results = Array.isArray(result) ? result : [result];
      for (const one of results) {
        if (!one || Symbol.asyncIterator in one) continue;
        for (const error of (one as ExecutionResult).errors ?? []) {
          const seconds = error.extensions?.retryAfter;
          if (error.extensions?.code !== 'SOURCE_UNAVAILABLE' || typeof seconds !== 'number') continue;
          waits.set(request, Math.max(waits.get(request) ?? 0, seconds));
        }
      }
    },
    onResponse({ request, response }) {
      const seconds = waits.get(request);
      if (seconds !== undefined) response.headers.set('retry-after', String(seconds));
    },
  };
}
