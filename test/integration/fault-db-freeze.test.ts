// R2 (security.md §4.4): the database is frozen with SIGSTOP for 10 s under 200 req/s — the PostgreSQL
// postmaster and all its children, or mariadbd — on private instances. Connections stay open but nothing
// answers, so only client-side timeouts can end a request. Every request is recorded; the goals: each one is
// answered within pool-acquire timeout + statement timeout, failures are 503/504, /health stays fast, memory
// does not pile up, and everything works again within 2 s of SIGCONT.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chinookRead, FAULT_DIALECTS, startFaultWorld, type FaultWorld } from './support/faults/fixture.js';
import {
  between,
  countByStatus,
  describeSamples,
  firstOkAfter,
  isOk,
  maxLatency,
  okShareAfter,
  percentile,
  Recorder,
  saveSamples,
  type Sample,
} from './support/faults/load.js';
import { probeInChild } from './support/faults/probe.js';
import { sleep } from './support/faults/processes.js';

const RATE = 200;
const HEALTH_RATE = 20;
const WARMUP_MS = 2_000;
const BEFORE_MS = 2_000;
const FREEZE_MS = 10_000;
const AFTER_MS = 5_000;

/** Small explicit settings (defaults: 10/2000, 2000/5000, 5/5000); the latency bound follows from them. */
const RESILIENCE = {
  pool: { max: 10, acquireTimeoutMs: 1_000 },
  timeouts: { connectMs: 1_000, statementMs: 2_000 },
  breaker: { failures: 5, openMs: 1_000 },
};
const BOUND_MS = RESILIENCE.pool.acquireTimeoutMs + RESILIENCE.timeouts.statementMs;

interface Outcome {
  samples: Sample[];
  health: Sample[];
  freezeAt: number;
  thawAt: number;
  rssBefore: number;
  rssMax: number;
}

async function runScenario(world: FaultWorld): Promise<Outcome> {
  const api = (n: number) => chinookRead(world, n);
  await new Recorder().run({ rate: RATE, durationMs: WARMUP_MS, next: api });
  const rssBefore = world.junction.rss();
  let rssMax = rssBefore;
  const rssTimer = setInterval(() => (rssMax = Math.max(rssMax, world.junction.rss())), 200);

  const recorder = new Recorder();
  let freezeAt = 0;
  let thawAt = 0;
  const fault = (async () => {
    await sleep(BEFORE_MS);
    freezeAt = recorder.now();
    world.server.freeze();
    await sleep(FREEZE_MS);
    world.server.thaw();
    thawAt = recorder.now();
  })();
  const durationMs = BEFORE_MS + FREEZE_MS + AFTER_MS;
  const healthUrl = `${world.origin}/health`;
  let health: Sample[] = [];
  try {
    [, health] = await Promise.all([
      recorder.run({ rate: RATE, durationMs, next: api }),
      probeInChild(recorder, 'health', healthUrl, HEALTH_RATE, durationMs),
      fault,
    ]);
  } finally {
    clearInterval(rssTimer);
    // A failed run must not leave the instance frozen for the next scenario.
    if (freezeAt > 0 && thawAt === 0) world.server.thaw();
  }
  rssMax = Math.max(rssMax, world.junction.rss());
  return {
    samples: recorder.samples,
    health,
    freezeAt,
    thawAt,
    rssBefore,
    rssMax,
  };
}

describe.each(FAULT_DIALECTS)('R2: $label frozen (SIGSTOP) for 10 s under 200 req/s', ({ dialect }) => {
  let world: FaultWorld;
  let outcome: Outcome;

  beforeAll(async () => {
    world = await startFaultWorld(dialect, RESILIENCE);
    outcome = await runScenario(world);
    const { samples, health, freezeAt, thawAt } = outcome;
    saveSamples(`r2-${dialect}`, [...samples, ...health]);
    const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
    console.log(
      `R2 ${dialect}: ${samples.length} requests, statuses ${JSON.stringify(countByStatus(samples))}; ` +
        `frozen ${freezeAt.toFixed(0)}–${thawAt.toFixed(0)} ms; slowest answer ${maxLatency(samples).toFixed(0)} ms; ` +
        `first 2xx after SIGCONT at +${((firstOkAfter(samples, freezeAt) ?? NaN) - thawAt).toFixed(0)} ms; ` +
        `/health p99 ${percentile(health, 99).toFixed(1)} ms (max ${maxLatency(health).toFixed(1)}); ` +
        `RSS ${mb(outcome.rssBefore)} → max ${mb(outcome.rssMax)} MB`,
    );
  }, 120_000);
  afterAll(async () => {
    await world?.close();
  });

  it('keeps the Junction process alive', () => {
    expect(world.junction.crashed()).toBeNull();
  });

  it(`answers every request within pool-acquire + statement timeout (${BOUND_MS} ms)`, () => {
    const slow = outcome.samples.filter((s) => s.latency > BOUND_MS);
    expect(slow.length, describeSamples(slow)).toBe(0);
  });

  it('answers the requests the freeze stops with 503 or 504 only', () => {
    const during = between(outcome.samples, outcome.freezeAt, outcome.thawAt);
    // The freeze really stopped the database (else this scenario tests nothing).
    expect(during.filter((s) => !isOk(s)).length).toBeGreaterThan(0);
    const wrong = outcome.samples.filter((s) => !isOk(s) && s.status !== 503 && s.status !== 504);
    expect(wrong, describeSamples(wrong)).toEqual([]);
  });

  it('keeps /health p99 under 50 ms throughout', () => {
    expect(outcome.health.length).toBeGreaterThan(0);
    expect(
      outcome.health.filter((s) => s.status !== 200),
      describeSamples(outcome.health),
    ).toEqual([]);
    expect(percentile(outcome.health, 99)).toBeLessThan(50);
  });

  it('grows the resident memory by less than 100 MB', () => {
    expect((outcome.rssMax - outcome.rssBefore) / 1024 / 1024).toBeLessThan(100);
  });

  it('recovers fully within 2 s after SIGCONT', () => {
    const { samples, freezeAt, thawAt } = outcome;
    const firstOk = firstOkAfter(samples, freezeAt);
    expect(firstOk, describeSamples(between(samples, thawAt))).not.toBeNull();
    expect(firstOk! - thawAt).toBeLessThanOrEqual(2_000);
    // Full recovery: from 2 s after SIGCONT on, (nearly) everything succeeds again.
    const after = between(samples, thawAt + 2_000);
    expect(
      okShareAfter(samples, thawAt + 2_000),
      describeSamples(after.filter((s) => !isOk(s))),
    ).toBeGreaterThanOrEqual(0.99);
  });
});
