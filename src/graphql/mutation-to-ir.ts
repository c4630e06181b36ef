// Mutation arguments → write IR. Nested relation inputs become an InsertNode tree; every required column is
// checked before any statement runs, so a bad nested input fails without touching the database.
import { ApiError } from '../errors/index.js';
import type { Row, Scalar } from '../ir/types.js';
import type { InsertNode } from '../ir/write.js';
import type { ModelIndex, TableEntry } from '../model/model-index.js';

type Input = Record<string, unknown>;

export function insertNode(
  index: ModelIndex,
  entry: TableEntry,
  input: Input,
  filled: readonly string[],
  path: string,
): InsertNode {
  const node: InsertNode = {
    service: entry.service.name,
    table: entry.table.name,
    values: {},
    parents: [],
    children: [],
    links: [],
  };
  const fedByParents = new Set<string>(filled);
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const field = entry.fieldsByGraphql.get(key);
    if (field) {
      node.values[field.name] = value;
      continue;
    }
    const relation = entry.relationsByGraphql.get(key);
    if (!relation || value === null) continue;
    const far = index.target(relation);
    const rel = value as { create?: unknown; connect?: unknown };
    const at = `${path}.${key}`;
    if (relation.type === 'belongs_to') {
      if (rel.create && rel.connect) throw invalid(at, 'give create or connect, not both');
      if (!rel.create && !rel.connect) continue;
      node.parents.push({
        relation,
        create: rel.create ? insertNode(index, far, rel.create as Input, [], `${at}.create`) : null,
        connect: rel.connect ? keyColumns(far, rel.connect as Input) : null,
      });
      for (const f of relation.fields) fedByParents.add(f);
    } else {
      const creates = listOf(rel.create).map((c, i) =>
        insertNode(
          index,
          far,
          c,
          relation.type === 'many_many' ? [] : relation.refFields,
          `${at}.create[${i}]`,
        ),
      );
      const connects = listOf(rel.connect).map((c) => keyColumns(far, c));
      const target = relation.type === 'many_many' ? node.links : node.children;
      target.push({ relation, create: creates, connect: connects });
    }
  }
  for (const field of entry.table.fields) {
    if (
      field.required &&
      !field.readOnly &&
      node.values[field.name] === undefined &&
      !fedByParents.has(field.name)
    ) {
      throw invalid(
        `${path}.${field.graphqlName}`,
        `a value is required for ${entry.table.name}.${field.name}`,
      );
    }
  }
  return node;
}

function listOf(value: unknown): Input[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as Input[];
}

/** GraphQL key input (`{ trackId: 1 }`) → column values (`{ TrackId: 1 }`). */
export function keyColumns(entry: TableEntry, input: Input): Row {
  const row: Row = {};
  for (const [key, value] of Object.entries(input)) {
    const field = entry.fieldsByGraphql.get(key);
    if (field) row[field.name] = value as Scalar;
  }
  return row;
}

/** `set` input → column values; only writable columns can arrive (the schema has no others). */
export function setColumns(entry: TableEntry, input: Input): Row {
  return keyColumns(entry, input);
}

/** An upsert writes one row of plain columns; nested relation data cannot be merged on a clash. */
export function upsertValues(entry: TableEntry, input: Input): Row {
  for (const key of Object.keys(input)) {
    if (entry.relationsByGraphql.has(key))
      throw invalid(`object.${key}`, 'an upsert takes columns only, not related rows');
  }
  return keyColumns(entry, input);
}

function invalid(path: string, message: string): ApiError {
  return new ApiError('VALIDATION_FAILED', `${path}: ${message}.`, { path });
}
