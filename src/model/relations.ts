// RawTables of one service → RelationModels discovered from real foreign keys, by DreamFactory's rules
// (dreamfactory-compat.md §8.1–8.3), including the quirks it asks us to emulate (Q11 self-FK collision,
// Q12 every two-FK table is a junction). GraphQL names are assigned later, in graphql-naming.
import type { RawForeignKey, RawTable } from '../introspect/catalog.js';
import { dfRelationName } from './df-names.js';
import type { RelationModel, RelationType } from './types.js';

export interface Discovered {
  /** Relations per table name, in DreamFactory's order, not yet named (see applyDfNames). */
  byTable: Map<string, RelationModel[]>;
  warnings: string[];
}

export function discoverRelations(service: string, tables: RawTable[]): Discovered {
  const byName = new Map(tables.map((table) => [table.name, table]));
  const byTable = new Map<string, RelationModel[]>();
  const warnings: string[] = [];
  const known = (fk: RawForeignKey, owner: RawTable): boolean => {
    if (byName.has(fk.refTable)) return true;
    warnings.push(
      `${service}.${owner.name}: foreign key ${fk.name} references ${fk.refTable}, which is not part of this service; no relation made`,
    );
    return false;
  };

  for (const table of tables) {
    const relations: RelationModel[] = [];
    for (const fk of table.foreignKeys) {
      if (known(fk, table))
        relations.push(relation(service, 'belongs_to', fk.columns, fk.refTable, fk.refColumns, fk));
    }
    for (const child of tables) {
      for (const fk of child.foreignKeys) {
        if (fk.refTable !== table.name) continue;
        const type: RelationType = isKeyOf(child, fk.columns) ? 'has_one' : 'has_many';
        relations.push(relation(service, type, fk.refColumns, child.name, fk.columns, fk));
        for (const other of child.foreignKeys) {
          if (other === fk || other.refTable === table.name || !byName.has(other.refTable)) continue;
          relations.push({
            ...relation(service, 'many_many', fk.refColumns, other.refTable, other.refColumns, other),
            junction: { service, table: child.name, fields: fk.columns, refFields: other.columns },
            source: `${fk.name}+${other.name}`,
          });
        }
      }
    }
    byTable.set(table.name, relations);
  }
  return { byTable, warnings };
}

function relation(
  service: string,
  type: RelationType,
  fields: string[],
  refTable: string,
  refFields: string[],
  fk: RawForeignKey,
): RelationModel {
  return {
    name: null,
    graphqlName: null,
    type,
    kind: 'constraint',
    crossService: false,
    fields,
    refService: service,
    refTable,
    refFields,
    junction: null,
    onUpdate: fk.onUpdate,
    onDelete: fk.onDelete,
    source: fk.name,
  };
}

/** Are `columns` exactly the table's primary key or one of its unique keys (in any order)? */
export function isKeyOf(
  table: { primaryKey: string[]; uniqueKeys: { columns: string[] }[] },
  columns: string[],
) {
  const same = (key: string[]) => key.length === columns.length && key.every((c) => columns.includes(c));
  return same(table.primaryKey) || table.uniqueKeys.some((key) => same(key.columns));
}

/**
 * DreamFactory keys relations by lower-cased name: a later relation with the same name replaces the earlier
 * one but keeps its position (§8.3). Losers stay in the model with `name: null` so GraphQL can still use them.
 */
export function applyDfNames(service: string, relations: RelationModel[]): RelationModel[] {
  const winner = new Map<string, number>();
  const named = relations.map((rel, index) => {
    const name = dfRelationName(
      {
        type: rel.type,
        fields: rel.fields,
        refService: rel.refService,
        refTable: rel.refTable,
        refFields: rel.refFields,
        junctionService: rel.junction?.service ?? null,
        junctionTable: rel.junction?.table ?? null,
      },
      service,
    );
    winner.set(name.toLowerCase(), index);
    return { rel, name };
  });
  const ordered: RelationModel[] = [];
  const placed = new Set<string>();
  for (const { name } of named) {
    const key = name.toLowerCase();
    if (placed.has(key)) continue;
    placed.add(key);
    const index = winner.get(key) ?? 0;
    ordered.push({ ...(named[index]?.rel as RelationModel), name });
  }
  const losers = named
    .filter(({ name }, index) => winner.get(name.toLowerCase()) !== index)
    .map(({ rel }) => ({ ...rel, name: null }));
  return [...ordered, ...losers];
}
