// Demo directory with committed SQL scripts → the SQLite files the demo config points at (built once).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSqliteFromScript } from '../adapters/sqlite/run-script.js';

/** Each demo database: the file demo/junction.demo.yaml names, and the scripts that build it. */
const DEMO_DATABASES: ReadonlyArray<{ file: string; scripts: string[] }> = [
  { file: '.data/chinook.sqlite', scripts: ['data/chinook/Chinook_Sqlite_AutoIncrementPKs.sql'] },
  { file: '.data/reviews.sqlite', scripts: ['data/reviews/reviews.sql'] },
];

/**
 * Builds each missing demo database from its scripts and logs one line per database built; databases
 * already present are left alone (delete `demo/.data/` to start the demo from scratch).
 */
export async function ensureDemoDatabases(demoDir: string, log?: (msg: string) => void): Promise<void> {
  for (const { file, scripts } of DEMO_DATABASES) {
    const target = join(demoDir, file);
    if (existsSync(target)) continue;
    const started = Date.now();
    const sql = await Promise.all(scripts.map((script) => readFile(join(demoDir, script), 'utf8')));
    createSqliteFromScript(target, sql);
    log?.(`demo: built ${relative(process.cwd(), target) || target} in ${Date.now() - started} ms`);
  }
}

/** Absolute path of demo/junction.demo.yaml in this package. */
export function demoConfigPath(): string {
  return join(packageRoot(), 'demo', 'junction.demo.yaml');
}

/**
 * The nearest directory above this module holding a package.json: the package root both when this runs
 * compiled from dist/demo/ and as source from src/demo/ (vitest, tsx), and wherever npm installed it.
 */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}
