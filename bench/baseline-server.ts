// The hand-written baseline of shared/bench-workload.md: node:http + a pg pool (max 10), one SQL statement per
// request that builds the whole JSON answer in PostgreSQL (json_agg). It accepts the PostGraphile request body
// of bench/workload/queries.ts (POST /graphql), picks the statement by the operation name and answers
// {"data":{"<PostGraphile root field>": <the statement's JSON text>}} without parsing that JSON in Node.
// Run: BENCH_PG_URL=postgres://… BENCH_PORT=5002 node --import tsx bench/baseline-server.ts
import { createServer } from 'node:http';
import pg from 'pg';
import { queryByOperation, type GraphqlBody } from './workload/queries.js';

const url = process.env.BENCH_PG_URL;
const port = Number(process.env.BENCH_PORT ?? 5002);
if (!url) throw new Error('BENCH_PG_URL is not set');

const pool = new pg.Pool({ connectionString: url, max: 10 });

const server = createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/health') {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    return;
  }
  if (request.method !== 'POST' || request.url !== '/graphql') {
    response.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    void answer(Buffer.concat(chunks).toString('utf8')).then(
      (body) => response.writeHead(200, { 'content-type': 'application/json' }).end(body),
      (error: Error) =>
        response
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ errors: [{ message: error.message }] })),
    );
  });
});

async function answer(text: string): Promise<string> {
  const body = JSON.parse(text) as GraphqlBody;
  const query = queryByOperation(body);
  if (!query) throw new Error('unknown operation');
  const result = await pool.query<[string | null]>({
    name: `bench_${query.id}`,
    text: query.sql,
    values: query.params(body.variables ?? {}),
    rowMode: 'array',
  });
  return `{"data":{"${query.postgraphileField}":${result.rows[0]?.[0] ?? 'null'}}}`;
}

server.listen(port, '127.0.0.1', () =>
  console.error(`baseline listening on http://127.0.0.1:${port}/graphql`),
);

const stop = () => {
  server.close();
  server.closeAllConnections();
  void pool.end().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
