// ApiError → GraphQLError: the catalogue code goes to `extensions.code`. Anything that is not a client-facing
// ApiError (a bug, a raw driver error) is masked, so no SQL or stack reaches a client; the log gets it.
import { GraphQLError } from 'graphql';
import { ApiError, retryAfterOf } from './api-error.js';

/** Codes whose message was written for the client; the rest are internal and masked. */
const MASKED_FAMILIES = new Set(['internal', 'config', 'model']);

export function encodeGraphqlError(error: unknown, log: (message: string) => void): GraphQLError {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  if (
    original instanceof ApiError &&
    !MASKED_FAMILIES.has(original.family) &&
    original.code !== 'DATABASE_ERROR'
  ) {
    return new GraphQLError(original.message, {
      ...(error instanceof GraphQLError
        ? { nodes: error.nodes, path: error.path, source: error.source, positions: error.positions }
        : {}),
      extensions: {
        code: original.code,
        ...(original.path ? { field: original.path } : {}),
        // SOURCE_UNAVAILABLE: seconds until the source may answer again (also sent as Retry-After).
        ...(retryAfterOf(original) !== null ? { retryAfter: retryAfterOf(original) } : {}),
      },
    });
  }
  if (error instanceof GraphQLError && !error.originalError) return error; // validation and parse errors
  if (error instanceof GraphQLError && original instanceof GraphQLError) {
    // A variable or argument value the schema refused (graphql-js wraps its scalar's error): the client's fault.
    return new GraphQLError(error.message, {
      nodes: error.nodes,
      path: error.path,
      source: error.source,
      positions: error.positions,
      extensions: {
        ...error.extensions,
        code: (error.extensions.code as string | undefined) ?? 'BAD_USER_INPUT',
      },
    });
  }
  log(`graphql: unexpected error: ${describeCause(original)}`);
  const path = error instanceof GraphQLError ? error.path : undefined;
  const code = original instanceof ApiError ? original.code : 'INTERNAL';
  return new GraphQLError(
    code === 'DATABASE_ERROR' ? 'The database could not run the request.' : 'Unexpected error.',
    {
      ...(path ? { path } : {}),
      extensions: { code },
    },
  );
}

function describeCause(error: unknown): string {
  if (error instanceof ApiError && error.cause) return `${error.code}: ${describeCause(error.cause)}`;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
