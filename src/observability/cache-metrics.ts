// Result-cache lookups → the Prometheus counter junction_cache_lookups_total{service,result} in prom-client's
// default registry (served on /metrics). result is `hit` (answered without the database) or `miss`.
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';

const NAME = 'junction_cache_lookups_total';

type Lookups = PromClient.Counter<'service' | 'result'>;
let lookups: Lookups | null = null;

/** Made on the first lookup, with prom-client loaded as metrics.ts loads it (one default registry). */
function counter(): Lookups {
  if (lookups) return lookups;
  const { Counter, register } = createRequire(import.meta.url)('prom-client') as typeof PromClient;
  // Registered once per process, even when this module is evaluated again (test runners).
  lookups =
    (register.getSingleMetric(NAME) as Lookups | undefined) ??
    new Counter({
      name: NAME,
      help: 'Result-cache lookups of read queries by service; result is hit (no database access) or miss.',
      labelNames: ['service', 'result'] as const,
    });
  return lookups;
}

export function recordCacheLookup(service: string, hit: boolean): void {
  counter().inc({ service, result: hit ? 'hit' : 'miss' });
}
