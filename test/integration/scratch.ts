import { createTestDatabase } from './support/databases.js';
import { loadChinook } from './support/chinook.js';
import { startTestServer, testConfig } from './support/graphql.js';
const dialect = (process.argv[2] ?? 'sqlite') as 'sqlite';
const db = await createTestDatabase(dialect);
await loadChinook(dialect, db);
const server = await startTestServer(testConfig([db.service()]));
const q = process.argv.slice(3).join(' ');
try {
  for (const query of q.split('|||')) {
    const r = await server.query(query);
    console.log(JSON.stringify(r, null, 0).slice(0, 3000));
  }
} finally {
  await server.close();
  await db.drop();
}
