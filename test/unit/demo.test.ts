// The embedded demo: committed scripts → two SQLite files whose cross-database ids line up.
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteFromScript } from '../../src/adapters/sqlite/run-script.js';
import { demoConfigPath, ensureDemoDatabases } from '../../src/demo/ensure-demo.js';

const CHINOOK_TABLES = [
  'Album',
  'Artist',
  'Customer',
  'Employee',
  'Genre',
  'Invoice',
  'InvoiceLine',
  'MediaType',
  'Playlist',
  'PlaylistTrack',
  'Track',
];

let demoDir: string;
const logged: string[] = [];

beforeAll(async () => {
  // A copy of demo/data only, so the real demo/.data is neither read nor written.
  demoDir = mkdtempSync(join(tmpdir(), 'junction-demo-'));
  cpSync(join(dirname(demoConfigPath()), 'data'), join(demoDir, 'data'), { recursive: true });
  await ensureDemoDatabases(demoDir, (msg) => logged.push(msg));
}, 60_000);

afterAll(() => rmSync(demoDir, { recursive: true, force: true }));

function open(name: string): Database.Database {
  return new Database(join(demoDir, '.data', name), { readonly: true, fileMustExist: true });
}

function count(db: Database.Database, table: string): number {
  return (db.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }).n;
}

function tables(db: Database.Database): string[] {
  const rows = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as Array<{ name: string }>;
  return rows.map((r) => r.name);
}

describe('ensureDemoDatabases', () => {
  it('points at the committed demo config', () => {
    expect(existsSync(demoConfigPath())).toBe(true);
  });

  it('builds both databases and logs one line each, leaving no temp files', () => {
    expect(logged).toHaveLength(2);
    expect(readdirSync(join(demoDir, '.data')).sort()).toEqual(['chinook.sqlite', 'reviews.sqlite']);
  });

  it('builds Chinook with its 11 tables and full data', () => {
    const db = open('chinook.sqlite');
    try {
      expect(tables(db)).toEqual(CHINOOK_TABLES);
      expect(count(db, 'Artist')).toBe(275);
      expect(count(db, 'Track')).toBe(3503);
      expect(count(db, 'Customer')).toBe(59);
    } finally {
      db.close();
    }
  });

  it('builds reviews with rows and a real foreign key review → reviewer', () => {
    const db = open('reviews.sqlite');
    try {
      expect(tables(db)).toEqual(['review', 'review_tag', 'reviewer', 'tag']);
      for (const t of ['review', 'reviewer', 'tag', 'review_tag']) expect(count(db, t)).toBeGreaterThan(0);
      const fks = db.pragma('foreign_key_list(review)') as Array<{ table: string; from: string }>;
      expect(fks).toContainEqual(expect.objectContaining({ table: 'reviewer', from: 'reviewer_id' }));
    } finally {
      db.close();
    }
  });

  it('only references Chinook tracks and customers that exist', () => {
    const chinook = open('chinook.sqlite');
    const reviews = open('reviews.sqlite');
    try {
      const ids = (db: Database.Database, sql: string) =>
        new Set((db.prepare(sql).raw().all() as Array<[number]>).map(([id]) => id));
      const tracks = ids(chinook, 'SELECT TrackId FROM Track');
      const customers = ids(chinook, 'SELECT CustomerId FROM Customer');
      const reviewed = ids(reviews, 'SELECT DISTINCT track_id FROM review');
      const linked = ids(reviews, 'SELECT DISTINCT customer_id FROM reviewer WHERE customer_id IS NOT NULL');
      expect(reviewed.size).toBeGreaterThan(0);
      expect(linked.size).toBeGreaterThan(0);
      expect([...reviewed].filter((id) => !tracks.has(id))).toEqual([]);
      expect([...linked].filter((id) => !customers.has(id))).toEqual([]);
    } finally {
      chinook.close();
      reviews.close();
    }
  });

  it('does not rebuild databases that already exist', async () => {
    const files = ['chinook.sqlite', 'reviews.sqlite'].map((f) => join(demoDir, '.data', f));
    const before = files.map((f) => statSync(f).mtimeMs);
    const again: string[] = [];
    await ensureDemoDatabases(demoDir, (msg) => again.push(msg));
    expect(files.map((f) => statSync(f).mtimeMs)).toEqual(before);
    expect(again).toEqual([]);
  });
});

describe('createSqliteFromScript', () => {
  it('leaves neither the target nor a temp file behind when a script fails', () => {
    const dir = join(demoDir, 'broken', 'nested');
    const target = join(dir, 'broken.sqlite');
    expect(() =>
      createSqliteFromScript(target, ['CREATE TABLE t (x INTEGER);', 'INSERT INTO nope VALUES (1);']),
    ).toThrow(/nope/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
