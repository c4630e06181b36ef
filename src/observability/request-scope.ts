// One request in flight → the id its log lines carry. The HTTP server runs each request inside `runInRequest`,
// so code deep below (error encoders, the rate limiter, REST handlers) logs with the request id without being
// handed it; the id itself is filled in once the request-id plugin has read or made it.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestScope {
  id?: string;
}

const scopes = new AsyncLocalStorage<RequestScope>();

export function runInRequest<T>(scope: RequestScope, work: () => T): T {
  return scopes.run(scope, work);
}

/** The id of the request the caller works for, if it runs inside one and the id is known yet. */
export function currentRequestId(): string | undefined {
  return scopes.getStore()?.id;
}

/** The scope of the request the caller works for (the request-id plugin writes the id into it). */
export function currentScope(): RequestScope | undefined {
  return scopes.getStore();
}
