// A running target (its pool behind the counting proxy) → every query answered and compared with the
// reference answer, and its SQL statements per request counted on the wire (and, for Junction GraphQL and
// REST, read from the x-junction-sql-statements header).
import { canonicalRows, diff, levels, type Canonical } from './compare.js';
import type { CountProxy } from './count-proxy.js';
import type { QueryId, WorkloadQuery } from './queries.js';
import type { HttpRequest, Target } from './targets.js';

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
  /** Junction (GraphQL and REST) only: the x-junction-sql-statements header. */
  header: number | null;
  /** The distinct statement texts of one request (first 300 characters). */
  texts: string[];
}

export class MismatchError extends Error {}

export async function send(
  port: number,
  request: HttpRequest,
): Promise<{ status: number; json: unknown; headers: Headers }> {
  const response = await fetch(`http://127.0.0.1:${port}${request.path}`, {
    method: request.method,
    ...(request.body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: request.body }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${response.status}, not JSON: ${text.slice(0, 300)}`);
  }
  return { status: response.status, json, headers: response.headers };
}

/** Throws MismatchError (with the diff) when the target's rows differ from the reference. */
export async function verify(
  target: Target,
  query: WorkloadQuery,
  port: number,
  references: Map<QueryId, Reference>,
  warn: (message: string) => void,
): Promise<void> {
  const { status, json } = await send(port, target.request(query));
  let rows: Canonical;
  try {
    if (status !== 200) throw new Error(`HTTP ${status}: ${JSON.stringify(json).slice(0, 800)}`);
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
  const request = target.request(query);
  await send(port, request); // warm: prepared statements, plan caches
  proxy.reset();
  let header = 0;
  for (let i = 0; i < COUNT_REQUESTS; i++) {
    const { headers } = await send(port, request);
    header += Number(headers.get('x-junction-sql-statements') ?? NaN);
  }
  await new Promise((resolve) => setTimeout(resolve, 50)); // let the last messages pass the proxy
  const { data, control, texts } = proxy.count;
  return {
    wire: data / COUNT_REQUESTS,
    control: control / COUNT_REQUESTS,
    header: target.kind.startsWith('junction') ? header / COUNT_REQUESTS : null,
    texts: [...texts.keys()],
  };
}
