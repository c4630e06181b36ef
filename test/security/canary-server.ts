// Test-only canary for the sqlmap suite (security.md S1c): a deliberately injectable HTTP endpoint that
// pastes `filter` into `SELECT … WHERE ${filter}` over an in-memory SQLite table, the way DreamFactory's
// historical bugs did. sqlmap must report it injectable; if it does not, the harness (flags, baseline,
// result parsing) is broken and a "clean" verdict on Junction means nothing. Never imported by src/.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';

export interface CanaryServer {
  /** e.g. `http://127.0.0.1:41234/api/v2/canary/_table/Track` */
  tableUrl: string;
  close(): Promise<void>;
}

export async function startCanaryServer(): Promise<CanaryServer> {
  const db = new Database(':memory:');
  db.exec(`create table Track (TrackId integer primary key, Name text not null, Milliseconds integer);
    insert into Track (Name, Milliseconds) values
      ('Across the Universe', 228000), ('All You Need Is Love', 227000), ('Blackbird', 138000),
      ('Come Together', 259000), ('Day Tripper', 168000), ('Eleanor Rigby', 126000)`);
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://canary');
    if (url.pathname !== '/api/v2/canary/_table/Track') {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const filter = url.searchParams.get('filter');
    // The bug under test: client text concatenated into SQL.
    const sql = `select TrackId, Name from Track${filter ? ` where ${filter}` : ''} order by TrackId`;
    try {
      const rows = db.prepare(sql).all();
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ resource: rows }));
    } catch (error) {
      response
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: (error as Error).message } }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    tableUrl: `http://127.0.0.1:${port}/api/v2/canary/_table/Track`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          db.close();
          resolve();
        });
      }),
  };
}
