// The per-source circuit breaker: which failures count, how it opens, fails fast with the service's name and
// Retry-After, half-opens after openMs and closes on a success.
import { describe, expect, it } from 'vitest';
import {
  countsAsFailure,
  RECOVERY_PROBE_MS,
  SourceBreaker,
} from '../../../src/adapters/resilience/breaker.js';
import { guardDataSource } from '../../../src/adapters/resilience/guarded-data-source.js';
import { translateDbError } from '../../../src/adapters/sql/db-errors.js';
import type { DataSource } from '../../../src/executor/data-source.js';
import { ApiError } from '../../../src/errors/index.js';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
const busy = () => new ApiError('SOURCE_UNAVAILABLE', 'busy', { details: { availability: 'busy' } });

describe('countsAsFailure', () => {
  it('counts only availability failures', () => {
    const full = () => true;
    expect(countsAsFailure(translateDbError(refused()), full)).toBe(true);
    expect(countsAsFailure(new ApiError('UNIQUE_VIOLATION', 'x'), full)).toBe(false);
    expect(countsAsFailure(new ApiError('STATEMENT_TIMEOUT', 'x'), full)).toBe(false);
    expect(countsAsFailure(new ApiError('BAD_REQUEST', 'x'), full)).toBe(false);
    expect(countsAsFailure(new Error('raw'), full)).toBe(false);
  });

  it('counts "busy" only when our pool has free slots (new connections hang), not when it is full (load)', () => {
    expect(countsAsFailure(busy(), () => true)).toBe(false);
    expect(countsAsFailure(busy(), () => false)).toBe(true);
  });
});

/** A DataSource whose count() runs `behaviour`. */
function fakeSource(behaviour: () => Promise<number>): DataSource {
  return { count: behaviour } as unknown as DataSource;
}

describe('a guarded source', () => {
  it('opens after 3 consecutive failures, fails fast naming the service, half-opens after openMs', async () => {
    const breaker = new SourceBreaker({ failures: 3, openMs: 200 });
    let calls = 0;
    let up = false;
    const data = guardDataSource(
      fakeSource(async () => {
        calls += 1;
        if (!up) throw refused();
        return 7;
      }),
      { service: 'music', breaker, translate: translateDbError, acquireTimeoutMs: 2000 },
    );
    const stats = { statements: 0 };
    for (let i = 0; i < 3; i++) {
      const error = (await data
        .count({ table: 't', where: null }, stats)
        .catch((e: unknown) => e)) as ApiError;
      expect(error.code).toBe('SOURCE_UNAVAILABLE');
      expect(error.message).toBe(
        "Service 'music' is unavailable: the database refused the connection; try again shortly.",
      );
    }
    expect(breaker.state).toBe('open');
    const started = performance.now();
    const fast = (await data.count({ table: 't', where: null }, stats).catch((e: unknown) => e)) as ApiError;
    expect(performance.now() - started).toBeLessThan(10);
    expect(calls).toBe(3);
    expect(fast.message).toMatch(/^Service 'music' is unavailable/);
    expect(fast.details).toMatchObject({ service: 'music', availability: 'open', retryAfter: 1 });
    await new Promise((resolve) => setTimeout(resolve, 220));
    expect(breaker.state).toBe('half-open');
    up = true;
    expect(await data.count({ table: 't', where: null }, stats)).toBe(7);
    expect(breaker.state).toBe('closed');
  });

  it("never opens on a request's own errors", async () => {
    const breaker = new SourceBreaker({ failures: 2, openMs: 10_000 });
    const data = guardDataSource(
      fakeSource(async () => {
        throw Object.assign(new Error('dup'), { code: '23505' });
      }),
      { service: 'music', breaker, translate: translateDbError, acquireTimeoutMs: 2000 },
    );
    for (let i = 0; i < 10; i++)
      await expect(data.count({ table: 't', where: null }, { statements: 0 })).rejects.toMatchObject({
        code: 'UNIQUE_VIOLATION',
      });
    expect(breaker.state).toBe('closed');
  });
});

describe('an open breaker with a recovery probe', () => {
  it('closes as soon as the probe succeeds, long before openMs', async () => {
    let up = false;
    let probes = 0;
    const breaker = new SourceBreaker({ failures: 2, openMs: 60_000 }, undefined, async () => {
      probes += 1;
      if (!up) throw refused();
    });
    const data = guardDataSource(
      fakeSource(async () => {
        if (!up) throw refused();
        return 1;
      }),
      { service: 'music', breaker, translate: translateDbError, acquireTimeoutMs: 2000 },
    );
    const stats = { statements: 0 };
    for (let i = 0; i < 2; i++) await data.count({ table: 't', where: null }, stats).catch(() => 0);
    expect(breaker.state).toBe('open');
    await waitUntil(() => probes >= 2);
    expect(breaker.state).toBe('open');
    up = true;
    await waitUntil(() => breaker.state === 'closed');
    expect(await data.count({ table: 't', where: null }, stats)).toBe(1);
    breaker.close();
  });

  it('probes nothing while closed', async () => {
    let probes = 0;
    const breaker = new SourceBreaker({ failures: 2, openMs: 1000 }, undefined, async () => {
      probes += 1;
    });
    await new Promise((resolve) => setTimeout(resolve, RECOVERY_PROBE_MS * 2 + 100));
    expect(probes).toBe(0);
    breaker.close();
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  if (!condition()) throw new Error('condition never became true');
}

describe('a guarded transaction whose COMMIT fails', () => {
  /** A source whose transaction runs the work, then fails the way its COMMIT does. */
  const committing = (commitError: Error | null) =>
    guardDataSource(
      {
        async transaction<T>(work: (tx: DataSource) => Promise<T>): Promise<T> {
          const result = await work({} as DataSource);
          if (commitError) throw commitError;
          return result;
        },
      } as unknown as DataSource,
      {
        service: 'music',
        breaker: new SourceBreaker({ failures: 5, openMs: 1000 }),
        translate: translateDbError,
        acquireTimeoutMs: 2000,
      },
    );
  const lost = () => Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });

  it('says the change may or may not be saved when the connection died around COMMIT', async () => {
    const error = (await committing(lost())
      .transaction(async () => 1)
      .catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(error.message).toBe(
      "Service 'music' is unavailable: the connection was lost while committing, so the change may or may not be saved; try again shortly.",
    );
  });

  it('keeps a refusal the database gave at COMMIT (nothing was saved)', async () => {
    const deferred = Object.assign(new Error('deferred fk'), { code: '23503' });
    await expect(committing(deferred).transaction(async () => 1)).rejects.toMatchObject({
      code: 'FOREIGN_KEY_VIOLATION',
    });
  });

  it('keeps the error of work that failed before COMMIT as it was', async () => {
    await expect(
      committing(null).transaction(async () => {
        throw lost();
      }),
    ).rejects.toMatchObject({
      code: 'SOURCE_UNAVAILABLE',
      message: expect.not.stringContaining('may or may not'),
    });
  });
});
