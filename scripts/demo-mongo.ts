// `npm run demo:mongo`: the MongoDB demo in one command. Uses MONGO_URL when set; otherwise starts the
// project's MongoDB stand-in (test/mongo-bridge.py, needs Debian's python3-mockupdb and python3-mongomock).
// Loads the `community` collections when that database is empty, builds the demo's SQLite Chinook, then runs
// `junction serve --config demo/junction.mongo.yaml` until Ctrl-C, and stops the stand-in with it.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { seedFromFile } from '../src/adapters/mongodb/seed.js';
import { ensureDemoDatabases } from '../src/demo/ensure-demo.js';

const root = (path: string): string => fileURLToPath(new URL(`../${path}`, import.meta.url));
const children: ChildProcess[] = [];

async function startStandIn(): Promise<string> {
  const bridge = spawn('/usr/bin/python3', [root('test/mongo-bridge.py'), '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(bridge);
  const ready = new Promise<string>((resolve, reject) => {
    let text = '';
    bridge.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /READY (\S+)/.exec(text);
      if (match) resolve(`${match[1]}/?directConnection=true`);
    });
    bridge.on('exit', (code) =>
      reject(
        new Error(
          `the MongoDB stand-in exited (${code}); install it with: apt-get install -y python3-mockupdb python3-mongomock, or set MONGO_URL`,
        ),
      ),
    );
  });
  return ready;
}

async function main(): Promise<void> {
  const url = process.env.MONGO_URL || (await startStandIn());
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000 });
  const existing = await client.db('community').listCollections({}, { nameOnly: true }).toArray();
  await client.close();
  if (existing.length === 0) {
    const counts = await seedFromFile(url, 'community', root('demo/data/community/community.json'));
    console.error(
      `demo: loaded community: ${Object.entries(counts)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')}`,
    );
  }
  await ensureDemoDatabases(root('demo'), (message) => console.error(message));
  const serve = spawn(
    process.execPath,
    [root('bin/junction.js'), 'serve', '--config', root('demo/junction.mongo.yaml')],
    {
      stdio: 'inherit',
      env: { ...process.env, MONGO_URL: url },
    },
  );
  children.push(serve);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => serve.kill(signal));
  const [code] = await once(serve, 'exit');
  process.exitCode = typeof code === 'number' ? code : 1;
}

main()
  .catch((error: unknown) => {
    console.error(`demo:mongo: ${(error as Error).message}`);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  });
