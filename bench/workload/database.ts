// The workload's databases: Chinook (snake_case PostgreSQL script of test/fixtures/chinook) loaded into a
// fresh database, and optionally a ×10 copy (every row nine more times, keys shifted by k·10,000, so the
// relations stay the same shape). Dropped again by the caller.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

export const ADMIN_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SHIFT = 10_000;

export function databaseUrl(database: string, port?: number): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  if (port !== undefined) url.port = String(port);
  return url.toString();
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export const dropDatabase = (name: string) =>
  withClient(ADMIN_URL, (c) => c.query(`drop database if exists ${name} with (force)`));

/** Creates `name` and loads Chinook into it (×10 when `times10`); returns the track count. */
export async function createChinook(root: string, name: string, times10: boolean): Promise<number> {
  await dropDatabase(name);
  await withClient(ADMIN_URL, (c) => c.query(`create database ${name}`));
  const script = readFileSync(
    join(root, 'test/fixtures/chinook/Chinook_PostgreSql_AutoIncrementPKs.sql'),
    'utf8',
  )
    .split('\n')
    .filter((line) => !/^\s*(DROP DATABASE|CREATE DATABASE|\\c\s)/i.test(line))
    .join('\n');
  return withClient(databaseUrl(name), async (client) => {
    await client.query(script);
    if (times10) await multiply(client);
    await client.query('analyze');
    const { rows } = await client.query<{ n: string }>('select count(*) as n from track');
    return Number(rows[0]!.n);
  });
}

/** Adds nine shifted copies of every row: key and foreign-key columns + k·SHIFT, other columns as they are. */
async function multiply(client: pg.Client): Promise<void> {
  const { rows: max } = await client.query<{ n: number }>(
    'select greatest((select max(track_id) from track), (select max(invoice_line_id) from invoice_line)) as n',
  );
  if ((max[0]?.n ?? 0) >= SHIFT) throw new Error(`ids reach ${SHIFT}: the ×10 shift would collide`);
  const { rows: columns } = await client.query<{ table: string; column: string; key: boolean }>(`
    select c.table_name as table, c.column_name as column,
      exists (select 1 from pg_constraint k join pg_attribute a on a.attrelid = k.conrelid and a.attnum = any (k.conkey)
              where k.conrelid = format('public.%I', c.table_name)::regclass and k.contype in ('p', 'f')
                and a.attname = c.column_name) as key
    from information_schema.columns c join information_schema.tables t using (table_schema, table_name)
    where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
    order by c.table_name, c.ordinal_position`);
  const tables = new Map<string, { column: string; key: boolean }[]>();
  for (const row of columns) tables.set(row.table, [...(tables.get(row.table) ?? []), row]);
  await client.query('begin');
  await client.query('set local session_replication_role = replica'); // foreign keys checked by construction
  for (const [table, cols] of tables) {
    const names = cols.map((c) => `"${c.column}"`).join(', ');
    const values = cols.map((c) => (c.key ? `"${c.column}" + k * ${SHIFT}` : `"${c.column}"`)).join(', ');
    await client.query(
      `insert into "${table}" (${names}) overriding system value
       select ${values} from "${table}", generate_series(1, 9) as k`,
    );
  }
  await client.query('commit');
}
