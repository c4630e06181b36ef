// `_schema` write bodies (DreamFactory's field format) → checked schema changes against a model built from
// miniChinook: what is accepted and how it is translated, and the 4xx each invalid definition gets.
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../../src/model/build-model.js';
import { ModelIndex } from '../../../src/model/model-index.js';
import type { ServiceModel, TableModel } from '../../../src/model/types.js';
import { itemsOf, parseField, parseRelation, parseTable } from '../../../src/rest/schema/parse-fields.js';
import {
  checkDropField,
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
