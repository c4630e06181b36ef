// The Redis the shared rate-limit and auth-failure counters are tested against (limits-redis.test.ts), and a
// key prefix of its own for each test run, so runs and other users of the same Redis never share counters.
import { randomBytes } from 'node:crypto';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniqueKeyPrefix(): string {
  return `junction-test-${randomBytes(6).toString('hex')}`;
}
