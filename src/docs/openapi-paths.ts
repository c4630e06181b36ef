// OpenAPI path items per REST resource: `_table/{t}` (and by id), `_schema/{t}/_field|_related`, `_proc`/
// `_func` routines and `/user/session`; built from the schemas in openapi-schemas.ts.
import type { RoutineModel, ServiceModel, TableModel } from '../model/types.js';
import type { OpenApiOptions } from './openapi.js';
import {
  simpleTypeSchema,
  ref,
  READ_LIST,
  WRITE_LIST,
  READ_ONE,
  WRITE_ONE,
  jsonContent,
  ok,
  formatsContent,
  wrapped,
  routineResultSchema,
  SCALAR,
  type Json,
} from './openapi-schemas.js';

/** `/api/v2/user/session` (outside the service's base path: the path item has its own server). */
export function sessionPath(options: OpenApiOptions): Json {
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
export function schemaPartPaths(service: ServiceModel, allowed: (component: string) => boolean): Json {
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

export function pathSegment(name: string): string {
  return encodeURIComponent(name).replace(/%2E/gi, '.');
}

export function tablePaths(table: TableModel, c: string): Json {
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

export function routinePath(resource: '_proc' | '_func', routine: RoutineModel): Json {
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
