// The Junction config the security suites run against: the test config (no auth, no schema cache) with the
// rate limiter off, since the suites send thousands of requests from one address on purpose. Every other
// limit stays at its default.
import { DEFAULT_LIMITS } from '../../src/config/limits-schema.js';
import type { JunctionConfig, ServiceConfig } from '../../src/config/types.js';
import { testConfig } from '../integration/support/graphql.js';

export function securityConfig(services: ServiceConfig[]): JunctionConfig {
  return {
    ...testConfig(services),
    limits: { ...DEFAULT_LIMITS, rateLimit: { ...DEFAULT_LIMITS.rateLimit, enabled: false } },
  };
}
