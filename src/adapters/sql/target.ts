// Where a service connects to, in words safe to show an operator (never the password).

export interface ConnectionTarget {
  /** `host:port` for network databases, the file path for SQLite. */
  where: string;
  user: string | null;
  database: string | null;
}

/** host:port, user and database of a connection URL, without its password. */
export function urlTarget(url: string, defaultPort: number): ConnectionTarget {
  try {
    const parsed = new URL(url);
    const host = decodeURIComponent(parsed.hostname) || parsed.searchParams.get('host') || 'localhost';
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    return {
      where: `${host}:${parsed.port || defaultPort}`,
      user: decodeURIComponent(parsed.username) || null,
      database: database || null,
    };
  } catch {
    return { where: '(unparseable connection URL)', user: null, database: null };
  }
}
