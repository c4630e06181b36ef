// `_schema` write bodies (DreamFactory's field format) → checked schema changes against a model built from
// miniChinook: what is accepted and how it is translated, and the 4xx each invalid definition gets.
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../../src/model/build-model.js';
import { ModelIndex } from '../../../src/model/model-index.js';
import type { ServiceModel, TableModel } from '../../../src/model/types.js';
import { keyOnlyWhenUnchanged } from '../../../src/rest/schema/legacy-keys.js';
import {
  itemsOf,
  parseField,
  parseRelation,
  parseTable,
  tableOfFields,
} from '../../../src/rest/schema/parse-fields.js';
import {
  checkDropField,
  checkKeyOnly,
  checkDropTable,
  planAlter,
  planCreate,
  planRelations,
} from '../../../src/rest/schema/validate-change.js';
import { catalog, column, config, miniChinook, service, table } from '../model/fixtures.js';

const { model } = buildModel(
  config(
    [service('chinook'), service('crm', { type: 'postgres' })],
    [
      {
        from: { service: 'chinook', table: 'Artist', fields: ['Name'] },
        to: { service: 'crm', table: 'Contact', fields: ['Email'] },
      },
    ],
  ),
  new Map([
    ['chinook', miniChinook()],
    [
      'crm',
      catalog(
        [
          table(
            'Contact',
            [column('Email', 'varchar(100)'), column('ArtistRef', 'integer', { nullable: true })],
            {
              primaryKey: ['Email'],
            },
          ),
        ],
        'postgres',
      ),
    ],
  ]),
);
const index = new ModelIndex(model);
const chinook = model.services[0] as ServiceModel;
const tableOf = (name: string) => chinook.tables.find((t) => t.name === name) as TableModel;

const review = (fields: unknown[]) => parseTable({ name: 'Review', field: fields });

describe('reading DreamFactory field descriptions', () => {
  it('reads types, lengths, nullability, defaults and keys', () => {
    const draft = review([
      { name: 'ReviewId', type: 'id' },
      { name: 'Body', type: 'string', length: 200, allow_null: false, default: 'none' },
      { name: 'At', type: 'timestamp', default: { expression: 'now()' } },
      { name: 'AlbumId', type: 'reference', ref_table: 'Album', ref_on_delete: 'cascade' },
    ]);
    expect(draft.fields.map((f) => [f.name, f.type, f.allowNull, f.isPrimaryKey])).toEqual([
      ['ReviewId', 'id', false, true],
      ['Body', 'string', false, false],
      ['At', 'timestamp', true, false],
      ['AlbumId', 'reference', true, false],
    ]);
    expect(draft.fields[1]).toMatchObject({ length: 200, default: { kind: 'value', value: 'none' } });
    expect(draft.fields[2]?.default).toEqual({ kind: 'expression', expression: 'CURRENT_TIMESTAMP' });
    expect(draft.fields[3]?.ref).toEqual({
      table: 'Album',
      field: null,
      onDelete: 'CASCADE',
      onUpdate: null,
    });
  });

  it('accepts a list, a resource wrapper or one bare object, and refuses an empty body', () => {
    expect(itemsOf([{ name: 'a' }], 'x')).toHaveLength(1);
    expect(itemsOf({ resource: [{ name: 'a' }, { name: 'b' }] }, 'x')).toHaveLength(2);
    expect(itemsOf({ name: 'a' }, 'x')).toHaveLength(1);
    expect(() => itemsOf({}, 'schema create')).toThrow('No data in schema create request.');
  });

  it.each([
    [{ name: 'x', type: 'colour' }, /unknown type 'colour'/],
    [{ name: 'x' }, /needs a 'type'/],
    [{ name: 'x', type: 'reference' }, /names no 'ref_table'/],
    [{ name: 'x y', type: 'integer' }, /Invalid field name 'x y'/],
    [{ name: 'x', type: 'string', length: -1 }, /Invalid 'length'/],
    [{ name: 'x', type: 'string', default: { expression: 'drop table t' } }, /Invalid default/],
    [{ name: 'x', type: 'reference', ref_table: 'Album', ref_on_delete: 'explode' }, /ref_on_delete/],
  ])('refuses the field %j', (field, message) => {
    expect(() => parseField(field, 'Review')).toThrow(message);
  });

  it('reads a virtual relationship and refuses real or many_many ones', () => {
    expect(
      parseRelation({
        type: 'belongs_to',
        field: 'a',
        is_virtual: true,
        ref_service_id: 2,
        ref_table: 'T',
        ref_field: 'b',
      }),
    ).toEqual({ type: 'belongs_to', field: 'a', refService: 2, refTable: 'T', refField: 'b' });
    expect(() => parseRelation({ type: 'belongs_to', field: 'a', ref_table: 'T', ref_field: 'b' })).toThrow(
      /Only virtual relationships/,
    );
    expect(() => parseRelation({ type: 'many_many', is_virtual: true })).toThrow(/many_many/);
    expect(() => parseRelation({ field: 'a', is_virtual: true })).toThrow(/invalid or missing type/);
  });
});

describe('reading legacy virtual foreign keys on fields (DF 2.0–2.3)', () => {
  const legacy = { is_virtual_foreign_key: true, ref_table: 'Contact', ref_fields: 'Email' };

  it('reads a typed legacy field as a plain column plus a belongs_to virtual relationship', () => {
    const draft = review([
      { name: 'ReviewId', type: 'id' },
      { name: 'ContactEmail', type: 'string', length: 100, ...legacy, ref_service: 'crm' },
    ]);
    expect(draft.fields.map((f) => [f.name, f.type, f.ref])).toEqual([
      ['ReviewId', 'id', null],
      ['ContactEmail', 'string', null],
    ]);
    expect(draft.related).toEqual([
      {
        type: 'belongs_to',
        field: 'ContactEmail',
        refService: 'crm',
        refTable: 'Contact',
        refField: 'Email',
      },
    ]);
    expect(draft.keyOnly).toEqual([]);
  });

  it('reads a legacy field without a type as a key on an existing column, with no column change', () => {
    const draft = tableOfFields('Artist', [{ name: 'Name', ...legacy, ref_field: 'Email' }]);
    expect(draft.fields).toEqual([]);
    expect(draft.keyOnly).toEqual(['Name']);
    expect(draft.related).toEqual([
      { type: 'belongs_to', field: 'Name', refService: null, refTable: 'Contact', refField: 'Email' },
    ]);
  });

  it('takes the service from ref_service_id, ref_service, or none when is_foreign_ref_service is false', () => {
    const service = (extra: Record<string, unknown>) =>
      tableOfFields('T', [{ name: 'a', type: 'integer', ...legacy, ...extra }]).related[0]?.refService;
    expect(service({ is_foreign_ref_service: true, ref_service_id: 2 })).toBe(2);
    expect(service({ is_foreign_ref_service: true, ref_service: 'crm' })).toBe('crm');
    expect(service({ is_foreign_ref_service: false, ref_service_id: 2 })).toBeNull();
    expect(service({})).toBeNull();
  });

  it.each([
    [
      { name: 'a', type: 'integer', is_virtual_foreign_key: true, ref_fields: 'Email' },
      /needs 'ref_table' and 'ref_fields'/,
    ],
    [
      { name: 'a', type: 'integer', is_virtual_foreign_key: true, ref_table: 'Contact' },
      /needs 'ref_table' and 'ref_fields'/,
    ],
    [{ name: 'a', type: 'reference', ...legacy }, /give its column type/],
    [{ name: 'a', type: 'integer', ...legacy, ref_fields: 'Email,Name' }, /several fields/],
    [
      { name: 'a', type: 'integer', ...legacy, is_foreign_ref_service: true, ref_service_id: [1] },
      /ref_service_id/,
    ],
    [{ name: 'a b', ...legacy }, /Invalid field name/],
  ])('refuses the legacy field %j', (field, message) => {
    expect(() => tableOfFields('T', [field])).toThrow(message);
  });

  it('refuses a legacy field without a type on a new table or on a column that does not exist', () => {
    expect(() => planCreate(chinook, [review([{ name: 'Email', ...legacy }])])).toThrow(
      /field 'Email' of table 'Review' needs a 'type'/,
    );
    expect(() => checkKeyOnly(tableOf('Artist'), ['Nickname'])).toThrow(
      /Field 'Nickname' does not exist in table 'Artist'/,
    );
    expect(() => checkKeyOnly(tableOf('Artist'), ['Name'])).not.toThrow();
  });

  it('declares only the key when a typed legacy field repeats an existing column as it is', () => {
    const [same, wider, fresh] = keyOnlyWhenUnchanged(
      [
        { name: 'Name', type: 'string', length: 120, label: 'Name', ...legacy },
        { name: 'Name', type: 'string', length: 200, ...legacy },
        { name: 'Nickname', type: 'string', ...legacy },
      ],
      tableOf('Artist'),
    );
    expect(same).toEqual({ name: 'Name', label: 'Name', ...legacy });
    expect(wider).toMatchObject({ type: 'string', length: 200 });
    expect(fresh).toMatchObject({ type: 'string' });
  });

  it('turns a legacy field into the same virtual key as the modern relationship', () => {
    const [key] = planRelations(
      index,
      chinook,
      'Genre',
      tableOfFields('Genre', [{ name: 'Name', ...legacy, is_foreign_ref_service: true, ref_service_id: 2 }])
        .related,
      [],
    );
    expect(key).toEqual({
      from: { service: 'chinook', table: 'Genre', fields: ['Name'] },
      to: { service: 'crm', table: 'Contact', fields: ['Email'] },
    });
  });
});

describe('checking a change against the model', () => {
  it('creates a table whose reference copies the type of the key it points at', () => {
    const [planned] = planCreate(chinook, [
      review([
        { name: 'ReviewId', type: 'id' },
        { name: 'AlbumId', type: 'reference', ref_table: 'album' },
      ]),
    ]);
    expect(planned?.primaryKey).toEqual(['ReviewId']);
    expect(planned?.foreignKeys).toEqual([
      { column: 'AlbumId', refTable: 'Album', refField: 'AlbumId', onDelete: null, onUpdate: null },
    ]);
    expect(planned?.columns[1]?.refType).toEqual({ kind: 'column', dbType: 'integer', simpleType: 'id' });
  });

  it('lets one table of a request reference another table of the same request', () => {
    const planned = planCreate(chinook, [
      parseTable({ name: 'Shelf', field: [{ name: 'ShelfId', type: 'id' }] }),
      parseTable({ name: 'Box', field: [{ name: 'ShelfId', type: 'reference', ref_table: 'Shelf' }] }),
    ]);
    expect(planned[1]?.columns[0]?.refType).toEqual({ kind: 'id' });
  });

  it.each([
    [[{ name: 'Album', field: [{ name: 'x', type: 'integer' }] }], 409, /already exists/],
    [[{ name: 'Empty', field: [] }], 400, /at least one field/],
    [[{ name: 'R', field: [{ name: 'x', type: 'reference', ref_table: 'Nowhere' }] }], 400, /'Nowhere'/],
    [
      [{ name: 'R', field: [{ name: 'x', type: 'reference', ref_table: 'Album', ref_field: 'Title' }] }],
      400,
      /primary key or a unique field/,
    ],
    [
      [
        {
          name: 'R',
          field: [
            { name: 'a', type: 'id' },
            { name: 'b', type: 'id' },
          ],
        },
      ],
      400,
      /more than one field of type 'id'/,
    ],
    [
      [
        { name: 'R', field: [{ name: 'a', type: 'integer' }] },
        { name: 'r', field: [{ name: 'a', type: 'integer' }] },
      ],
      400,
      /defined twice/,
    ],
  ])('refuses to create %j', (tables, status, message) => {
    const attempt = () =>
      planCreate(
        chinook,
        tables.map((t) => parseTable(t)),
      );
    expect(attempt).toThrow(message);
    expect(attempt).toThrow(expect.objectContaining({ status }));
  });

  it('adds new fields and changes existing ones, but not keys', () => {
    const planned = planAlter(chinook, tableOf('Genre'), [
      parseField({ name: 'Country', type: 'string', length: 2 }, 'Genre'),
      parseField({ name: 'Name', type: 'string', length: 300 }, 'Genre'),
    ]);
    expect(planned.add.map((c) => c.name)).toEqual(['Country']);
    expect(planned.change.map((c) => c.name)).toEqual(['Name']);
    expect(() =>
      planAlter(chinook, tableOf('Album'), [parseField({ name: 'ArtistId', type: 'bigint' }, 'Album')]),
    ).toThrow(/a foreign key uses it/);
  });

  it('refuses to drop a referenced table, a key field, or a field a virtual key uses', () => {
    expect(() => checkDropTable(chinook, tableOf('Artist'))).toThrow(
      /referenced by a foreign key of 'Album'/,
    );
    expect(() => checkDropField(chinook, tableOf('Album'), 'AlbumId')).toThrow(/primary key/);
    expect(() => checkDropField(chinook, tableOf('Artist'), 'Name')).toThrow(/virtual relationship/);
    expect(checkDropField(chinook, tableOf('Track'), 'UnitPrice').name).toBe('UnitPrice');
  });

  it('turns relationships into virtual keys pointing the right way, across services too', () => {
    const keys = planRelations(
      index,
      chinook,
      'Artist',
      [
        parseRelation({
          type: 'has_many',
          field: 'ArtistId',
          is_virtual: true,
          ref_service: 'crm',
          ref_table: 'Contact',
          ref_field: 'ArtistRef',
        }),
      ],
      [],
    );
    expect(keys).toEqual([
      {
        from: { service: 'crm', table: 'Contact', fields: ['ArtistRef'] },
        to: { service: 'chinook', table: 'Artist', fields: ['ArtistId'] },
      },
    ]);
    const again = () =>
      planRelations(
        index,
        chinook,
        'Artist',
        [
          parseRelation({
            type: 'belongs_to',
            field: 'Name',
            is_virtual: true,
            ref_service_id: 2,
            ref_table: 'Contact',
            ref_field: 'Email',
          }),
        ],
        [
          {
            from: { service: 'chinook', table: 'Artist', fields: ['Name'] },
            to: { service: 'crm', table: 'Contact', fields: ['Email'] },
          },
        ],
      );
    expect(again).toThrow(/already exists/);
    expect(() =>
      planRelations(
        index,
        chinook,
        'Album',
        [
          parseRelation({
            type: 'belongs_to',
            field: 'ArtistId',
            is_virtual: true,
            ref_table: 'Artist',
            ref_field: 'ArtistId',
          }),
        ],
        [],
      ),
    ).toThrow(/already a foreign key/);
  });

  it('refuses schema changes on MongoDB services', () => {
    const mongo = { ...chinook, type: 'mongodb' as const };
    expect(() => planCreate(mongo, [review([{ name: 'a', type: 'integer' }])])).toThrow(
      expect.objectContaining({ status: 501 }),
    );
  });
});
