// DataModel → a readable text summary for `junction print-model` and the golden files: tables, columns,
// relations with their DreamFactory and GraphQL names; virtual and cross-database relations are marked;
// then the service's stored procedures and functions, when it has any.
import type {
  DataModel,
  FieldModel,
  ParamModel,
  RelationModel,
  RoutineModel,
  ServiceModel,
  TableModel,
} from './types.js';

export interface PrintOptions {
  /** Only these services (all when empty). */
  services?: string[];
  /** Leave out the column lines. */
  relationsOnly?: boolean;
}

export function printModel(model: DataModel, options: PrintOptions = {}): string {
  const wanted = options.services ?? [];
  return model.services
    .filter((s) => wanted.length === 0 || wanted.includes(s.name))
    .map((s) => printService(s, options.relationsOnly ?? false))
    .join('\n');
}

function printService(service: ServiceModel, relationsOnly: boolean): string {
  const views = service.tables.filter((t) => t.isView).length;
  const head = `service ${service.name} (${service.type}${service.schema ? `, schema ${service.schema}` : ''}): ${service.tables.length - views} tables, ${views} views; GraphQL namespace ${service.graphqlName}`;
  const lines = [head, ...service.tables.map((t) => printTable(t, relationsOnly))];
  if (service.routines.length > 0) lines.push(printRoutines(service.routines));
  return lines.join('\n') + '\n';
}

/** One line per routine: kind, name, whether it may write, its GraphQL field, then its signature. */
function printRoutines(routines: RoutineModel[]): string {
  const rows = routines.map((r) => [
    r.kind,
    r.name,
    r.readOnly ? 'read-only' : 'writes',
    `gql ${r.graphqlName}(${r.params.map((p) => p.graphqlName).join(', ')})`,
    `(${r.params.map(paramText).join(', ')})${r.kind === 'function' ? ` → ${resultText(r)}` : ''}`,
  ]);
  return [`  routines (${routines.length})`, ...align(rows).map((l) => `    ${l}`)].join('\n');
}

function paramText(p: ParamModel): string {
  const name = p.name === '' ? `$${p.position}` : p.name;
  const value = p.default === null ? '' : ` = ${p.default}`;
  return `${p.mode === 'IN' ? '' : `${p.mode} `}${name} ${p.dbType} (${p.type})${value}`;
}

function resultText(r: RoutineModel): string {
  const type = r.returnDbType ?? '?';
  if (r.returnColumns.length > 0) {
    return `${type}: ${r.returnColumns.map((c) => `${c.name} ${c.dbType} gql ${c.graphqlName}`).join(', ')}`;
  }
  return r.returnType === null ? type : `${type} (${r.returnType})`;
}

function printTable(table: TableModel, relationsOnly: boolean): string {
  const names = `GraphQL ${table.graphql.type}: ${table.graphql.list}${table.graphql.byKey ? `, ${table.graphql.byKey}` : ''}`;
  const key = table.primaryKey.length > 0 ? `key (${table.primaryKey.join(', ')})` : 'no primary key';
  const lines = [`  ${table.isView ? 'view' : 'table'} ${table.name}  ${key}  [${names}]`];
  if (!relationsOnly) lines.push(...columns(table.fields).map((l) => `    ${l}`));
  const relations = [...table.relations].sort(byDisplayName);
  if (relations.length > 0) lines.push(...align(relations.map(relationCells)).map((l) => `    ${l}`));
  return lines.join('\n');
}

function columns(fields: FieldModel[]): string[] {
  return align(
    fields.map((f) => [
      f.name,
      f.dbType,
      f.type,
      [
        f.allowNull ? 'null' : 'not null',
        f.isPrimaryKey ? 'pk' : '',
        f.autoIncrement ? 'auto' : '',
        f.isUnique ? 'unique' : '',
        f.readOnly ? 'read-only' : '',
        f.refTable ? `fk → ${f.refTable}.${f.refField ?? '?'}` : '',
      ]
        .filter(Boolean)
        .join(', '),
      `gql ${f.graphqlName}`,
    ]),
  );
}

function relationCells(rel: RelationModel): string[] {
  const far = `${rel.crossService ? `${rel.refService}.` : ''}${rel.refTable}(${rel.refFields.join(', ')})`;
  const via = rel.junction
    ? ` via ${rel.junction.table}(${rel.junction.fields.join(', ')} | ${rel.junction.refFields.join(', ')})`
    : '';
  const marks = [rel.kind === 'virtual' ? 'virtual' : '', rel.crossService ? 'cross-service' : ''].filter(
    Boolean,
  );
  return [
    `${rel.name ?? '(no REST name)'}`,
    rel.type,
    `(${rel.fields.join(', ')}) → ${far}${via}`,
    rel.graphqlName ? `gql ${rel.graphqlName}` : 'gql -',
    marks.length > 0 ? `[${marks.join(', ')}]` : '',
  ];
}

function byDisplayName(a: RelationModel, b: RelationModel): number {
  const x = `${a.name ?? '~'}|${a.type}|${a.source}`;
  const y = `${b.name ?? '~'}|${b.type}|${b.source}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

function align(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
