// A running target (its pool behind the counting proxy) → every query answered and compared with the
// reference answer, and its SQL statements per request counted on the wire (and, for Junction, read from
// the x-junction-sql-statements header).
import { canonicalRows, diff, levels, type Canonical } from './compare.js';
import type { CountProxy } from './count-proxy.js';
import type { QueryId, WorkloadQuery } from './queries.js';
import type { Target } from './targets.js';

export const COUNT_REQUESTS = 10;

export interface Reference {
  from: string;
  rows: Canonical;
}

export interface StatementFigures {
  /** Data statements per request seen on the wire. */
  wire: number;
  /** Transaction control / settings statements per request seen on the wire. */
  control: number;
  /** Junction only: the x-junction-sql-statements header. */
  header: number | null;
  /** The distinct statement texts of one request (first 300 characters). */
  texts: string[];
}

export class MismatchError extends Error {}

export async function post(port: number, body: unknown): Promise<{ json: unknown; headers: Headers }> {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${response.status}, not JSON: ${text.slice(0, 300)}`);
  }
  return { json, headers: response.headers };
}

/** Throws MismatchError (with the diff) when the target's rows differ from the reference. */
export async function verify(
  target: Target,
  query: WorkloadQuery,
  port: number,
  references: Map<QueryId, Reference>,
  warn: (message: string) => void,
): Promise<void> {
  const { json } = await post(port, target.body(query));
  let rows: Canonical;
  try {
    rows = canonicalRows(target.kind, query, json);
  } catch (error) {
    throw new MismatchError(`query ${query.id}: ${(error as Error).message}`);
  }
  const reference = references.get(query.id);
  if (!reference) {
    references.set(query.id, { from: target.name, rows });
    const got = levels(rows);
    if (got.join('/') !== query.levels.join('/')) {
      warn(
        `query ${query.id}: ${target.name} returned ${got.join('/')} rows per level, the spec says ${query.levels.join('/')}`,
      );
    }
    return;
  }
  const differences = diff(reference.rows, rows);
  if (differences.length > 0) {
    throw new MismatchError(
      `query ${query.id} differs from ${reference.from}'s answer:\n  ${differences.join('\n  ')}`,
    );
  }
}

export async function countStatements(
  target: Target,
  query: WorkloadQuery,
  port: number,
  proxy: CountProxy,
): Promise<StatementFigures> {
  const body = target.body(query);
  await post(port, body); // warm: prepared statements, plan caches
  proxy.reset();
  let header = 0;
  for (let i = 0; i < COUNT_REQUESTS; i++) {
    const { headers } = await post(port, body);
    header += Number(headers.get('x-junction-sql-statements') ?? NaN);
  }
  await new Promise((resolve) => setTimeout(resolve, 50)); // let the last messages pass the proxy
  const { data, control, texts } = proxy.count;
  return {
    wire: data / COUNT_REQUESTS,
    control: control / COUNT_REQUESTS,
    header: target.kind === 'junction' ? header / COUNT_REQUESTS : null,
    texts: [...texts.keys()],
  };
}
