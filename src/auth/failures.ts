// Which refusals are failed authentications, the ones the brute-force guard counts (security.md A9): an
// unknown or inactive API key, a session token that fails verification (malformed, forged, expired, of a
// disabled or removed user), a wrong email or password at login, wrong Basic credentials. Not counted: missing
// credentials, a logged-out token (it was genuine: nothing was guessed), a missing or inactive role, and any
// access-control denial. The mark lives beside the error, never in what clients see.
import { ApiError } from '../errors/index.js';

const failures = new WeakSet<ApiError>();

/** Marks `error` as a failed authentication and returns it (`throw credentialsRefused(new ApiError(…))`). */
export function credentialsRefused(error: ApiError): ApiError {
  failures.add(error);
  return error;
}

export function isFailedAuthentication(error: unknown): boolean {
  return typeof error === 'object' && error !== null && failures.has(error as ApiError);
}

/** The answer while a client address is blocked: 429, to be sent with `Retry-After: seconds`. */
export function authenticationBlocked(seconds: number): ApiError {
  return new ApiError(
    'RATE_LIMITED',
    `Too many failed authentication attempts from this address: try again in ${seconds} s.`,
  );
}
