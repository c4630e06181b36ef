// config.relationsFile ↔ the virtual foreign keys added over the API (`_schema/{table}/_related`). Kept apart
// from the config file, which stays the operator's; loadModel merges both lists. Written whole to a temp
// file and renamed, so a crash never leaves half a file.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { parseFieldRef } from '../config/schema.js';
import type { FieldRef, JunctionConfig, VirtualForeignKeyConfig } from '../config/types.js';
import { ApiError } from '../errors/index.js';

export async function readStoredKeys(
  config: Pick<JunctionConfig, 'relationsFile'>,
): Promise<VirtualForeignKeyConfig[]> {
  const path = config.relationsFile;
  if (!path) return [];
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ApiError('CONFIG_INVALID', `cannot read the relations file ${path}`, { cause: error });
  }
  const invalid = (why: string) => new ApiError('CONFIG_INVALID', `relations file ${path}: ${why}`);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw invalid('not valid JSON');
  }
  const keys = (document as { virtualForeignKeys?: unknown } | null)?.virtualForeignKeys;
  if (!Array.isArray(keys)) throw invalid('expected {"virtualForeignKeys": [...]}');
  return keys.map((key: unknown, i) => {
    const from = parseFieldRef((key as { from?: unknown } | null)?.from);
    const to = parseFieldRef((key as { to?: unknown } | null)?.to);
    if (!from || !to) throw invalid(`virtualForeignKeys[${i}] needs "from" and "to" ends`);
    return { from, to };
  });
}

export async function writeStoredKeys(path: string, keys: VirtualForeignKeyConfig[]): Promise<void> {
  const body = { virtualForeignKeys: keys.map((key) => ({ from: plain(key.from), to: plain(key.to) })) };
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(body, null, 2)}\n`);
  await rename(temp, path);
}

function plain(ref: FieldRef): FieldRef {
  return { service: ref.service, table: ref.table, fields: [...ref.fields] };
}

/** Two keys naming the same columns on both ends. */
export function sameKey(a: VirtualForeignKeyConfig, b: VirtualForeignKeyConfig): boolean {
  const same = (x: FieldRef, y: FieldRef) =>
    x.service === y.service && x.table === y.table && x.fields.join('\0') === y.fields.join('\0');
  return same(a.from, b.from) && same(a.to, b.to);
}
