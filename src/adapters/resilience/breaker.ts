// One circuit breaker per source (cockatiel's ConsecutiveBreaker): after `failures` availability failures in a
// row the source fails fast for `openMs`, then one trial call decides whether it closes again. Only failures
// that say the database cannot serve anyone count; a request's own fault (4xx, constraint violations) or a
// statement timeout (the database is up, that one statement was slow) never opens it.
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import type { BreakerConfig } from '../../config/types.js';
import { ApiError } from '../../errors/index.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * Whether a failure counts against the source's availability. SOURCE_UNAVAILABLE does (connection refused,
 * lost, timed out, server out of connections), except "busy" while our own pool is full: then the database
 * answers fine and the wait is our load, which the pool's acquire timeout already bounds; opening the breaker
 * would turn a burst of traffic into seconds of refusing everyone. A "busy" with free pool slots means new
 * connections hang (a blackholed host), which does count.
 */
export function countsAsFailure(error: unknown, poolFull: () => boolean): boolean {
  if (!(error instanceof ApiError) || error.code !== 'SOURCE_UNAVAILABLE') return false;
  if (error.details?.availability === 'busy') return !poolFull();
  return true;
}

/** How often an open breaker checks whether its database is back (only while open). */
export const RECOVERY_PROBE_MS = 500;

export class SourceBreaker {
  private policy: CircuitBreakerPolicy;
  private openedAt = 0;
  private watching: NodeJS.Timeout | null = null;
  private probing = false;

  /**
   * `probe`, when given, is tried every RECOVERY_PROBE_MS while the breaker is open: the first success closes
   * it at once, so clients are served again within about a second of the database coming back instead of
   * waiting out the rest of `openMs` (security.md R1: first 2xx ≤ 2 s after the database accepts connections).
   */
  constructor(
    private readonly config: BreakerConfig,
    private readonly poolFull: () => boolean = () => false,
    private readonly probe?: () => Promise<void>,
  ) {
    this.policy = this.newPolicy();
  }

  /** Stops the recovery probe (the source is closing). */
  close(): void {
    this.unwatch();
  }

  private newPolicy(): CircuitBreakerPolicy {
    const policy = circuitBreaker(
      handleWhen((error) => countsAsFailure(error, this.poolFull)),
      { halfOpenAfter: this.config.openMs, breaker: new ConsecutiveBreaker(this.config.failures) },
    );
    policy.onBreak(() => {
      this.openedAt = Date.now();
      this.watch();
    });
    policy.onReset(() => this.unwatch());
    return policy;
  }

  private watch(): void {
    if (!this.probe || this.watching) return;
    this.watching = setInterval(() => void this.tryRecovery(), RECOVERY_PROBE_MS);
    // A probe timer must never keep a stopping process alive.
    this.watching.unref();
  }

  private unwatch(): void {
    if (this.watching) clearInterval(this.watching);
    this.watching = null;
  }

  private async tryRecovery(): Promise<void> {
    if (this.probing || !this.probe) return;
    this.probing = true;
    try {
      await this.probe();
      // cockatiel has no "close now": a fresh policy starts closed with a zero failure count.
      this.policy = this.newPolicy();
      this.unwatch();
    } catch {
      // Still down: stay open; cockatiel's own half-open trial after openMs remains the fallback.
    } finally {
      this.probing = false;
    }
  }

  get state(): BreakerState {
    switch (this.policy.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half-open';
      default:
        // cockatiel moves to half-open lazily, on the first call after openMs.
        return this.retryAfterMs() === 0 ? 'half-open' : 'open';
    }
  }

  /** Milliseconds until an open breaker lets a trial call through (0 when it would now). */
  retryAfterMs(): number {
    return Math.max(0, this.openedAt + this.config.openMs - Date.now());
  }

  /**
   * Runs `work` through the breaker. Open, or half-open with the trial call still running: rejects at once
   * with `refuse()` (the caller turns it into its SOURCE_UNAVAILABLE).
   */
  async run<T>(work: () => Promise<T>, refuse: (retryAfterMs: number) => Error): Promise<T> {
    // cockatiel would queue callers behind the trial call; failing them fast bounds their wait instead.
    if (this.policy.state === CircuitState.HalfOpen) throw refuse(1000);
    try {
      return await this.policy.execute(work);
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw refuse(this.retryAfterMs());
      throw error;
    }
  }
}
