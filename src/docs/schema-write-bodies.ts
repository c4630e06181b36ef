// The bodies `_schema` writes take (rest/schema/parse-fields.ts: DreamFactory's table, field and relationship
// descriptions) and the answer of a drop, as OpenAPI components; used by schema-write-paths.ts.
import { COLUMN_TYPES, REFERENTIAL_ACTIONS } from '../model/schema-change.js';
import { ref, SCALAR, type Json } from './openapi-schemas.js';

/** parse-fields.ts's NAME: letters, digits and `_`, starting with a letter or `_`, at most 63. */
export const NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]{0,62}$';

const NAME: Json = {
  type: 'string',
  pattern: NAME_PATTERN,
  description: 'Letters, digits and `_`, starting with a letter or `_`, at most 63 characters; case is kept.',
};

const SIZE = (minimum: number, description: string): Json => ({
  type: ['integer', 'null'],
  minimum,
  maximum: 65535,
  description,
});

/** A list item that must carry its name (it is not in the path). */
export const named = (component: string, required: string[] = ['name']): Json => ({
  allOf: [ref('schemas', component)],
  required,
});

export const SCHEMA_WRITE_SCHEMAS: Json = {
  FieldDefinition: {
    type: 'object',
    description:
      'A field as `_schema` writes take it (DreamFactory’s format). `db_type`, labels, descriptions and other ' +
      'keys are ignored: raw SQL types are not accepted. A field that a key or relationship uses cannot be ' +
      'changed; fields cannot be renamed.',
    // A legacy virtual foreign key (DreamFactory 2.0–2.3) may name an existing field without its type.
    anyOf: [
      { required: ['type'] },
      { required: ['is_virtual_foreign_key'], properties: { is_virtual_foreign_key: { const: true } } },
    ],
    properties: {
      name: {
        ...NAME,
        description: `${NAME.description as string} Optional where the path names the field.`,
      },
      type: {
        type: 'string',
        enum: [...COLUMN_TYPES],
        description:
          '`id`: an auto-increment primary key. `reference`: a foreign key (needs `ref_table`; the column takes ' +
          'the referenced column’s type). `string`: `length` (default 255). `decimal`: `precision` (or ' +
          '`length`) and `scale`.',
      },
      allow_null: { type: 'boolean', default: true, description: 'An `id` never allows null.' },
      required: { type: 'boolean', description: '`true` is the same as `"allow_null": false`.' },
      default: {
        description:
          'A value, or `{"expression": "CURRENT_TIMESTAMP"}` (also `CURRENT_DATE`, `CURRENT_TIME`); no other SQL.',
        anyOf: [
          SCALAR,
          {
            type: 'object',
            required: ['expression'],
            properties: {
              expression: { type: 'string', enum: ['CURRENT_TIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME'] },
            },
          },
        ],
      },
      is_unique: { type: 'boolean' },
      is_index: { type: 'boolean' },
      is_primary_key: {
        type: 'boolean',
        description: 'Only when the table is created (or give the table’s `primary_key`).',
      },
      is_foreign_key: { type: 'boolean', description: 'With `ref_table`: a foreign key of another type.' },
      length: SIZE(1, 'Of a `string` (default 255); the precision of a `decimal`.'),
      precision: SIZE(1, 'Of a `decimal`.'),
      scale: SIZE(0, 'Of a `decimal`.'),
      ref_table: { type: ['string', 'null'], description: 'The referenced table (of this service).' },
      ref_field: {
        type: ['string', 'null'],
        description: 'The referenced field: its primary key (the default) or a unique field.',
      },
      ref_on_delete: { enum: [...REFERENTIAL_ACTIONS, null] },
      ref_on_update: { enum: [...REFERENTIAL_ACTIONS, null] },
      is_virtual_foreign_key: {
        type: 'boolean',
        description:
          'DreamFactory 2.0–2.3 style: declares a virtual `belongs_to` relationship from this field to ' +
          '`ref_table`.`ref_fields` (no database key). Without `type` the field must exist and is not changed.',
      },
      ref_fields: { type: 'string', description: 'The far field of a virtual foreign key (or `ref_field`).' },
      is_foreign_ref_service: {
        type: 'boolean',
        description: 'Virtual foreign key: `true` with `ref_service_id` points into another service.',
      },
      ref_service_id: {
        type: ['integer', 'string', 'null'],
        description: 'Virtual foreign key: the far service (1-based position in `GET /api/v2`, or its name).',
      },
    },
  },
  TableDefinition: {
    type: 'object',
    description:
      'A table as `_schema` writes take it: its fields and virtual relationships. On an existing table, ' +
      'fields that exist change and new ones are added; primary keys cannot be added or changed there.',
    properties: {
      name: {
        ...NAME,
        description: `${NAME.description as string} Optional where the path names the table.`,
      },
      field: { type: 'array', items: named('FieldDefinition') },
      primary_key: {
        description:
          'Field names (a list or a comma list); default: the `id` field or those `is_primary_key`.',
        anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string' }],
      },
      related: { type: 'array', items: ref('schemas', 'RelationDefinition') },
    },
  },
  RelationDefinition: {
    type: 'object',
    description:
      'A virtual relationship (saved to the relations file, shown on both tables). `belongs_to` declares a ' +
      'key from this table to `ref_table`; `has_one`/`has_many` from `ref_table` to this one. One field ' +
      'each side; `many_many` is refused (501): declare the junction table’s two `belongs_to` keys.',
    required: ['type', 'field', 'is_virtual', 'ref_table', 'ref_field'],
    properties: {
      type: { type: 'string', enum: ['belongs_to', 'has_one', 'has_many'] },
      field: { type: 'string', description: 'A field of this table.' },
      is_virtual: { const: true, description: 'A real foreign key is a `reference` field instead.' },
      ref_service_id: {
        type: ['integer', 'string', 'null'],
        description: 'The far service: its 1-based position in `GET /api/v2`, or its name. Absent: this one.',
      },
      ref_service: { type: ['string', 'null'], description: 'The far service by name.' },
      ref_table: { type: 'string' },
      ref_field: { type: 'string' },
    },
  },
  SchemaDropResult: {
    type: 'object',
    description: 'What a drop or a removed relationship answers.',
    required: ['name', 'success'],
    properties: { name: { type: 'string' }, success: { const: true } },
  },
};
