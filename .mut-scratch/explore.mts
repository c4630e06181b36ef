import { createTestDatabase } from '/work/main/test/integration/support/databases.js';
import { loadChinook } from '/work/main/test/integration/support/chinook.js';
import { startTestServer, testConfig } from '/work/main/test/integration/support/graphql.js';
const dialect = (process.argv[2] ?? 'sqlite') as 'sqlite';
const db = await createTestDatabase(dialect);
await loadChinook(dialect, db);
const server = await startTestServer(testConfig([db.service()]));
const q = process.argv.slice(3).join(' ');
try {
  for (const query of q.split('|||')) {
    const r = await server.query(query);
    console.log(JSON.stringify(r, null, 0));
  }
} finally {
  await server.close();
  await db.drop();
}
