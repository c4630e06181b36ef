// DataModel with DreamFactory names → the same model with GraphQL names on every service, table, field and
// relation. Rules (documented in the README): types are PascalCase singular and unique across services
// (a later service's colliding type gets its service prefix); fields are camelCase; belongs-to relations are
// named after their column without `Id`, has-many after the plural child table; collisions get `By<Key>`.
import { ApiError } from '../errors/index.js';
import type { ServiceConfig, TableOverride } from '../config/types.js';
import {
  belongsToBase,
  fieldName,
  listFieldName,
  pascal,
  singularFieldName,
  typeName,
  uniqueName,
} from './graphql-names.js';
import type { DataModel, RelationModel, ServiceModel, TableModel } from './types.js';

/** Names the generated schema uses for its own types; a table type must not take them. */
const RESERVED_TYPES = new Set([
  'Query',
  'Mutation',
  'Subscription',
  'String',
  'Int',
  'Float',
  'Boolean',
  'ID',
  'BigInt',
  'Decimal',
  'DateTime',
  'Date',
  'Time',
  'JSON',
  'Bytes',
  'PageInfo',
  'OrderDirection',
  'NullsOrder',
]);

export function assignGraphqlNames(
  model: DataModel,
  configs: ServiceConfig[],
  problems: ApiError[],
): DataModel {
  const takenTypes = new Set(RESERVED_TYPES);
  const services = model.services.map((service) => {
    const index = configs.findIndex((c) => c.name === service.name);
    return nameService(service, configs[index]?.tables ?? {}, takenTypes, `services[${index}]`, problems);
  });
  return { services };
}

function nameService(
  service: ServiceModel,
  overrides: Record<string, TableOverride>,
  takenTypes: Set<string>,
  path: string,
  problems: ApiError[],
): ServiceModel {
  for (const tableName of Object.keys(overrides)) {
    if (!service.tables.some((t) => t.name === tableName)) {
      problems.push(
        new ApiError('MODEL_INVALID', `no table '${tableName}' in service '${service.name}'`, {
          path: `${path}.tables.${tableName}`,
        }),
      );
    }
  }
  const rootFields = new Set<string>();
  const tables = service.tables.map((table) => {
    const override = overrides[table.name] ?? {};
    const opath = `${path}.tables.${table.name}`;
    const base = override.graphqlType ?? typeName(table.name);
    const type = takenTypes.has(base)
      ? uniqueName(`${pascal(service.name)}${base}`, takenTypes)
      : uniqueName(base, takenTypes);
    const list = uniqueName(override.graphqlList ?? listFieldName(table.name), rootFields);
    let byKey: string | null = null;
    if (table.primaryKey.length > 0) {
      const single = singularFieldName(table.name);
      byKey = uniqueName(rootFields.has(single) ? `${single}ByKey` : single, rootFields);
    }
    const named = nameFields(table, override, opath, problems);
    return { ...named, graphql: { type, list, byKey } };
  });
  return {
    ...service,
    tables: tables.map((t) =>
      nameRelations(t, service, tables, overrides[t.name] ?? {}, `${path}.tables.${t.name}`, problems),
    ),
  };
}

function nameFields(
  table: TableModel,
  override: TableOverride,
  path: string,
  problems: ApiError[],
): TableModel {
  const taken = new Set<string>();
  const wanted = override.fields ?? {};
  for (const [column, name] of Object.entries(wanted)) {
    if (!table.fields.some((f) => f.name === column)) {
      problems.push(
        new ApiError('MODEL_INVALID', `no column '${column}' in table '${table.name}'`, {
          path: `${path}.fields.${column}`,
        }),
      );
    } else if (taken.has(name)) {
      problems.push(
        new ApiError('MODEL_INVALID', `GraphQL field name '${name}' is used twice`, {
          path: `${path}.fields.${column}`,
        }),
      );
    } else {
      taken.add(name);
    }
  }
  const fields = table.fields.map((field) => ({
    ...field,
    graphqlName: wanted[field.name] ?? uniqueName(fieldName(field.name), taken),
  }));
  return { ...table, fields };
}

function nameRelations(
  table: TableModel,
  service: ServiceModel,
  siblings: TableModel[],
  override: TableOverride,
  path: string,
  problems: ApiError[],
): TableModel {
  const fieldNames = new Set(table.fields.map((f) => f.graphqlName));
  const bases = table.relations.map((rel) => baseName(rel, service, siblings));
  const counts = new Map<string, number>();
  for (const base of bases) if (base !== null) counts.set(base, (counts.get(base) ?? 0) + 1);

  const wanted = override.relations ?? {};
  const taken = new Set(fieldNames);
  for (const [key, name] of Object.entries(wanted)) {
    if (!table.relations.some((rel) => rel.name === key || rel.source === key)) {
      problems.push(
        new ApiError('MODEL_INVALID', `no relation '${key}' on table '${table.name}'`, {
          path: `${path}.relations.${key}`,
        }),
      );
    } else if (taken.has(name)) {
      problems.push(
        new ApiError(
          'MODEL_INVALID',
          `GraphQL name '${name}' is already a field or relation of '${table.name}'`,
          { path: `${path}.relations.${key}` },
        ),
      );
    } else {
      taken.add(name);
    }
  }
  const relations = table.relations.map((rel, index): RelationModel => {
    const explicit = wanted[rel.name ?? ''] ?? wanted[rel.source];
    if (explicit !== undefined) return { ...rel, graphqlName: explicit };
    const base = bases[index] ?? null;
    if (base === null) return { ...rel, graphqlName: null };
    const clashes = (counts.get(base) ?? 0) > 1 || fieldNames.has(base) || isSelfHasMany(rel, table, service);
    return { ...rel, graphqlName: uniqueName(clashes ? disambiguate(base, rel) : base, taken) };
  });
  return { ...table, relations };
}

function baseName(rel: RelationModel, service: ServiceModel, siblings: TableModel[]): string | null {
  switch (rel.type) {
    case 'belongs_to':
      return belongsToBase(rel.fields) ?? singularFieldName(rel.refTable);
    case 'has_one':
      return singularFieldName(rel.refTable);
    case 'has_many':
      return listFieldName(rel.refTable);
    case 'many_many': {
      const junction = siblings.find((t) => t.name === rel.junction?.table);
      return junction && rel.junction?.service === service.name && isRealJunction(junction)
        ? listFieldName(rel.refTable)
        : null;
    }
  }
}

function disambiguate(base: string, rel: RelationModel): string {
  switch (rel.type) {
    case 'belongs_to':
      return `${base}${typeName(rel.refTable)}`;
    case 'has_one':
    case 'has_many':
      return `${base}By${pascal(rel.refFields.join('_'))}`;
    case 'many_many':
      return `${base}Via${pascal(rel.junction?.table ?? '')}`;
  }
}

function isSelfHasMany(rel: RelationModel, table: TableModel, service: ServiceModel): boolean {
  return rel.type === 'has_many' && rel.refService === service.name && rel.refTable === table.name;
}

/**
 * A real junction links two tables and nothing else: exactly two foreign keys whose columns together form
 * its primary key (or a unique key), and no other column a link insert would have to fill.
 */
export function isRealJunction(table: TableModel): boolean {
  const fks = table.relations.filter((r) => r.type === 'belongs_to' && r.kind === 'constraint');
  if (fks.length !== 2) return false;
  const linked = new Set(fks.flatMap((r) => r.fields));
  const sameSet = (key: string[]) => key.length === linked.size && key.every((c) => linked.has(c));
  const keyed = sameSet(table.primaryKey) || table.uniqueKeys.some(sameSet);
  return keyed && table.fields.every((f) => linked.has(f.name) || !f.required);
}
