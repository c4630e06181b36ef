// RestContext for `GET /api/v2`, the service root, `/_table` (no table) and `/_schema/...` → RestResponse with
// DreamFactory's listing and description bodies (compat §1.1, §7.1, §7.2, §7.4); writes go to write.ts.
import { ApiError } from '../../errors/index.js';
import type { ModelIndex } from '../../model/model-index.js';
import type { Dialect } from '../../introspect/catalog.js';
import type { ServiceModel, TableModel } from '../../model/types.js';
import type { RestContext, RestHandler, RestResponse, Verb } from '../types.js';
import { accessFor } from '../access.js';
import { describeField, describeRelation, describeTable, tableHead } from './describe.js';
import { schemaWrite } from './write.js';

/** DF's verb mask bits (§10.3), in the order listings show them. */
const VERB_BITS: [Verb, number][] = [
  ['GET', 1],
  ['POST', 2],
  ['PUT', 4],
  ['PATCH', 8],
  ['DELETE', 16],
];

export function verbsOf(mask: number): Verb[] {
  return VERB_BITS.filter(([, bit]) => (mask & bit) !== 0).map(([verb]) => verb);
}

/** `GET /_table`: names, `as_list` names, or `fields=*` summaries; `ids=a,b` filters. */
export const tableListHandler: RestHandler = async (ctx) => {
  if (ctx.request.verb !== 'GET') throw unsupported(ctx.request.verb, '_table');
  return ok(listTables(ctx, listed(ctx)));
};

/** Everything under `/_schema`: the listing, `?ids=` descriptions, one table, its fields and relations. */
export const schemaHandler: RestHandler = async (ctx) => {
  const { verb, path, service, params } = ctx.request;
  if (verb !== 'GET') {
    // Handlers called without the runtime (unit tests, tools) keep `_schema` read-only.
    if (!ctx.schemaAdmin) throw unsupported(verb, '_schema', path.length > 1);
    return schemaWrite(ctx);
  }
  const [, tableName, sub, item] = path;
  if (tableName === undefined) {
    const ids = params.string('ids');
    if (ids === undefined || ids.trim() === '') return ok(listTables(ctx, listed(ctx)));
    const tables = splitList(ids).map((name) => findTable(service, name));
    return ok({
      resource: tables.map((table) =>
        describeTable(ctx.index, service, table, accessFor(ctx, table, '_schema')),
      ),
    });
  }
  const table = findTable(service, tableName);
  if (sub === undefined)
    return ok(describeTable(ctx.index, service, table, accessFor(ctx, table, '_schema')));
  if (sub === '_field') {
    if (item === undefined) return ok({ resource: table.fields.map((field) => describeField(field)) });
    return ok(describeField(fieldOf(table, item)));
  }
  if (sub === '_related') {
    const related = table.relations.filter((relation) => relation.name !== null);
    if (item === undefined) return ok({ resource: related.map((r) => describeRelation(ctx.index, r)) });
    const relation = related.find((r) => r.name?.toLowerCase() === item.toLowerCase());
    if (!relation)
      throw new ApiError('NOT_FOUND', `No requested relationships found in table '${table.name}'.`);
    return ok(describeRelation(ctx.index, relation));
  }
  if (item !== undefined) throw new ApiError('BAD_REQUEST', 'Invalid schema path in describe request.');
  return ok(describeField(fieldOf(table, sub)));
};

/** `GET /api/v2/{service}`: the service's resources; routines only where the database has them. */
export const serviceRootHandler: RestHandler = async (ctx) => {
  const { verb, service, params } = ctx.request;
  if (verb !== 'GET') throw unsupported(verb, service.name);
  const names = ['_schema', '_table', ...(ROUTINE_DIALECTS.has(service.type) ? ['_proc', '_func'] : [])];
  return ok({ resource: params.bool('as_list') ? names : names.map((name) => ({ name })) });
};

const ROUTINE_DIALECTS = new Set<Dialect>(['postgres', 'mysql']);

const SERVICE_TYPES: Record<Dialect, { name: string; label: string; description: string }> = {
  mysql: { name: 'mysql', label: 'MySQL', description: 'Database service supporting MySQL connections.' },
  postgres: {
    name: 'pgsql',
    label: 'PostgreSQL',
    description: 'Database service supporting PostgreSQL connections.',
  },
  sqlite: { name: 'sqlite', label: 'SQLite', description: 'Database service supporting SQLite connections.' },
  mongodb: { name: 'mongodb', label: 'MongoDB', description: 'Database service for MongoDB connections.' },
};

/** `GET /api/v2`: the configured services and the service types they use (DF type names: `pgsql`, …). */
export function serviceList(index: ModelIndex): { services: unknown[]; service_types: unknown[] } {
  const services = index.model.services.map((service) => ({
    name: service.name,
    label: service.label,
    description: service.description,
    type: SERVICE_TYPES[service.type].name,
  }));
  const dialects = [...new Set(index.model.services.map((service) => service.type))];
  const types = dialects.map((dialect) => {
    const { name, label, description } = SERVICE_TYPES[dialect];
    return { name, label, group: 'Database', description };
  });
  return { services, service_types: types };
}

/** The tables a listing shows: role-accessible ones, `schema=x` (prefix `x.`) applied, sorted naturally. */
function listed(ctx: RestContext): TableModel[] {
  const { service, params } = ctx.request;
  const schema = params.string('schema')?.trim().toLowerCase();
  return service.tables
    .filter((table) => accessFor(ctx, table, resourceOf(ctx)) !== 0)
    .filter((table) => !schema || inSchema(service, table.name, schema))
    .sort((a, b) => naturalCaseCompare(a.name, b.name));
}

function listTables(ctx: RestContext, tables: TableModel[]): { resource: unknown[] } {
  const { params } = ctx.request;
  const ids = params.string('ids');
  let shown = tables;
  if (ids !== undefined && ids.trim() !== '') {
    const wanted = new Set(splitList(ids).map((id) => id.toLowerCase()));
    shown = tables.filter((table) => wanted.has(table.name.toLowerCase()));
  }
  if (params.bool('as_list')) return { resource: shown.map((table) => table.name) };
  if (params.string('fields')?.trim() === '*')
    return { resource: shown.map((table) => summaryOf(ctx, table)) };
  return { resource: shown.map((table) => ({ name: table.name })) };
}

function summaryOf(ctx: RestContext, table: TableModel): Record<string, unknown> {
  return { alias: null, ...tableHead(table), access: verbsOf(accessFor(ctx, table, resourceOf(ctx))) };
}

/** Listings under `_schema` report `_schema/{t}` access; `_table` listings `_table/{t}`. */
function resourceOf(ctx: RestContext): '_table' | '_schema' {
  return ctx.request.path[0] === '_schema' ? '_schema' : '_table';
}

function inSchema(service: ServiceModel, table: string, schema: string): boolean {
  const dot = table.indexOf('.');
  if (dot < 0) return service.schema?.toLowerCase() === schema;
  return table.slice(0, dot).toLowerCase() === schema;
}

/** Table names are case-insensitive in paths; the exact spelling wins when two differ only by case. */
export function findTable(service: ServiceModel, name: string): TableModel {
  const table =
    service.tables.find((t) => t.name === name) ??
    service.tables.find((t) => t.name.toLowerCase() === name.toLowerCase());
  if (!table) throw new ApiError('NOT_FOUND', `Table "${name}" does not exist in the database.`);
  return table;
}

/** `_schema/{table}/{field}` lookups are case-sensitive (§7.4). */
function fieldOf(table: TableModel, name: string) {
  const field = table.fields.find((f) => f.name === name);
  if (!field) throw new ApiError('NOT_FOUND', `No requested fields found in table '${table.name}'.`);
  return field;
}

function unsupported(verb: Verb, resource: string, withResource = false): ApiError {
  return new ApiError(
    'BAD_REQUEST',
    withResource
      ? `${verb} requests are not currently supported by the '${resource}' service.`
      : `${verb} requests without a resource are not currently supported by the '${resource}' service.`,
  );
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/** PHP's natcasesort order: case-insensitive, digit runs compared as numbers. */
export function naturalCaseCompare(a: string, b: string): number {
  const x = a.toLowerCase().match(/\d+|\D+/g) ?? [];
  const y = b.toLowerCase().match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i] as string;
    const q = y[i] as string;
    if (p === q) continue;
    if (/^\d/.test(p) && /^\d/.test(q)) {
      const diff = Number(p) - Number(q);
      if (diff !== 0) return diff < 0 ? -1 : 1;
    }
    return p < q ? -1 : 1;
  }
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function ok(body: unknown): RestResponse {
  return { status: 200, body };
}
