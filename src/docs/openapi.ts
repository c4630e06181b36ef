// DataModel (already narrowed to a role's view, auth/role-view) → an OpenAPI 3.1 document for one service's
// DreamFactory-compatible REST API (compat §1–§12): `_table` paths with every contract parameter, per-table
// record schemas typed from the simple types, the `{resource:[…]}` and error envelopes (and their `wrap=false`
// / `as_list` forms as `oneOf`), XML and CSV alternatives on reads, `_schema` with its `_field` and `_related`
// parts described key for key, `_proc` and `_func` with their result shapes, `/api/v2/user/session` where
// sessions are accepted, and the credentials DreamFactory clients send. Plain JSON; served by rest/router.ts.
import type {
  FieldModel,
  RelationModel,
  RoutineModel,
  ServiceModel,
  SimpleType,
  TableModel,
} from '../model/types.js';

type Json = Record<string, unknown>;

export interface OpenApiOptions {
  /** `info.version`. */
  version: string;
  /** The server answers without credentials (no auth configured): security is optional. */
  open: boolean;
  /** `?api_key=` is accepted (auth.apiKeyInQuery). */
  apiKeyInQuery: boolean;
  /** May the caller read `_schema` (the listing, and each table's description)? Absent: yes. */
  schemaAccess?: (component: string) => boolean;
  /**
   * `/api/v2/user/session` is served (local users or an identity provider configured): `login` says whether
   * POST (email + password) works (local users), `true` also documents GET and DELETE. Absent: not documented.
   */
  sessions?: { login: boolean; keyRequired: boolean };
}

const ERROR_STATUSES = ['400', '401', '403', '404', '500'] as const;
const ERROR_TEXT: Record<(typeof ERROR_STATUSES)[number], string> = {
  '400': 'Bad request: invalid parameter, filter or body; batch error (code 1000); missing credentials.',
  '401': 'Unauthorized: the API key’s role may not do this.',
  '403': 'Forbidden: the user’s role may not do this.',
  '404': 'Not found: unknown table, record or routine.',
  '500': 'Database error.',
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

function nullable(schema: Json): Json {
  const type = schema.type;
  if (type === undefined) return schema;
  const types = Array.isArray(type) ? (type as string[]) : [type as string];
  return { ...schema, type: [...types, 'null'] };
}

function fieldSchema(field: FieldModel): Json {
  const base = simpleTypeSchema(field.type);
  const described: Json = { ...base, description: describeField(field, base) };
  if (field.readOnly) described.readOnly = true;
  return field.allowNull ? nullable(described) : described;
}

function describeField(field: FieldModel, base: Json): string {
  const parts = [`${field.type} (${field.dbType})`];
  if (field.isPrimaryKey) parts.push('primary key');
  if (field.autoIncrement) parts.push('auto-increment');
  if (field.refTable) parts.push(`references ${field.refTable}.${field.refField ?? ''}`);
  if (field.description) parts.push(field.description);
  if (typeof base.description === 'string') parts.push(base.description);
  return parts.join('; ');
}

/** Component names allow `[A-Za-z0-9._-]`; table names are made to fit and kept unique. */
function componentNames(tables: TableModel[]): Map<string, string> {
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

const ref = (kind: 'schemas' | 'parameters' | 'responses', name: string): Json => ({
  $ref: `#/components/${kind}/${name}`,
});

/** Query parameters of the contract (§2.3, §3, §5), by name. */
const PARAMETERS: Record<string, { description: string; schema: Json }> = {
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

const STRING_OR_NULL: Json = { type: ['string', 'null'] };
const INT_OR_NULL: Json = { type: ['integer', 'null'] };
const NATIVE: Json = { type: 'array', description: 'Always empty.' };

/** What `_schema` describes, key for key as rest/schema/describe.ts builds it (compat §7). */
const DESCRIPTION_SCHEMAS: Json = {
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

const READ_LIST = [
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
const WRITE_LIST = ['fields', 'related', 'ids', 'filter', 'id_field', 'id_type', 'continue', 'rollback'];
const READ_ONE = ['fields', 'related', 'id_field', 'id_type', 'accept', 'file'];
const WRITE_ONE = ['fields', 'related', 'id_field', 'id_type', 'allow_related_delete'];

function errorResponses(): Json {
  return Object.fromEntries(ERROR_STATUSES.map((s) => [s, ref('responses', `Error${s}`)]));
}

function jsonContent(schema: Json): Json {
  return { 'application/json': { schema } };
}

function ok(description: string, schema: Json, content: Json = jsonContent(schema)): Json {
  return { '200': { description, content }, ...errorResponses() };
}

/** JSON, or the same data as XML or CSV (`accept` parameter or `Accept` header; rest/formats). */
function formatsContent(schema: Json): Json {
  return {
    ...jsonContent(schema),
    'application/xml': { schema: { type: 'string', description: 'The same data as XML (`<dfapi>` root).' } },
    'text/csv': { schema: { type: 'string', description: 'The same records as CSV, a header row first.' } },
  };
}

/** `wrap=false` (query or header) sends a `{"resource":[…]}` envelope's array bare: one or the other. */
function wrapped(items: Json, description?: string): Json {
  return {
    ...(description ? { description } : {}),
    oneOf: [
      { type: 'object', required: ['resource'], properties: { resource: { type: 'array', items } } },
      { type: 'array', items, description: '`wrap=false`: the list without its envelope.' },
    ],
  };
}

const SCALAR: Json = { type: ['string', 'number', 'boolean', 'null'] };

/** Generates the document for `service`, which must come from the caller's view of the model. */
export function openApiDocument(service: ServiceModel, options: OpenApiOptions): Json {
  const names = componentNames(service.tables);
  const schemas: Json = {
    Error: {
      type: 'object',
      description: 'DreamFactory error envelope (compat §6.1).',
      required: ['error'],
      properties: {
        error: {
          type: 'object',
          required: ['code', 'message'],
          properties: {
            code: {
              type: ['integer', 'string'],
              description: 'HTTP status, 1000 for batch errors, or a SQLSTATE string.',
            },
            message: { type: 'string' },
            context: {
              description: 'null, or `{error:[indexes], resource:[outcome per record]}` for batch errors.',
            },
            status_code: { type: 'integer' },
          },
        },
      },
    },
    Meta: {
      type: 'object',
      properties: {
        count: { type: 'integer', description: 'Matching records (include_count, or more than max).' },
        next: { type: 'integer', description: 'Offset of the next page.' },
        schema: {
          ...ref('schemas', 'TableDescription'),
          description: 'The table description (include_schema; without the `alias` keys).',
        },
      },
    },
    NameItem: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
    ...DESCRIPTION_SCHEMAS,
  };
  const paths: Json = {};
  const tableEnum = service.tables.map((t) => t.name);

  if (tableEnum.length > 0) {
    paths['/_table'] = {
      get: {
        tags: ['_table'],
        operationId: 'listTables',
        summary: 'List the tables you can access',
        parameters: ['as_list', 'fields', 'ids', 'refresh'].map((p) => ref('parameters', p)),
        responses: ok(
          'Table names (`as_list`: strings; `fields=*`: summaries)',
          wrapped({ anyOf: [{ type: 'string' }, ref('schemas', 'TableSummary')] }),
        ),
      },
    };
  }

  for (const table of service.tables) {
    const c = names.get(table.name) ?? table.name;
    schemas[`${c}.Record`] = recordSchema(service, table, names);
    schemas[`${c}.Input`] = inputSchema(table);
    schemas[`${c}.List`] = {
      type: 'object',
      required: ['resource'],
      properties: {
        resource: { type: 'array', items: ref('schemas', `${c}.Record`) },
        meta: ref('schemas', 'Meta'),
      },
    };
    schemas[`${c}.Records`] = {
      description: 'Records in a `resource` wrapper or as a bare array.',
      anyOf: [
        {
          type: 'object',
          required: ['resource'],
          properties: { resource: { type: 'array', items: ref('schemas', `${c}.Input`) } },
        },
        { type: 'array', items: ref('schemas', `${c}.Input`) },
      ],
    };
    Object.assign(paths, tablePaths(table, c));
  }

  const schemaAllowed = options.schemaAccess ?? (() => true);
  if (schemaAllowed('_schema')) {
    paths['/_schema'] = {
      get: {
        tags: ['_schema'],
        operationId: 'listSchema',
        summary: 'List tables, or describe several (`ids=a,b`)',
        parameters: ['ids', 'as_list', 'refresh'].map((p) => ref('parameters', p)),
        responses: ok(
          'Names (`as_list`: strings), or descriptions with `ids`',
          wrapped({
            anyOf: [{ type: 'string' }, ref('schemas', 'TableDescription'), ref('schemas', 'NameItem')],
          }),
        ),
      },
    };
  }
  const described = tableEnum.filter((name) => schemaAllowed(`_schema/${name}`));
  if (described.length > 0) {
    paths['/_schema/{table_name}'] = {
      get: {
        tags: ['_schema'],
        operationId: 'describeTable',
        summary: 'Describe a table: fields, primary key, relationships',
        parameters: [
          {
            name: 'table_name',
            in: 'path',
            required: true,
            schema: { type: 'string', enum: described },
          },
          ref('parameters', 'refresh'),
        ],
        responses: ok('The table description', ref('schemas', 'TableDescription')),
      },
    };
  }
  Object.assign(paths, schemaPartPaths(service, schemaAllowed));

  for (const kind of ['procedure', 'function'] as const) {
    const routines = service.routines.filter((r) => r.kind === kind);
    if (routines.length === 0) continue;
    const resource = kind === 'procedure' ? '_proc' : '_func';
    paths[`/${resource}`] = {
      get: {
        tags: [resource],
        operationId: `list_${resource}`,
        summary: `List the stored ${kind}s you can call`,
        parameters: ['ids', 'as_list', 'fields'].map((p) => ref('parameters', p)),
        responses: ok(`${kind} names, or descriptions with \`ids\``, {
          ...wrapped({ anyOf: [{ type: 'string' }, { type: 'object', required: ['name'] }] }),
        }),
      },
    };
    for (const routine of routines)
      paths[`/${resource}/${pathSegment(routine.name)}`] = routinePath(resource, routine);
  }

  if (options.sessions) {
    schemas.Session = {
      type: 'object',
      description: 'A session (compat: DreamFactory’s `user/session`).',
      required: ['session_token', 'id', 'email', 'role'],
      properties: {
        session_token: {
          type: ['string', 'null'],
          description: 'Send it as `X-DreamFactory-Session-Token` or `Authorization: Bearer …`.',
        },
        session_id: { type: ['string', 'null'] },
        id: { type: ['integer', 'string', 'null'] },
        name: { type: ['string', 'null'] },
        email: { type: ['string', 'null'] },
        role: { type: 'string' },
        last_login_date: { type: ['string', 'null'], description: 'UTC, e.g. `2026-11-21 16:57:07`.' },
        host: { type: 'string' },
      },
    };
    paths['/user/session'] = sessionPath(options);
  }

  const securitySchemes: Json = {
    api_key_header: {
      type: 'apiKey',
      in: 'header',
      name: 'X-DreamFactory-Api-Key',
      description: 'The app’s API key.',
    },
    session_token: {
      type: 'apiKey',
      in: 'header',
      name: 'X-DreamFactory-Session-Token',
      description: 'A session token from POST /api/v2/user/session (sent together with an API key).',
    },
    bearer: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'A session token as `Authorization: Bearer …`.',
    },
  };
  const security: Json[] = [
    { api_key_header: [] },
    { api_key_header: [], session_token: [] },
    { api_key_header: [], bearer: [] },
  ];
  if (options.apiKeyInQuery) {
    securitySchemes.api_key_query = {
      type: 'apiKey',
      in: 'query',
      name: 'api_key',
      description: 'The app’s API key in the query string (DreamFactory style; prefer the header).',
    };
    security.push({ api_key_query: [] });
  }
  if (options.open) security.push({});

  return {
    openapi: '3.1.0',
    info: {
      title: `${service.label} — ${service.name} (${service.type})`,
      version: options.version,
      description:
        (service.description ? `${service.description}\n\n` : '') +
        `DreamFactory-compatible REST API of service \`${service.name}\`, served by Junction. ` +
        'Lists are wrapped in `{"resource":[…]}`; single records are bare; errors are `{"error":{…}}`. ' +
        'This document shows what your role may call.',
    },
    servers: [{ url: `/api/v2/${pathSegment(service.name)}` }],
    security,
    tags: [
      { name: '_table', description: 'Records' },
      { name: '_schema', description: 'Table descriptions' },
      ...(service.routines.some((r) => r.kind === 'procedure')
        ? [{ name: '_proc', description: 'Stored procedures' }]
        : []),
      ...(service.routines.some((r) => r.kind === 'function')
        ? [{ name: '_func', description: 'Stored functions' }]
        : []),
      ...(options.sessions ? [{ name: 'user', description: 'Sessions (log in, log out)' }] : []),
    ],
    paths,
    components: {
      schemas,
      parameters: Object.fromEntries(
        Object.entries(PARAMETERS).map(([name, p]) => [name, { name, in: 'query', required: false, ...p }]),
      ),
      responses: Object.fromEntries(
        ERROR_STATUSES.map((s) => [
          `Error${s}`,
          { description: ERROR_TEXT[s], content: jsonContent(ref('schemas', 'Error')) },
        ]),
      ),
      securitySchemes,
    },
  };
}

/** `/api/v2/user/session` (outside the service's base path: the path item has its own server). */
function sessionPath(options: OpenApiOptions): Json {
  const session = ok('The session', ref('schemas', 'Session'));
  const item: Json = {
    servers: [{ url: '/api/v2' }],
    get: {
      tags: ['user'],
      operationId: 'getSession',
      summary: 'The current session’s user (send the session token)',
      responses: session,
    },
    delete: {
      tags: ['user'],
      operationId: 'logout',
      summary: 'Log out: the token is revoked until it expires',
      responses: ok('Logged out', {
        type: 'object',
        required: ['success'],
        properties: { success: { const: true } },
      }),
    },
  };
  if (options.sessions?.login) {
    const key: Json[] = [
      { api_key_header: [] },
      ...(options.apiKeyInQuery ? [{ api_key_query: [] }] : []),
      ...(options.sessions.keyRequired ? [] : [{}]),
    ];
    item.post = {
      tags: ['user'],
      operationId: 'login',
      summary: 'Log in with email and password → a session token',
      security: key,
      requestBody: {
        required: true,
        content: jsonContent({
          type: 'object',
          required: ['email', 'password'],
          properties: { email: { type: 'string' }, password: { type: 'string', format: 'password' } },
        }),
      },
      responses: session,
    };
  }
  return item;
}

/** `_schema/{table}/_field[/{field}]` and `_schema/{table}/_related[/{relation}]` (GET only: schema writes answer 400). */
function schemaPartPaths(service: ServiceModel, allowed: (component: string) => boolean): Json {
  const get = (operationId: string, summary: string, parameters: Json[], responses: Json): Json => ({
    parameters,
    get: { tags: ['_schema'], operationId, summary, responses },
  });
  const paths: Json = {};
  // Access is checked on the whole path (`_schema/{table}/_field/…`): each part has its own table list.
  for (const part of ['_field', '_related'] as const) {
    const tables = service.tables.filter((t) => allowed(`_schema/${t.name}/${part}`));
    if (tables.length === 0) continue;
    const tableParam = {
      name: 'table_name',
      in: 'path',
      required: true,
      schema: { type: 'string', enum: tables.map((t) => t.name) },
    };
    const names = [
      ...new Set(
        tables.flatMap((t) =>
          part === '_field'
            ? t.fields.map((f) => f.name)
            : t.relations.flatMap((r) => (r.name === null ? [] : [r.name])),
        ),
      ),
    ];
    const field = part === '_field';
    const item = ref('schemas', field ? 'FieldDescription' : 'RelationDescription');
    paths[`/_schema/{table_name}/${part}`] = get(
      field ? 'describeFields' : 'describeRelations',
      field ? 'Describe a table’s fields' : 'Describe a table’s relationships',
      [tableParam],
      ok(field ? 'The field descriptions' : 'The relationship descriptions', wrapped(item)),
    );
    if (names.length === 0) continue;
    const param = field ? 'field_name' : 'relation_name';
    paths[`/_schema/{table_name}/${part}/{${param}}`] = get(
      field ? 'describeField' : 'describeRelation',
      field ? 'Describe one field (the name is case-sensitive)' : 'Describe one relationship',
      [
        tableParam,
        {
          name: param,
          in: 'path',
          required: true,
          description: field
            ? 'A column of the table.'
            : 'A relationship of the table (case-insensitive), e.g. `Album_by_ArtistId`.',
          schema: { type: 'string', examples: names.slice(0, 20) },
        },
      ],
      ok(field ? 'The field description' : 'The relationship description', item),
    );
  }
  return paths;
}

function pathSegment(name: string): string {
  return encodeURIComponent(name).replace(/%2E/gi, '.');
}

function recordSchema(service: ServiceModel, table: TableModel, names: Map<string, string>): Json {
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

function relationSchema(service: ServiceModel, relation: RelationModel, names: Map<string, string>): Json {
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

function inputSchema(table: TableModel): Json {
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

function tablePaths(table: TableModel, c: string): Json {
  const tag = ['_table'];
  const segment = pathSegment(table.name);
  const writable = new Set(table.writableVerbs ?? (table.isView ? [] : ['POST', 'PUT', 'PATCH', 'DELETE']));
  const params = (list: string[]) => list.map((p) => ref('parameters', p));
  const body = (required: boolean, description: string): Json => ({
    required,
    description,
    content: jsonContent(ref('schemas', `${c}.Records`)),
  });
  const ids: Json = { ...SCALAR, description: 'An `id_field` value (`as_list`).' };
  const listSchema: Json = {
    oneOf: [
      ref('schemas', `${c}.List`),
      {
        type: 'object',
        description: '`as_list=true`: the `id_field` values (default field `name`).',
        required: ['resource'],
        properties: { resource: { type: 'array', minItems: 1, items: ids }, meta: ref('schemas', 'Meta') },
      },
      { type: 'integer', minimum: 0, description: '`count_only=true`: the number of matching records.' },
      {
        type: 'array',
        items: ref('schemas', `${c}.Record`),
        description: '`wrap=false`: the records, bare.',
      },
      { type: 'array', minItems: 1, items: ids, description: '`as_list=true&wrap=false`: the values, bare.' },
    ],
  };
  const listed = ok(
    'Records (`count_only`: a bare number; `as_list`: the `id_field` values; `wrap=false`: a bare array). ' +
      '`accept`/`Accept`: JSON, XML or CSV.',
    listSchema,
    formatsContent(listSchema),
  );
  const written = ok('The identifiers (or `fields`) of the records written', ref('schemas', `${c}.List`));
  const op = (verb: string, summary: string, extra: Json): Json => ({
    tags: tag,
    operationId: `${verb}_${c}`,
    summary,
    ...extra,
  });

  const collection: Json = {
    get: op('list', `Read ${table.name} records`, { parameters: params(READ_LIST), responses: listed }),
  };
  if (writable.has('POST'))
    collection.post = op('create', `Create ${table.name} records`, {
      parameters: params(['fields', 'related', 'id_field', 'continue', 'rollback']),
      requestBody: body(true, 'The records to create.'),
      responses: written,
    });
  for (const verb of ['PUT', 'PATCH'] as const) {
    if (!writable.has(verb)) continue;
    collection[verb.toLowerCase()] = op(`${verb.toLowerCase()}`, `Update ${table.name} records (partial)`, {
      description:
        'Records with their key; or, with `ids`/`filter`, the first record holds the changes for all matches.',
      parameters: params(WRITE_LIST),
      requestBody: body(true, 'The records (or the changes).'),
      responses: written,
    });
  }
  if (writable.has('DELETE'))
    collection.delete = op('delete', `Delete ${table.name} records`, {
      description: 'By `ids`, by records (their keys) in the body, by `filter`, or all with `force=true`.',
      parameters: params([...WRITE_LIST, 'force']),
      requestBody: body(false, 'Records to delete (their keys).'),
      responses: written,
    });

  const paths: Json = { [`/_table/${segment}`]: collection };
  if (table.primaryKey.length === 0) return paths;

  const key = table.fields.find((f) => f.name === table.primaryKey[0]);
  const idParam = {
    name: 'id',
    in: 'path',
    required: true,
    description: `The value of ${table.primaryKey.join(', ')} (or of \`id_field\`).`,
    schema: key ? simpleTypeSchema(key.type) : { type: 'string' },
  };
  const record = ok('The record', ref('schemas', `${c}.Record`));
  const read = ok(
    'The record (`accept`/`Accept`: JSON, XML or CSV)',
    ref('schemas', `${c}.Record`),
    formatsContent(ref('schemas', `${c}.Record`)),
  );
  const one: Json = {
    parameters: [idParam],
    get: op('get', `Read one ${table.name} record`, { parameters: params(READ_ONE), responses: read }),
  };
  for (const verb of ['PUT', 'PATCH'] as const) {
    if (!writable.has(verb)) continue;
    one[verb.toLowerCase()] = op(`${verb.toLowerCase()}One`, `Update one ${table.name} record (partial)`, {
      parameters: params(WRITE_ONE),
      requestBody: {
        required: true,
        description: 'The changes, as a bare object.',
        content: jsonContent(ref('schemas', `${c}.Input`)),
      },
      responses: record,
    });
  }
  if (writable.has('DELETE'))
    one.delete = op('deleteOne', `Delete one ${table.name} record`, {
      parameters: params(WRITE_ONE),
      responses: record,
    });
  paths[`/_table/${segment}/{id}`] = one;
  return paths;
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

function routinePath(resource: '_proc' | '_func', routine: RoutineModel): Json {
  const inputs = routine.params.filter((p) => p.mode !== 'OUT');
  const result = routineResultSchema(routine);
  const summary = `Call ${routine.kind} ${routine.name}`;
  const description = [
    routine.description ?? '',
    `Parameters: ${routine.params.map((p) => `${p.name} ${p.mode} ${p.type}`).join(', ') || 'none'}.`,
    'Pass them as query parameters (GET), inline (`name(1,2)`), or as `params` in a POST body.',
  ]
    .filter((s) => s !== '')
    .join(' ');
  const responses = ok('The result', result);
  return {
    get: {
      tags: [resource],
      operationId: `get${resource}_${routine.name.replace(/[^A-Za-z0-9_]/g, '_')}`,
      summary,
      description,
      parameters: inputs.map((p) => ({
        name: p.name,
        in: 'query',
        required: false,
        schema: simpleTypeSchema(p.type),
      })),
      responses,
    },
    post: {
      tags: [resource],
      operationId: `post${resource}_${routine.name.replace(/[^A-Za-z0-9_]/g, '_')}`,
      summary,
      description,
      requestBody: {
        required: false,
        content: jsonContent({
          type: 'object',
          properties: {
            params: {
              description: 'By name (object) or by position (array).',
              anyOf: [
                {
                  type: 'object',
                  properties: Object.fromEntries(inputs.map((p) => [p.name, simpleTypeSchema(p.type)])),
                },
                { type: 'array' },
              ],
            },
            returns: { type: 'string', description: 'Cast the first value to this type.' },
            wrapper: { type: 'string', description: 'Wrap the rows in an object under this key.' },
            schema: { type: 'object', description: 'Column → type casts.' },
          },
        }),
      },
      responses,
    },
  };
}
