// RawCatalogs (one per service) + the config → DataModel. Everything that reads the model reads it from here:
// fields get simple types and flags, relations are discovered from foreign keys, virtual keys are added on
// both ends, then DreamFactory names and GraphQL names are assigned. Problems are collected and thrown once.
import type { JunctionConfig, ServiceConfig } from '../config/types.js';
import { ApiError, ApiErrorList } from '../errors/index.js';
import type { Dialect, RawCatalog, RawColumn, RawShapeField, RawTable } from '../introspect/catalog.js';
import { dfLabel, dfPlural } from './df-names.js';
import { isCurrentTimestamp, typecastDefault } from './defaults.js';
import { assignGraphqlNames } from './graphql-naming.js';
import { fieldName } from './graphql-names.js';
import { applyDfNames, discoverRelations } from './relations.js';
import { buildRoutines, nameRoutines } from './routines.js';
import { mongoSimpleType, parseDbType, simpleTypeOf } from './simple-types.js';
import type { DataModel, FieldModel, ServiceModel, ShapeField, SimpleType, TableModel } from './types.js';
import { addVirtualKeys } from './virtual-keys.js';

export interface BuildResult {
  model: DataModel;
  /** Things an operator should know that do not stop the server (printed by `serve` and `check`). */
  warnings: string[];
}

export function buildModel(
  config: Pick<JunctionConfig, 'services' | 'virtualForeignKeys'>,
  catalogs: ReadonlyMap<string, RawCatalog>,
): BuildResult {
  const problems: ApiError[] = [];
  const warnings: string[] = [];
  const services: ServiceModel[] = [];
  for (const service of config.services) {
    const catalog = catalogs.get(service.name);
    if (!catalog) throw new ApiError('INTERNAL', `no catalog for service '${service.name}'`);
    services.push(buildService(service, catalog, warnings));
  }
  addVirtualKeys(services, config.virtualForeignKeys, problems, warnings);
  const named: DataModel = {
    services: services.map((service) => ({
      ...service,
      tables: service.tables.map((table) => ({
        ...table,
        relations: applyDfNames(service.name, table.relations),
      })),
    })),
  };
  const tablesNamed = assignGraphqlNames(named, config.services, problems);
  // Routines are named after the tables, whose field names they must not take.
  const model: DataModel = { services: tablesNamed.services.map(nameRoutines) };
  if (problems.length > 0) throw new ApiErrorList('MODEL_INVALID', problems);
  return { model, warnings };
}

function buildService(config: ServiceConfig, catalog: RawCatalog, warnings: string[]): ServiceModel {
  const discovered = discoverRelations(config.name, catalog.tables);
  warnings.push(...discovered.warnings);
  const tables = [...catalog.tables].sort(byName).map((raw): TableModel => ({
    name: raw.name,
    label: dfLabel(raw.name),
    plural: dfPlural(dfLabel(raw.name)),
    description: raw.comment,
    isView: raw.kind === 'view',
    primaryKey: raw.primaryKey,
    uniqueKeys: raw.uniqueKeys.map((key) => key.columns),
    fields: raw.columns.map((column) => buildField(raw, column, catalog.dialect)),
    relations: discovered.byTable.get(raw.name) ?? [],
    graphql: { type: '', list: '', byKey: null },
  }));
  return {
    name: config.name,
    type: config.type,
    label: config.label ?? dfLabel(config.name),
    description: config.description,
    schema: catalog.schema,
    maxRecords: config.maxRecords,
    graphqlName: fieldName(config.name, 'service'),
    tables,
    routines: buildRoutines(catalog.routines),
  };
}

function buildField(table: RawTable, column: RawColumn, dialect: Dialect): FieldModel {
  const isPrimaryKey = table.primaryKey.includes(column.name);
  const fk = table.foreignKeys.find((key) => key.columns.includes(column.name));
  const type = refineType(
    dialect === 'mongodb' ? mongoSimpleType(column.dbType) : simpleTypeOf(column.dbType),
    table,
    column,
    fk !== undefined && fk.columns.length === 1,
  );
  const isView = table.kind === 'view';
  const shape = column.shape ? { shape: shapeFields(column.shape) } : {};
  return {
    ...shape,
    name: column.name,
    label: dfLabel(column.name),
    description: column.comment,
    dbType: column.dbType,
    type,
    allowNull: column.nullable,
    default: typecastDefault(column.default, type, column.autoIncrement),
    length: column.length,
    precision: column.precision,
    scale: column.scale,
    autoIncrement: column.autoIncrement,
    required:
      !column.nullable && column.default === null && !column.autoIncrement && !column.generated && !isView,
    isPrimaryKey,
    isUnique: table.uniqueKeys.some((key) => key.columns.length === 1 && key.columns[0] === column.name),
    isIndex: [...table.indexes, ...table.uniqueKeys].some((key) => key.columns[0] === column.name),
    isForeignKey: fk !== undefined,
    refTable: fk?.refTable ?? null,
    refField: fk ? (fk.refColumns[fk.columns.indexOf(column.name)] ?? null) : null,
    readOnly: column.generated || column.generatedAlways === true || isView,
    graphqlName: '',
  };
}

/** §7.3: integers become `id` (single auto-increment PK) or `reference` (single-column FK). */
function refineType(base: SimpleType, table: RawTable, column: RawColumn, singleFk: boolean): SimpleType {
  if (base === 'integer') {
    if (column.autoIncrement && table.primaryKey.length === 1 && table.primaryKey[0] === column.name)
      return 'id';
    if (singleFk) return 'reference';
  }
  if (
    base === 'timestamp' &&
    parseDbType(column.dbType).base === 'timestamp' &&
    isCurrentTimestamp(column.default)
  ) {
    return column.onUpdateCurrentTimestamp ? 'timestamp_on_update' : 'timestamp_on_create';
  }
  return base;
}

function byName(a: { name: string }, b: { name: string }): number {
  const x = a.name.toLowerCase();
  const y = b.name.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function shapeFields(raw: RawShapeField[]): ShapeField[] {
  return raw.map((f) => ({
    name: f.name,
    type: mongoSimpleType(f.dbType),
    dbType: f.dbType,
    ...(f.shape ? { shape: shapeFields(f.shape) } : {}),
  }));
}
