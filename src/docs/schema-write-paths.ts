// `_schema` writes as OpenAPI operations (rest/schema/write.ts, issue 11): create, alter and drop tables and
// fields, add and remove virtual relationships. Each appears with only the tables where the role has that
// verb on the component the router checks (the whole path, `_schema/{table}/{field}`); MongoDB services
// refuse table and field changes (501), so they only get the relationship operations.
import type { AccessVerb } from '../auth/types.js';
import type { ServiceModel, TableModel } from '../model/types.js';
import { errorResponses, jsonContent, ref, wrapped, type Json } from './openapi-schemas.js';
import { NAME_PATTERN, named } from './schema-write-bodies.js';

/** May the caller use `verb` on this component of the service? */
export type SchemaAccess = (component: string, verb: AccessVerb) => boolean;

type WriteVerb = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Path → operations by method, to merge into the path items the reads built. */
export function schemaWritePaths(service: ServiceModel, allowed: SchemaAccess): Record<string, Json> {
  const paths: Record<string, Json> = {};
  const add = (path: string, verb: WriteVerb, operation: Json) => {
    paths[path] = { ...paths[path], [verb.toLowerCase()]: operation };
  };
  // Tables and fields can change on SQL databases only, and views not at all.
  const changeable = service.type === 'mongodb' ? [] : service.tables.filter((t) => !t.isView);
  const tablesFor = (tables: TableModel[], may: (t: TableModel) => boolean) =>
    tables.filter(may).map((t) => t.name);

  for (const verb of ['POST', 'PUT', 'PATCH'] as const) {
    if (changeable.length === 0 || !allowed('_schema', verb)) continue;
    const create = verb === 'POST';
    add('/_schema', verb, {
      ...operation(
        create ? 'createTables' : `${verb.toLowerCase()}Tables`,
        create
          ? 'Create tables (all or none)'
          : 'Change several tables: add or change fields, add relationships',
        'Answers the new descriptions, read from the rebuilt model.',
      ),
      requestBody: listBody(
        create ? named('TableDefinition', ['name', 'field']) : named('TableDefinition'),
        create
          ? 'The tables to create.'
          : 'Existing tables, each with the fields and relationships to add or change.',
      ),
      responses: answer('The tables’ descriptions', wrapped(ref('schemas', 'TableDescription')), true),
    });
  }

  // A new table has no name yet to match an exact access entry: `_schema/*` asks for any name.
  if (changeable.length > 0 && allowed('_schema/*', 'POST'))
    add('/_schema/{table_name}', 'POST', {
      ...operation('createTable', 'Create one table (its name from the path)'),
      parameters: [
        { ...path('table_name', 'The new table’s name.'), schema: { type: 'string', pattern: NAME_PATTERN } },
      ],
      requestBody: oneBody(named('TableDefinition', ['field']), 'The table’s fields (and relationships).'),
      responses: answer('The table’s description', ref('schemas', 'TableDescription'), true),
    });
  for (const verb of ['PUT', 'PATCH'] as const) {
    const tables = tablesFor(changeable, (t) => allowed(`_schema/${t.name}`, verb));
    if (tables.length > 0)
      add('/_schema/{table_name}', verb, {
        ...operation(
          `${verb.toLowerCase()}Table`,
          'Change a table: add new fields, change existing ones, add virtual relationships',
        ),
        parameters: [tableParam(tables)],
        requestBody: oneBody(ref('schemas', 'TableDefinition'), '`field` and/or `related`.'),
        responses: answer('The table’s description', ref('schemas', 'TableDescription'), true),
      });
  }
  const droppable = tablesFor(changeable, (t) => allowed(`_schema/${t.name}`, 'DELETE'));
  if (droppable.length > 0)
    add('/_schema/{table_name}', 'DELETE', {
      ...operation(
        'dropTable',
        'Drop a table and its data (`force=true`)',
        'Refused (409) while another table’s foreign key or a virtual relationship uses it.',
      ),
      parameters: [tableParam(droppable), FORCE],
      responses: answer('Dropped', ref('schemas', 'SchemaDropResult')),
    });

  const adding = tablesFor(changeable, (t) => allowed(`_schema/${t.name}/_field`, 'POST'));
  if (adding.length > 0)
    add('/_schema/{table_name}/_field', 'POST', {
      ...operation('addFields', 'Add fields to a table (409 if one exists)'),
      parameters: [tableParam(adding)],
      requestBody: listBody(named('FieldDefinition'), 'The new fields.'),
      responses: answer('The new fields’ descriptions', wrapped(ref('schemas', 'FieldDescription'))),
    });
  for (const verb of ['PUT', 'PATCH', 'DELETE'] as const) {
    const owners = changeable.filter((t) =>
      t.fields.some((f) => allowed(`_schema/${t.name}/${f.name}`, verb)),
    );
    if (owners.length === 0) continue;
    const fields = [...new Set(owners.flatMap((t) => t.fields.map((f) => f.name)))];
    const drop = verb === 'DELETE';
    add('/_schema/{table_name}/{field_name}', verb, {
      ...operation(
        drop ? 'dropField' : `${verb.toLowerCase()}Field`,
        drop ? 'Drop a field and its data (`force=true`)' : 'Change one field',
        'Also served at `/_schema/{table_name}/_field/{field_name}`. A field that a key or relationship uses ' +
          'cannot be changed or dropped (409).',
      ),
      parameters: [
        tableParam(owners.map((t) => t.name)),
        {
          ...path('field_name', 'A field of the table (case-sensitive).'),
          schema: { type: 'string', examples: fields.slice(0, 20) },
        },
        ...(drop ? [FORCE] : []),
      ],
      ...(drop
        ? { responses: answer('Dropped', ref('schemas', 'SchemaDropResult')) }
        : {
            requestBody: oneBody(ref('schemas', 'FieldDefinition'), 'The field as it should be (same name).'),
            responses: answer('The field’s description', ref('schemas', 'FieldDescription')),
          }),
    });
  }

  // Virtual relationships work on every service, views included.
  const relating = tablesFor(service.tables, (t) => allowed(`_schema/${t.name}/_related`, 'POST'));
  if (relating.length > 0)
    add('/_schema/{table_name}/_related', 'POST', {
      ...operation(
        'addRelations',
        'Add virtual relationships',
        'Saved to the relations file. A relationship into another service also needs the verb on that ' +
          'service’s `_schema/{table}`.',
      ),
      parameters: [tableParam(relating)],
      requestBody: listBody(ref('schemas', 'RelationDefinition'), 'The relationships to add.'),
      responses: answer(
        'The new relationships’ descriptions',
        wrapped(ref('schemas', 'RelationDescription')),
        true,
      ),
    });
  const virtual = (t: TableModel) => t.relations.filter((r) => r.kind === 'virtual' && r.name !== null);
  const unlinking = service.tables.filter(
    (t) =>
      allowed(`_schema/${t.name}/_related/*`, 'DELETE') ||
      virtual(t).some((r) => allowed(`_schema/${t.name}/_related/${r.name ?? ''}`, 'DELETE')),
  );
  if (unlinking.length > 0)
    add('/_schema/{table_name}/_related/{relation_name}', 'DELETE', {
      ...operation(
        'removeRelation',
        'Remove a virtual relationship added over the API',
        'Those declared in the config file cannot be removed here (409); foreign keys of the database are ' +
          'fields (400).',
      ),
      parameters: [
        tableParam(unlinking.map((t) => t.name)),
        {
          ...path('relation_name', 'A virtual relationship of the table (case-insensitive).'),
          schema: {
            type: 'string',
            examples: [...new Set(unlinking.flatMap((t) => virtual(t).map((r) => r.name)))].slice(0, 20),
          },
        },
      ],
      responses: answer('Removed', ref('schemas', 'SchemaDropResult')),
    });
  return paths;
}

function operation(operationId: string, summary: string, description?: string): Json {
  return { tags: ['_schema'], operationId, summary, ...(description ? { description } : {}) };
}

function path(name: string, description: string): Json {
  return { name, in: 'path', required: true, description };
}

function tableParam(tables: string[]): Json {
  return { ...path('table_name', 'An existing table.'), schema: { type: 'string', enum: tables } };
}

/** Drops destroy data: without `force=true` the answer is 400. */
const FORCE: Json = {
  name: 'force',
  in: 'query',
  required: true,
  description: 'Confirms the drop; without it the answer is 400 and nothing changes.',
  schema: { type: 'boolean', const: true },
};

/** `{"resource":[…]}`, a bare list, or one bare item (parse-fields.ts `itemsOf`). */
function listBody(item: Json, description: string): Json {
  const list: Json = { type: 'array', minItems: 1, items: item };
  return {
    required: true,
    description,
    content: jsonContent({
      anyOf: [{ type: 'object', required: ['resource'], properties: { resource: list } }, list, item],
    }),
  };
}

/** One bare object (or `{"resource":[one]}`). */
function oneBody(item: Json, description: string): Json {
  return {
    required: true,
    description,
    content: jsonContent({
      anyOf: [
        item,
        {
          type: 'object',
          required: ['resource'],
          properties: { resource: { type: 'array', minItems: 1, maxItems: 1, items: item } },
        },
      ],
    }),
  };
}

/** 200 and the usual errors, plus 409 (names taken, still in use) and, where relationships go, 501. */
function answer(description: string, schema: Json, relationships = false): Json {
  return {
    '200': { description, content: jsonContent(schema) },
    ...errorResponses(),
    '409': ref('responses', 'Error409'),
    ...(relationships ? { '501': ref('responses', 'Error501') } : {}),
  };
}
