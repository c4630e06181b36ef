// Where cached results live, behind one interface: this process's memory (memory-store.ts) or a Redis that
// replicas share (redis-store.ts). Entries are stored under the service's generation: a write bumps it, so
// every older entry becomes unreachable at once, on every replica that reads the same generation.

/** What a lookup found: the generation it read under, and the entry (null: not stored or expired). */
export interface Lookup {
  generation: number;
  value: Buffer | null;
}

export interface CacheStore {
  /** The service's current generation and the entry `hash` stored under it; null: the store cannot answer now. */
  get(service: string, hash: string): Promise<Lookup | null>;
  /**
   * Stores `value` under `generation`, unless the service was invalidated since (a read that began before a
   * write must not put its older rows back after the write's invalidation).
   */
  set(service: string, hash: string, generation: number, value: Buffer, ttlMs: number): Promise<void>;
  /** Makes every entry of `service` unreachable (here and, for Redis, on every replica). Never throws. */
  invalidate(service: string): Promise<void>;
  close(): Promise<void>;
}
