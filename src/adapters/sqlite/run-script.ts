// SQL scripts → a SQLite database file, built in a temp file and renamed into place in one step.
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Runs `sqlScripts` in order into a fresh database and moves it to `filename`, replacing any file there.
 * The rename is atomic on one filesystem, so a crash mid-build never leaves a half-built database behind.
 */
export function createSqliteFromScript(filename: string, sqlScripts: string[]): void {
  const dir = dirname(filename);
  mkdirSync(dir, { recursive: true });
  // Same directory as the target: rename(2) is only atomic within one filesystem.
  const temp = join(dir, `.${basename(filename)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const db = new Database(temp);
    try {
      // Scripts insert parents after children (Chinook loads Album before Artist), so the keys are
      // checked once at the end instead of row by row. The pragma cannot change inside a transaction.
      db.pragma('foreign_keys = OFF');
      // One transaction: a single fsync instead of one per statement (seconds instead of minutes).
      db.transaction(() => {
        for (const script of sqlScripts) db.exec(script);
      })();
      const violations = db.pragma('foreign_key_check') as unknown[];
      if (violations.length > 0) {
        throw new Error(
          `${filename}: ${violations.length} rows break a foreign key after loading the scripts`,
        );
      }
    } finally {
      db.close();
    }
    renameSync(temp, filename);
  } catch (error) {
    rmSync(temp, { force: true });
    rmSync(`${temp}-journal`, { force: true });
    throw error;
  }
}
