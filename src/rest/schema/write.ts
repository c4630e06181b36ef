// `POST/PUT/PATCH/DELETE /_schema/...` (RestContext) → a checked SchemaChange or virtual-key list, applied
// through the runtime's SchemaAdmin, answered with the new description read from the rebuilt model. Drops
// need `force=true`. The router has already checked the role's verb on `_schema/{table}`.
import { denied } from '../../auth/authorize.js';
import { isAllowed } from '../../auth/roles.js';
import type { VirtualForeignKeyConfig } from '../../config/types.js';
import { ApiError } from '../../errors/index.js';
import type { ModelIndex } from '../../model/model-index.js';
import { virtualKeySource } from '../../model/virtual-keys.js';
import type { SchemaChange } from '../../model/schema-change.js';
import type { ServiceModel, TableModel } from '../../model/types.js';
import type { SchemaAdmin } from '../../runtime/schema-admin.js';
import { accessFor } from '../access.js';
import type { RestContext, RestResponse } from '../types.js';
import { describeField, describeRelation, describeTable } from './describe.js';
import { keyOnlyWhenUnchanged } from './legacy-keys.js';
import {
  checkName,
  itemsOf,
  parseRelation,
  parseTable,
  tableOfFields,
  type TableDraft,
} from './parse-fields.js';
import {
  checkDropField,
  checkKeyOnly,
  checkDropTable,
  lookup,
  planAlter,
  planCreate,
  planRelations,
  type PendingTable,
} from './validate-change.js';

export async function schemaWrite(ctx: RestContext): Promise<RestResponse> {
  const admin = ctx.schemaAdmin;
  const { verb, path } = ctx.request;
  if (!admin) throw new ApiError('INTERNAL', 'schema writes need the runtime');
  const [, tableName, sub, item] = path;
  if (tableName === undefined) {
    if (verb === 'DELETE') throw invalid('Name the table to drop: DELETE /_schema/{table}?force=true.');
    return verb === 'POST'
      ? createTables(ctx, admin, itemsOf(ctx.request.body, 'schema create'))
      : alterMany(ctx, admin);
  }
  if (sub === undefined) {
    if (verb === 'DELETE') return dropTable(ctx, admin, existing(ctx, tableName));
    if (verb === 'POST') return createOne(ctx, admin, tableName);
    return alterTables(ctx, admin, [alterDraft(bodyObject(ctx), existing(ctx, tableName))], 'one');
  }
  const table = existing(ctx, tableName);
  if (sub === '_related') return relatedWrite(ctx, admin, table, item);
  const fieldName = sub === '_field' ? item : path.length === 3 ? sub : undefined;
  if (path.length > 4 || (sub !== '_field' && path.length > 3))
    throw invalid('Invalid schema path in describe request.');
  if (verb === 'DELETE') {
    if (fieldName === undefined)
      throw invalid('Name the field to drop: DELETE /_schema/{table}/{field}?force=true.');
    return dropField(ctx, admin, table, fieldName);
  }
  if (fieldName === undefined) {
    // `/_schema/{t}/_field`: a list of fields; POST only adds, PUT/PATCH add or change.
    const items = itemsOf(ctx.request.body, 'schema create');
    const draft = tableOfFields(table.name, keyOnlyWhenUnchanged(items, table));
    if (verb === 'POST') {
      const taken = draft.fields.find((f) =>
        table.fields.some((t) => t.name.toLowerCase() === f.name.toLowerCase()),
      );
      if (taken)
        throw new ApiError(
          'SCHEMA_CONFLICT',
          `Field '${taken.name}' already exists in table '${table.name}'.`,
        );
    }
    const next = await applyAlter(ctx, admin, [draft]);
    const after = tableIn(next, ctx.request.service.name, table.name);
    return ok({ resource: items.map((f) => describeField(fieldOf(after, String(f.name)))) });
  }
  if (verb === 'POST')
    throw invalid(
      `Use PUT or PATCH to change field '${fieldName}', or POST to _schema/${table.name}/_field.`,
    );
  const body = bodyObject(ctx);
  const given = { ...body, name: body.name ?? fieldName };
  const draft = tableOfFields(table.name, keyOnlyWhenUnchanged([given], table));
  if (checkName(given.name, 'field') !== fieldName)
    throw invalid('Fields cannot be renamed through _schema.');
  if (!table.fields.some((f) => f.name === fieldName))
    throw new ApiError('NOT_FOUND', `No requested fields found in table '${table.name}'.`);
  const next = await applyAlter(ctx, admin, [draft]);
  return ok(describeField(fieldOf(tableIn(next, ctx.request.service.name, table.name), fieldName)));
}

/** `POST /_schema/{table}`: the body describes that one table (its name comes from the path). */
async function createOne(ctx: RestContext, admin: SchemaAdmin, name: string): Promise<RestResponse> {
  const response = await createTables(ctx, admin, [{ ...bodyObject(ctx), name }]);
  return ok((response.body as { resource: unknown[] }).resource[0]);
}

async function createTables(
  ctx: RestContext,
  admin: SchemaAdmin,
  items: Record<string, unknown>[],
): Promise<RestResponse> {
  const service = ctx.request.service;
  const drafts = items.map((item) => parseTable(item));
  const tables = planCreate(service, drafts);
  const keys = await plannedKeys(ctx, admin, drafts, drafts);
  let next = await admin.change(service.name, { kind: 'create', tables });
  if (keys.length > 0) next = await admin.setStoredKeys([...(await admin.storedKeys()), ...keys]);
  return ok({ resource: drafts.map((d) => describe(ctx, next, d.name)) });
}

/** `PUT/PATCH /_schema` with `{"resource":[{name, field, related}]}`: every table must exist. */
async function alterMany(ctx: RestContext, admin: SchemaAdmin): Promise<RestResponse> {
  const drafts = itemsOf(ctx.request.body, 'schema update').map((item) => {
    const table = existing(ctx, checkName(item.name, 'table'));
    checkSchemaAccess(ctx, ctx.request.service.name, table.name);
    return alterDraft(item, table);
  });
  return alterTables(ctx, admin, drafts, 'many');
}

async function alterTables(
  ctx: RestContext,
  admin: SchemaAdmin,
  drafts: TableDraft[],
  shape: 'one' | 'many',
): Promise<RestResponse> {
  if (drafts.every((d) => d.fields.length === 0 && d.related.length === 0))
    throw invalid('No data in schema update request.');
  const next = await applyAlter(ctx, admin, drafts);
  const described = drafts.map((d) => describe(ctx, next, d.name));
  return ok(shape === 'one' ? described[0] : { resource: described });
}

/** A table description changing `table`; legacy key fields that change no column run no DDL. */
function alterDraft(item: Record<string, unknown>, table: TableModel): TableDraft {
  const list = item.field ?? item.fields;
  const field = Array.isArray(list) ? keyOnlyWhenUnchanged(list, table) : list;
  return parseTable({ ...item, field }, table.name);
}

/** Field changes as DDL, then the tables' new virtual relationships; everything checked before either. */
async function applyAlter(ctx: RestContext, admin: SchemaAdmin, drafts: TableDraft[]): Promise<ModelIndex> {
  const service = ctx.request.service;
  for (const d of drafts) checkKeyOnly(existing(ctx, d.name), d.keyOnly);
  const alters = drafts
    .filter((d) => d.fields.length > 0)
    .map((d) => planAlter(service, existing(ctx, d.name), d.fields));
  // Relationships may name the table's fields and those the same request adds.
  const pending = drafts.map((d) => ({
    name: d.name,
    fields: [...existing(ctx, d.name).fields, ...d.fields],
  }));
  const keys = await plannedKeys(ctx, admin, drafts, pending);
  let next = ctx.index;
  if (alters.length > 0) next = await admin.change(service.name, { kind: 'alter', tables: alters });
  if (keys.length > 0) next = await admin.setStoredKeys([...(await admin.storedKeys()), ...keys]);
  return next;
}

async function plannedKeys(
  ctx: RestContext,
  admin: SchemaAdmin,
  drafts: TableDraft[],
  pending: PendingTable[],
): Promise<VirtualForeignKeyConfig[]> {
  const known = [...admin.configKeys, ...(await admin.storedKeys())];
  const keys: VirtualForeignKeyConfig[] = [];
  for (const draft of drafts) {
    if (draft.related.length === 0) continue;
    const planned = planRelations(
      ctx.index,
      ctx.request.service,
      draft.name,
      draft.related,
      [...known, ...keys],
      pending,
    );
    keys.push(...planned);
  }
  for (const key of keys)
    for (const end of [key.from, key.to])
      if (end.service !== ctx.request.service.name) checkSchemaAccess(ctx, end.service, end.table);
  return keys;
}

/**
 * The role's verb on `_schema/{table}` of `service`: for a relationship into another service, and for each
 * table of a `PUT/PATCH /_schema` list (the router checked only `_schema` itself).
 */
function checkSchemaAccess(ctx: RestContext, service: string, table: string): void {
  const { principal } = ctx;
  const { verb } = ctx.request;
  if (principal.kind === 'open') return;
  const component = `_schema/${table}`.toLowerCase();
  if (!isAllowed(principal.role, service, component, verb)) throw denied(principal, verb, service, component);
}

async function relatedWrite(
  ctx: RestContext,
  admin: SchemaAdmin,
  table: TableModel,
  name: string | undefined,
): Promise<RestResponse> {
  const { verb, service } = ctx.request;
  if (verb === 'DELETE') {
    if (name === undefined)
      throw invalid('Name the relationship to delete: DELETE /_schema/{table}/_related/{name}.');
    const relation = table.relations.find((r) => r.name?.toLowerCase() === name.toLowerCase());
    if (!relation)
      throw new ApiError('NOT_FOUND', `No requested relationships found in table '${table.name}'.`);
    if (relation.kind !== 'virtual')
      throw invalid(
        `'${relation.name}' is a foreign key of the database, not a virtual relationship; change the field instead.`,
      );
    const stored = await admin.storedKeys();
    const remaining = stored.filter((key) => virtualKeySource(key) !== relation.source);
    if (remaining.length === stored.length)
      throw new ApiError(
        'SCHEMA_CONFLICT',
        `The virtual relationship '${relation.name}' is declared in the config file (virtualForeignKeys); remove it there.`,
      );
    await admin.setStoredKeys(remaining);
    return ok({ name: relation.name, success: true });
  }
  if (name !== undefined) throw invalid('Add relationships with a list sent to _schema/{table}/_related.');
  const drafts = itemsOf(ctx.request.body, 'schema create').map(parseRelation);
  const keys = await plannedKeys(
    ctx,
    admin,
    [{ name: table.name, fields: [], primaryKey: null, related: drafts, keyOnly: [] }],
    [],
  );
  const next = await admin.setStoredKeys([...(await admin.storedKeys()), ...keys]);
  const after = tableIn(next, service.name, table.name);
  const added = after.relations.filter(
    (r) => r.name !== null && r.kind === 'virtual' && keys.some((k) => virtualKeySource(k) === r.source),
  );
  return ok({ resource: added.map((r) => describeRelation(next, r)) });
}

async function dropTable(ctx: RestContext, admin: SchemaAdmin, table: TableModel): Promise<RestResponse> {
  confirmed(ctx, `DELETE /_schema/${table.name}?force=true`);
  checkDropTable(ctx.request.service, table);
  await run(ctx, admin, { kind: 'drop_table', table: table.name });
  return ok({ name: table.name, success: true });
}

async function dropField(
  ctx: RestContext,
  admin: SchemaAdmin,
  table: TableModel,
  name: string,
): Promise<RestResponse> {
  confirmed(ctx, `DELETE /_schema/${table.name}/${name}?force=true`);
  checkDropField(ctx.request.service, table, name);
  await run(ctx, admin, { kind: 'drop_field', table: table.name, field: name });
  return ok({ name, success: true });
}

async function run(ctx: RestContext, admin: SchemaAdmin, change: SchemaChange): Promise<ModelIndex> {
  try {
    return await admin.change(ctx.request.service.name, change);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'SCHEMA_REJECTED')
      ctx.log?.(`rest: schema change refused: ${String(error.cause)}`);
    throw error;
  }
}

/** Dropping a table or field destroys data: the request must say so. */
function confirmed(ctx: RestContext, example: string): void {
  if (!ctx.request.params.bool('force'))
    throw invalid(`Dropping destroys data: confirm with force=true (${example}).`);
}

function describe(ctx: RestContext, index: ModelIndex, name: string): Record<string, unknown> {
  const service = serviceIn(index, ctx.request.service.name);
  const table = tableIn(index, service.name, name);
  return describeTable(index, service, table, accessFor(ctx, table, '_schema'));
}

function serviceIn(index: ModelIndex, name: string): ServiceModel {
  const service = index.findService(name);
  if (!service) throw new ApiError('INTERNAL', `service '${name}' left the model`);
  return service;
}

function tableIn(index: ModelIndex, service: string, name: string): TableModel {
  const table = lookup(serviceIn(index, service), name);
  if (!table) throw new ApiError('INTERNAL', `table '${name}' is not in the rebuilt model`);
  return table;
}

function fieldOf(table: TableModel, name: string) {
  const field = table.fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
  if (!field) throw new ApiError('INTERNAL', `field '${name}' is not in the rebuilt model`);
  return field;
}

function existing(ctx: RestContext, name: string): TableModel {
  const table = lookup(ctx.request.service, name);
  if (!table) throw new ApiError('NOT_FOUND', `Table "${name}" does not exist in the database.`);
  return table;
}

function bodyObject(ctx: RestContext): Record<string, unknown> {
  const body = ctx.request.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length === 0)
    throw invalid('No data in schema request.');
  const resource = (body as { resource?: unknown }).resource;
  // `{"resource":[{…}]}` with one table is accepted where one table is expected.
  if (Array.isArray(resource)) {
    if (resource.length !== 1 || resource[0] === null || typeof resource[0] !== 'object')
      throw invalid('Send one table description here.');
    return resource[0] as Record<string, unknown>;
  }
  return body as Record<string, unknown>;
}

function invalid(message: string): ApiError {
  return new ApiError('BAD_REQUEST', message);
}

function ok(body: unknown): RestResponse {
  return { status: 200, body };
}
