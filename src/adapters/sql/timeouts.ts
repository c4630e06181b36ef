// Connection timing shared by the network dialects: an unreachable host must fail in seconds, not minutes.

/** How long the driver may take to open one TCP connection and log in. */
export const CONNECT_TIMEOUT_MS = 5_000;

/** How long a query may wait for a pooled connection (longer than a connect, so the driver error wins). */
export const ACQUIRE_TIMEOUT_MS = 10_000;

/** Pool size for PostgreSQL and MySQL; min 0 so an idle service holds no connections. */
export const POOL = { min: 0, max: 10 } as const;
