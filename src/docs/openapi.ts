// DataModel (already narrowed to a role's view, auth/role-view) → an OpenAPI 3.1 document for one service's
// DreamFactory-compatible REST API (compat §1–§12): `_table` paths with every contract parameter, per-table
// record schemas typed from the simple types, the `{resource:[…]}` and error envelopes (and their `wrap=false`
// / `as_list` forms as `oneOf`), XML and CSV alternatives on reads, `_schema` with its `_field` and `_related`
// parts described key for key, its writes where the role may change the schema (schema-write-paths.ts),
// `_proc` and `_func` with their result shapes, `/api/v2/user/session` where
// sessions are accepted, and the credentials DreamFactory clients send. Plain JSON; served by rest/router.ts.
import type { AccessVerb } from '../auth/types.js';
import type { ServiceModel } from '../model/types.js';
import { sessionPath, schemaPartPaths, pathSegment, tablePaths, routinePath } from './openapi-paths.js';
import {
  ERROR_TEXT,
  componentNames,
  ref,
  PARAMETERS,
  jsonContent,
  ok,
  wrapped,
  recordSchema,
  inputSchema,
  DESCRIPTION_SCHEMAS,
  type Json,
} from './openapi-schemas.js';
import { SCHEMA_WRITE_SCHEMAS } from './schema-write-bodies.js';
import { schemaWritePaths } from './schema-write-paths.js';

export interface OpenApiOptions {
  /** `info.version`. */
  version: string;
  /** The server answers without credentials (no auth configured): security is optional. */
  open: boolean;
  /** `?api_key=` is accepted (auth.apiKeyInQuery). */
  apiKeyInQuery: boolean;
  /**
   * May the caller use `verb` (default GET) on a `_schema` component (`_schema`, `_schema/{table}`,
   * `_schema/{table}/_field`, …)? Absent: everything, writes included.
   */
  schemaAccess?: (component: string, verb?: AccessVerb) => boolean;
  /**
   * `/api/v2/user/session` is served (local users or an identity provider configured): `login` says whether
   * POST (email + password) works (local users), `true` also documents GET and DELETE. Absent: not documented.
   */
  sessions?: { login: boolean; keyRequired: boolean };
}

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
  const writes = schemaWritePaths(service, (component, verb) => schemaAllowed(component, verb));
  for (const [path, operations] of Object.entries(writes))
    paths[path] = { ...(paths[path] as Json | undefined), ...operations };
  const schemaWrites = Object.keys(writes).length > 0;
  if (schemaWrites) Object.assign(schemas, SCHEMA_WRITE_SCHEMAS);

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

  const { securitySchemes, security } = securityOf(options);

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
      {
        name: '_schema',
        description: schemaWrites ? 'Table descriptions and schema changes' : 'Table descriptions',
      },
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
        Object.entries(ERROR_TEXT).map(([s, text]) => [
          `Error${s}`,
          { description: text, content: jsonContent(ref('schemas', 'Error')) },
        ]),
      ),
      securitySchemes,
    },
  };
}

/** How a caller authenticates: API key header, session token or bearer; `?api_key=` and none where allowed. */
export function securityOf(options: Pick<OpenApiOptions, 'open' | 'apiKeyInQuery'>): {
  securitySchemes: Json;
  security: Json[];
} {
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
  return { securitySchemes, security };
}
