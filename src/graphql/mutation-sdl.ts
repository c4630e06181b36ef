// DataModel → the Mutation type and its inputs: insert one/many (with nested create/connect along relations
// of the same database), update and delete by primary key or by where, upsert. Views get none. Relations to
// another database take no nested writes: two databases cannot share a transaction (README: mutations).
import type { ModelIndex } from '../model/model-index.js';
import type { FieldModel, RelationModel, ServiceModel, TableModel } from '../model/types.js';
import { pascal } from '../model/graphql-names.js';
import { typeNames } from './names.js';
import { routineMutationFields } from './routines-sdl.js';
import { scalarOf } from './type-map.js';

/** The mutation fields of a table; null where the table has no key or the role lacks the verb. */
export interface MutationNames {
  insertOne: string | null;
  insertMany: string | null;
  updateOne: string | null;
  updateMany: string | null;
  deleteOne: string | null;
  deleteMany: string | null;
  upsertOne: string | null;
}

export function mutationNames(service: ServiceModel, table: TableModel): MutationNames {
  const plural = pascal(table.graphql.list);
  let single = pascal(table.graphql.byKey ?? table.graphql.type);
  if (single === plural) single = `${single}One`;
  const keyed = table.primaryKey.length > 0;
  const prefix = `${service.graphqlName}_`;
  // A role's view of the model says which write verbs it has; the full model allows them all.
  const verbs = new Set(table.writableVerbs ?? ['POST', 'PUT', 'PATCH', 'DELETE']);
  const insert = verbs.has('POST');
  const update = verbs.has('PATCH') || verbs.has('PUT');
  const remove = verbs.has('DELETE');
  return {
    insertOne: insert ? `${prefix}insert${single}` : null,
    insertMany: insert ? `${prefix}insert${plural}` : null,
    updateOne: keyed && update ? `${prefix}update${single}` : null,
    updateMany: update ? `${prefix}update${plural}` : null,
    deleteOne: keyed && remove ? `${prefix}delete${single}` : null,
    deleteMany: remove ? `${prefix}delete${plural}` : null,
    upsertOne: keyed && insert && update ? `${prefix}upsert${single}` : null,
  };
}

export function writable(table: TableModel): FieldModel[] {
  return table.isView ? [] : table.fields.filter((f) => !f.readOnly);
}

/** Relations that take nested writes: exposed in GraphQL and inside one database. */
export function nestedRelations(table: TableModel): RelationModel[] {
  return table.relations.filter((r) => r.graphqlName !== null && !r.crossService);
}

export function keyInputName(type: string): string {
  return `${type}KeyInput`;
}

/** A relation's `connect` input names the far table's key; only offered when that key is its primary key. */
export function connectsByPrimaryKey(index: ModelIndex, rel: RelationModel): boolean {
  const far = index.target(rel).table;
  const by =
    rel.type === 'many_many' ? rel.refFields : rel.type === 'belongs_to' ? rel.refFields : far.primaryKey;
  return (
    far.primaryKey.length > 0 &&
    by.length === far.primaryKey.length &&
    by.every((f) => far.primaryKey.includes(f))
  );
}

export function buildMutationTypeDefs(index: ModelIndex): string {
  const parts: string[] = [];
  const fields: string[] = [];
  for (const service of index.model.services) {
    for (const table of service.tables) {
      const columns = writable(table);
      const lines = columns.length === 0 ? '' : mutationFields(service, table);
      if (lines === '') continue;
      parts.push(inputTypes(index, table, columns));
      fields.push(lines);
    }
  }
  // Procedures and volatile functions (routines-sdl), after the table mutations.
  fields.push(...routineMutationFields(index));
  if (fields.length === 0) return '';
  return `${parts.join('\n')}\n\ntype Mutation {\n${fields.join('\n')}\n}`;
}

function inputTypes(index: ModelIndex, table: TableModel, columns: FieldModel[]): string {
  const t = table.graphql.type;
  const n = typeNames(t);
  const fedByRelation = new Set(
    table.relations.filter((r) => r.type === 'belongs_to' && !r.crossService).flatMap((r) => r.fields),
  );
  const insertFields = columns.map(
    (f) => `  ${f.graphqlName}: ${scalarOf(f)}${f.required && !fedByRelation.has(f.name) ? '!' : ''}`,
  );
  const relationInputs: string[] = [];
  for (const rel of nestedRelations(table)) {
    const far = index.target(rel).table;
    if (writable(far).length === 0) continue;
    const farInsert = typeNames(far.graphql.type).insert;
    const connect = connectsByPrimaryKey(index, rel) ? keyInputName(far.graphql.type) : null;
    const many = rel.type === 'has_many' || rel.type === 'many_many';
    const name = n.relationInput(rel.graphqlName as string);
    const lines = many
      ? [
          `  "new ${far.name} rows to create and link"\n  create: [${farInsert}!]`,
          connect ? `  "existing ${far.name} rows to link, by key"\n  connect: [${connect}!]` : '',
        ]
      : [
          `  "a new ${far.name} row to create and link"\n  create: ${farInsert}`,
          connect ? `  "an existing ${far.name} row to link, by key"\n  connect: ${connect}` : '',
        ];
    relationInputs.push(`input ${name} {\n${lines.filter(Boolean).join('\n')}\n}`);
    insertFields.push(`  ${rel.graphqlName}: ${name}`);
  }
  const out = [
    `"A new ${table.name} row; relation fields create or link related rows in the same transaction."\ninput ${n.insert} {\n${insertFields.join('\n')}\n}`,
    `"Fields to change on ${table.name} rows (null sets NULL; absent fields stay)."\ninput ${n.set} {\n${columns.map((f) => `  ${f.graphqlName}: ${scalarOf(f)}`).join('\n')}\n}`,
    `type ${n.mutationResult} {\n  affectedRows: Int!\n  returning: [${t}!]!\n}`,
    ...relationInputs,
  ];
  if (table.primaryKey.length > 0) {
    const keyFields = table.primaryKey.map(
      (column) => table.fields.find((f) => f.name === column) as FieldModel,
    );
    out.push(
      `input ${keyInputName(t)} {\n${keyFields.map((f) => `  ${f.graphqlName}: ${scalarOf(f)}!`).join('\n')}\n}`,
    );
  }
  return out.join('\n');
}

function mutationFields(service: ServiceModel, table: TableModel): string {
  const t = table.graphql.type;
  const n = typeNames(t);
  const m = mutationNames(service, table);
  const keyArgs = table.primaryKey
    .map((column) => table.fields.find((f) => f.name === column) as FieldModel)
    .map((f) => `${f.graphqlName}: ${scalarOf(f)}!`)
    .join(', ');
  const lines = [
    m.insertOne &&
      `  "Insert one ${table.name} row (with nested rows); returns it."\n  ${m.insertOne}(object: ${n.insert}!): ${t}`,
    m.insertMany &&
      `  "Insert ${table.name} rows in one transaction."\n  ${m.insertMany}(objects: [${n.insert}!]!): ${n.mutationResult}!`,
    m.updateMany &&
      `  "Update the ${table.name} rows matching where."\n  ${m.updateMany}(where: ${n.where}!, set: ${n.set}!): ${n.mutationResult}!`,
    m.deleteMany &&
      `  "Delete the ${table.name} rows matching where; returns them as they were."\n  ${m.deleteMany}(where: ${n.where}!): ${n.mutationResult}!`,
    m.updateOne &&
      `  "Update one ${table.name} row by primary key; null when there is none."\n  ${m.updateOne}(${keyArgs}, set: ${n.set}!): ${t}`,
    m.deleteOne &&
      `  "Delete one ${table.name} row by primary key; returns it as it was, or null."\n  ${m.deleteOne}(${keyArgs}): ${t}`,
    m.upsertOne &&
      `  "Insert a ${table.name} row, or update the existing one whose onConflict columns (default: the primary key) clash."\n  ${m.upsertOne}(object: ${n.insert}!, onConflict: [${n.column}!], update: [${n.column}!]): ${t}`,
  ].filter((line): line is string => typeof line === 'string');
  return lines.join('\n');
}
