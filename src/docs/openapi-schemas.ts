// The parts of an OpenAPI document that do not depend on which paths a role may call: JSON schemas for the
// simple types, records, inputs, relations, `_schema` descriptions and routine results; the contract's
// parameters; the envelopes and error responses. Used by openapi-paths.ts and openapi.ts.
import type {
  FieldModel,
  RelationModel,
  RoutineModel,
  ServiceModel,
  SimpleType,
  TableModel,
} from '../model/types.js';

export type Json = Record<string, unknown>;

export const ERROR_STATUSES = ['400', '401', '403', '404', '500'] as const;

/** Every error response component; operations list ERROR_STATUSES, schema writes also 409 and 501. */
export const ERROR_TEXT: Record<(typeof ERROR_STATUSES)[number] | '409' | '501', string> = {
  '400': 'Bad request: invalid parameter, filter or body; batch error (code 1000); missing credentials.',
  '401': 'Unauthorized: the API key’s role may not do this.',
  '403': 'Forbidden: the user’s role may not do this.',
  '404': 'Not found: unknown table, record or routine.',
  '409':
    'Conflict: the name is taken, or a key or relationship still uses what the request changes or drops.',
  '500': 'Database error.',
  '501': 'Not supported here (e.g. `many_many` or multi-field virtual relationships).',
};

/** The JSON Schema of a value of a DreamFactory simple type, as the REST API sends it (compat §5.8). */
export function simpleTypeSchema(type: SimpleType): Json {
  switch (type) {
    case 'id':
    case 'reference':
    case 'integer':
      return { type: 'integer' };
    case 'bigint':
      // 64-bit integers beyond 2^53 are sent as strings by some drivers.
      return { type: ['integer', 'string'] };
    case 'decimal':
    case 'double':
    case 'float':
    case 'money':
      return { type: 'number' };
    case 'boolean':
      return { type: 'boolean' };
    case 'timestamp':
    case 'timestamp_on_create':
    case 'timestamp_on_update':
    case 'datetime':
    case 'date':
    case 'time':
      return { type: 'string', description: `${type}, as stored (e.g. "2009-01-01 00:00:00")` };
    case 'binary':
      return { type: 'string', contentEncoding: 'base64' };
    case 'uuid':
      return { type: 'string', format: 'uuid' };
    case 'array':
      return { type: 'array' };
    case 'json':
      return {};
    case 'text':
    case 'string':
      return { type: 'string' };
  }
}

export function nullable(schema: Json): Json {
  const type = schema.type;
  if (type === undefined) return schema;
  const types = Array.isArray(type) ? (type as string[]) : [type as string];
  return { ...schema, type: [...types, 'null'] };
}

export function fieldSchema(field: FieldModel): Json {
  const base = simpleTypeSchema(field.type);
  const described: Json = { ...base, description: describeField(field, base) };
  if (field.readOnly) described.readOnly = true;
  return field.allowNull ? nullable(described) : described;
}

export function describeField(field: FieldModel, base: Json): string {
  const parts = [`${field.type} (${field.dbType})`];
  if (field.isPrimaryKey) parts.push('primary key');
  if (field.autoIncrement) parts.push('auto-increment');
  if (field.refTable) parts.push(`references ${field.refTable}.${field.refField ?? ''}`);
  if (field.description) parts.push(field.description);
  if (typeof base.description === 'string') parts.push(base.description);
  return parts.join('; ');
}

/** Component names allow `[A-Za-z0-9._-]`; table names are made to fit and kept unique. */
export function componentNames(tables: TableModel[]): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const table of tables) {
    const base = table.name.replace(/[^A-Za-z0-9._-]/g, '_') || 'table';
    let name = base;
    for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base}_${i}`;
    taken.add(name.toLowerCase());
    names.set(table.name, name);
  }
  return names;
}

export const ref = (kind: 'schemas' | 'parameters' | 'responses', name: string): Json => ({
  $ref: `#/components/${kind}/${name}`,
});

/** Query parameters of the contract (§2.3, §3, §5), by name. */
export const PARAMETERS: Record<string, { description: string; schema: Json }> = {
  fields: {
    description:
      'Comma list of columns to return (`*` = all; empty = primary key only). On writes: re-read and return these columns.',
    schema: { type: 'string' },
  },
  related: {
    description:
      'Comma list of relationship names to embed (or `*`). Per relationship: `{rel}.fields`, `{rel}.limit`, `{rel}.order`.',
    schema: { type: 'string' },
  },
  filter: {
    description:
      "SQL-like condition, e.g. `(ArtistId = 1) AND (Title like 'F%')`; operators = != > >= < <= like in, not in, contains, starts with, ends with, is null, is not null.",
    schema: { type: 'string' },
  },
  order: { description: 'e.g. `Title DESC` (comma list; NULLS FIRST|LAST).', schema: { type: 'string' } },
  group: { description: 'Comma list of columns to group by.', schema: { type: 'string' } },
  limit: {
    description: 'Maximum records (default and cap: the service’s max records).',
    schema: { type: 'integer', minimum: 0 },
  },
  offset: { description: 'Records to skip.', schema: { type: 'integer', minimum: 0 } },
  ids: { description: 'Comma list of identifier values.', schema: { type: 'string' } },
  id_field: {
    description: 'Comma list of columns identifying records (default: the primary key).',
    schema: { type: 'string' },
  },
  id_type: { description: 'Accepted and ignored (DreamFactory compatibility).', schema: { type: 'string' } },
  include_count: { description: 'Add `meta.count` (and `meta.next`).', schema: { type: 'boolean' } },
  include_schema: { description: 'Add `meta.schema` (the table description).', schema: { type: 'boolean' } },
  count_only: {
    description: 'Answer with the bare number of matching records.',
    schema: { type: 'boolean' },
  },
  continue: {
    description: 'Batch: go on after a failing record (successes are kept).',
    schema: { type: 'boolean' },
  },
  rollback: {
    description: 'Batch: run in one transaction; any failure rolls everything back.',
    schema: { type: 'boolean' },
  },
  as_list: {
    description: 'Answer with a flat list of the `id_field` values (default field: `name`).',
    schema: { type: 'boolean' },
  },
  refresh: { description: 'Bypass caches.', schema: { type: 'boolean' } },
  file: {
    description: 'Download as a file with this name (`.json`, `.csv`, `.xml`).',
    schema: { type: 'string' },
  },
  accept: {
    description: 'Response format, overrides the Accept header (`json`, `xml`, `csv`).',
    schema: { type: 'string' },
  },
  wrap: {
    description: '`false` sends lists bare instead of `{"resource":[…]}`.',
    schema: { type: 'boolean' },
  },
  force: {
    description: 'DELETE without ids, records or filter: delete every record (role filters still apply).',
    schema: { type: 'boolean' },
  },
  allow_related_delete: {
    description: 'Nested writes may delete related records.',
    schema: { type: 'boolean' },
  },
};

export const STRING_OR_NULL: Json = { type: ['string', 'null'] };

export const INT_OR_NULL: Json = { type: ['integer', 'null'] };

export const NATIVE: Json = { type: 'array', description: 'Always empty.' };

/** What `_schema` describes, key for key as rest/schema/describe.ts builds it (compat §7). */
export const DESCRIPTION_SCHEMAS: Json = {
  FieldDescription: {
    type: 'object',
    description: 'A column as `_schema/{table}/_field/{field}` describes it (compat §7.3).',
    required: ['name', 'type', 'db_type', 'allow_null', 'is_primary_key'],
    properties: {
      alias: { type: 'null' },
      name: { type: 'string' },
      label: { type: 'string' },
      description: STRING_OR_NULL,
      native: NATIVE,
      type: { type: 'string', description: 'The DreamFactory simple type (`id`, `integer`, `string`, …).' },
      db_type: { type: 'string', description: 'The type as the database prints it.' },
      length: INT_OR_NULL,
      precision: INT_OR_NULL,
      scale: INT_OR_NULL,
      default: { description: 'The column default, as the database gives it (or null).' },
      required: { type: 'boolean' },
      allow_null: { type: 'boolean' },
      fixed_length: { type: 'boolean' },
      supports_multibyte: { type: 'boolean' },
      auto_increment: { type: 'boolean' },
      is_primary_key: { type: 'boolean' },
      is_unique: { type: 'boolean' },
      is_index: { type: 'boolean' },
      is_foreign_key: { type: 'boolean' },
      ref_table: STRING_OR_NULL,
      ref_field: STRING_OR_NULL,
      ref_on_update: STRING_OR_NULL,
      ref_on_delete: STRING_OR_NULL,
      picklist: { type: ['array', 'null'] },
      validation: { type: ['object', 'null'] },
      db_function: { type: ['array', 'null'] },
      is_virtual: { type: 'boolean' },
      is_aggregate: { type: 'boolean' },
    },
  },
  RelationDescription: {
    type: 'object',
    description: 'A relationship as `_schema/{table}/_related/{relation}` describes it (compat §7.3).',
    required: ['name', 'type', 'field', 'ref_table', 'ref_field'],
    properties: {
      alias: { type: 'null' },
      name: { type: 'string', description: 'e.g. `Album_by_ArtistId`; the `related` parameter’s value.' },
      label: { type: 'string' },
      description: STRING_OR_NULL,
      native: NATIVE,
      type: { type: 'string', enum: ['belongs_to', 'has_one', 'has_many', 'many_many'] },
      field: { type: 'string', description: 'Local column(s), comma separated.' },
      is_virtual: { type: 'boolean', description: 'Declared in the config (virtualForeignKeys).' },
      ref_service_id: { ...INT_OR_NULL, description: 'The far service (1-based position in the config).' },
      ref_table: { type: 'string' },
      ref_field: { type: 'string' },
      ref_on_update: STRING_OR_NULL,
      ref_on_delete: STRING_OR_NULL,
      junction_service_id: INT_OR_NULL,
      junction_table: STRING_OR_NULL,
      junction_field: STRING_OR_NULL,
      junction_ref_field: STRING_OR_NULL,
      always_fetch: { type: 'boolean' },
      flatten: { type: 'boolean' },
      flatten_drop_prefix: { type: 'boolean' },
    },
  },
  TableDescription: {
    type: 'object',
    description: 'A table as `_schema/{table}` describes it (compat §7.2).',
    required: ['name', 'primary_key', 'field', 'related', 'access'],
    properties: {
      alias: { type: 'null' },
      name: { type: 'string' },
      label: { type: 'string' },
      description: STRING_OR_NULL,
      native: NATIVE,
      plural: { type: 'string' },
      is_view: { type: 'boolean' },
      primary_key: { type: 'array', items: { type: 'string' } },
      name_field: { type: 'null' },
      field: { type: 'array', items: ref('schemas', 'FieldDescription') },
      related: { type: 'array', items: ref('schemas', 'RelationDescription') },
      constraints: {
        type: 'object',
        description: 'Foreign keys (by name) and `primary`.',
        additionalProperties: {
          type: 'object',
          required: ['constraint_type', 'table_name', 'column_name'],
          properties: {
            constraint_type: { type: 'string', enum: ['FOREIGN KEY', 'PRIMARY KEY'] },
            table_name: { type: 'string' },
            column_name: { type: ['string', 'array'], items: { type: 'string' } },
            referenced_table_name: STRING_OR_NULL,
            referenced_column_name: { type: ['string', 'array', 'null'], items: { type: 'string' } },
            update_rule: STRING_OR_NULL,
            delete_rule: STRING_OR_NULL,
          },
        },
      },
      access: {
        type: 'integer',
        minimum: 0,
        maximum: 31,
        description: 'The caller’s verbs here as a mask: GET 1, POST 2, PUT 4, PATCH 8, DELETE 16.',
      },
    },
  },
  TableSummary: {
    type: 'object',
    description: '`_table?fields=*`: a table’s head and the caller’s verbs.',
    required: ['name'],
    properties: {
      alias: { type: 'null' },
      name: { type: 'string' },
      label: { type: 'string' },
      description: STRING_OR_NULL,
      native: NATIVE,
      plural: { type: 'string' },
      is_view: { type: 'boolean' },
      access: { type: 'array', items: { type: 'string', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] } },
    },
  },
};

export const READ_LIST = [
  'fields',
  'related',
  'filter',
  'order',
  'group',
  'limit',
  'offset',
  'ids',
  'id_field',
  'id_type',
  'include_count',
  'include_schema',
  'count_only',
  'continue',
  'as_list',
  'refresh',
  'file',
  'accept',
  'wrap',
];

export const WRITE_LIST = [
  'fields',
  'related',
  'ids',
  'filter',
  'id_field',
  'id_type',
  'continue',
  'rollback',
];

export const READ_ONE = ['fields', 'related', 'id_field', 'id_type', 'accept', 'file'];

export const WRITE_ONE = ['fields', 'related', 'id_field', 'id_type', 'allow_related_delete'];

export function errorResponses(): Json {
  return Object.fromEntries(ERROR_STATUSES.map((s) => [s, ref('responses', `Error${s}`)]));
}

export function jsonContent(schema: Json): Json {
  return { 'application/json': { schema } };
}

export function ok(description: string, schema: Json, content: Json = jsonContent(schema)): Json {
  return { '200': { description, content }, ...errorResponses() };
}

/** JSON, or the same data as XML or CSV (`accept` parameter or `Accept` header; rest/formats). */
export function formatsContent(schema: Json): Json {
  return {
    ...jsonContent(schema),
    'application/xml': { schema: { type: 'string', description: 'The same data as XML (`<dfapi>` root).' } },
    'text/csv': { schema: { type: 'string', description: 'The same records as CSV, a header row first.' } },
  };
}

/** `wrap=false` (query or header) sends a `{"resource":[…]}` envelope's array bare: one or the other. */
export function wrapped(items: Json, description?: string): Json {
  return {
    ...(description ? { description } : {}),
    oneOf: [
      { type: 'object', required: ['resource'], properties: { resource: { type: 'array', items } } },
      { type: 'array', items, description: '`wrap=false`: the list without its envelope.' },
    ],
  };
}

export const SCALAR: Json = { type: ['string', 'number', 'boolean', 'null'] };

export function recordSchema(service: ServiceModel, table: TableModel, names: Map<string, string>): Json {
  const properties: Json = {};
  for (const field of table.fields) properties[field.name] = fieldSchema(field);
  for (const relation of table.relations) {
    if (!relation.name || relation.name in properties) continue;
    properties[relation.name] = relationSchema(service, relation, names);
  }
  return {
    type: 'object',
    description:
      `A record of ${table.isView ? 'view' : 'table'} ${table.name}` +
      (table.primaryKey.length > 0 ? ` (key: ${table.primaryKey.join(', ')})` : '') +
      '. Only the requested `fields` are present; relationships appear when asked with `related`.',
    properties,
  };
}

export function relationSchema(
  service: ServiceModel,
  relation: RelationModel,
  names: Map<string, string>,
): Json {
  const local = relation.refService === service.name ? names.get(relation.refTable) : undefined;
  const far = local ? ref('schemas', `${local}.Record`) : { type: 'object' };
  const description =
    `${relation.type} ${relation.refService === service.name ? '' : `${relation.refService}.`}${relation.refTable}` +
    (relation.crossService ? ' (across databases)' : '') +
    (relation.kind === 'virtual' ? ' (virtual)' : '');
  switch (relation.type) {
    case 'belongs_to':
      return { description, anyOf: [far, { type: 'null' }] };
    case 'has_one':
      // No match: `[]` (compat Q10).
      return { description, anyOf: [far, { type: 'null' }, { type: 'array', maxItems: 0 }] };
    case 'has_many':
    case 'many_many':
      return { description, type: 'array', items: far };
  }
}

export function inputSchema(table: TableModel): Json {
  const properties: Json = {};
  for (const field of table.fields) {
    if (field.readOnly) continue;
    properties[field.name] = fieldSchema(field);
  }
  return {
    type: 'object',
    description: `Column values of ${table.name} (unknown keys are ignored). Required on create: ${
      table.fields
        .filter((f) => f.required)
        .map((f) => f.name)
        .join(', ') || 'none'
    }.`,
    properties,
  };
}

/** What a call answers (rest/routines/results.ts, compat §11.3), as far as the model knows the routine. */
export function routineResultSchema(routine: RoutineModel): Json {
  const outs = routine.params.filter((p) => p.mode !== 'IN');
  const outProperties = Object.fromEntries(
    outs.map((p) => [p.name === '' ? `$${p.position}` : p.name, nullable(simpleTypeSchema(p.type))]),
  );
  const columns = routine.returnColumns.map((column) => column.name);
  const row: Json = {
    type: 'object',
    description: columns.length > 0 ? `A row: ${columns.join(', ')}.` : 'A row, column → value.',
  };
  const cast: Json = { ...SCALAR, description: '`returns=<type>`: the first value, cast.' };
  if (routine.kind === 'function') {
    if (routine.returnType && !routine.returnsSet)
      return {
        ...nullable(simpleTypeSchema(routine.returnType)),
        description: `The function's value (${routine.returnDbType ?? routine.returnType}).`,
      };
    if (routine.returnDbType?.trim().toLowerCase() === 'void') return { type: 'null', description: 'void' };
    const rows: Json =
      outs.length > 0 && !routine.returnsSet
        ? {
            type: 'array',
            maxItems: 1,
            description: 'One row: the OUT values.',
            items: { type: 'object', properties: outProperties },
          }
        : { type: 'array', description: 'The rows.', items: row };
    return { anyOf: [rows, cast] };
  }
  const sets: Json = {
    type: 'array',
    description: 'One result set: its rows; several: an array of them; none: `[]`.',
    items: { anyOf: [row, { type: 'array', items: row }] },
  };
  if (outs.length === 0)
    return {
      anyOf: [sets, { type: 'object', description: '`wrapper=<key>`: `{<key>: rows}`.' }, cast],
    };
  return {
    type: 'object',
    description: 'The OUT values, and the rows (if any) under `resource` (or `wrapper`).',
    required: Object.keys(outProperties),
    properties: { resource: sets, ...outProperties },
  };
}
