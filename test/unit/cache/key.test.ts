// Cache keys: one text per IR tree whatever its property order, a different key for any difference that
// changes what the database would return, and for another role or another model.
import { describe, expect, it } from 'vitest';
import { callKey, canonicalJson, fingerprint, sourcePart } from '../../../src/cache/key.js';
import type { ReadQuery } from '../../../src/ir/types.js';
import type { RelationModel } from '../../../src/model/types.js';

const tracks = (extra: Partial<ReadQuery> = {}): ReadQuery => ({
  service: 'chinook',
  table: 'track',
  select: [
    { column: 'track_id', as: 'track_id' },
    { column: 'name', as: 'name' },
  ],
  where: {
    kind: 'and',
    items: [
      { kind: 'compare', field: 'unit_price', op: 'gte', value: 0.99 },
      { kind: 'match', field: 'name', op: 'startsWith', value: 'A', caseInsensitive: false },
    ],
  },
  orderBy: [{ field: 'name', direction: 'asc' }],
  limit: 25,
  offset: 25,
  relations: [],
  relationAggregates: [],
  ...extra,
});

/** The same object with its keys inserted in reverse order, at every level. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversed(v)]),
  );
}

const key = (args: unknown, scope = 'role:reader', model = 'm1', op = 'read') =>
  callKey({ scope, model, op, args });

describe('canonicalJson', () => {
  it('gives one text whatever order the properties were written in, at every level', () => {
    const query = tracks();
    expect(JSON.stringify(reversed(query))).not.toBe(JSON.stringify(query));
    expect(canonicalJson(reversed(query))).toBe(canonicalJson(query));
  });

  it('keeps array order, because select, orderBy and key tuples are ordered', () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });

  it('tells a number from the string of its digits, and null from a missing member', () => {
    expect(canonicalJson({ v: 1 })).not.toBe(canonicalJson({ v: '1' }));
    expect(canonicalJson({ v: null })).not.toBe(canonicalJson({}));
    expect(canonicalJson({ v: undefined })).toBe(canonicalJson({}));
  });

  it('keeps NaN, infinities and bigints apart from null and from strings', () => {
    const texts = [NaN, Infinity, -Infinity, null, 10n, '10', 10].map((v) => canonicalJson({ v }));
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('escapes keys and strings as JSON does', () => {
    expect(canonicalJson({ 'a"b': 'c\n"d' })).toBe('{"a\\"b":"c\\n\\"d"}');
  });
});

describe('callKey', () => {
  it('is the same for equal reads built in another property order', () => {
    expect(key(reversed(tracks()))).toBe(key(tracks()));
  });

  it('differs for every change of the IR that changes the result', () => {
    const base = key(tracks());
    const variants: Partial<ReadQuery>[] = [
      { table: 'album' },
      { select: [{ column: 'track_id', as: 'track_id' }] },
      { select: [{ column: 'track_id', as: 'id' }] },
      { where: null },
      { where: { kind: 'compare', field: 'unit_price', op: 'gte', value: 1.99 } },
      { where: { kind: 'compare', field: 'unit_price', op: 'gt', value: 0.99 } },
      { orderBy: [{ field: 'name', direction: 'desc' }] },
      { orderBy: [{ field: 'name', direction: 'asc', nulls: 'last' }] },
      { limit: 26 },
      { limit: null },
      { offset: 0 },
    ];
    const keys = variants.map((v) => key(tracks(v)));
    expect(keys).not.toContain(base);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('differs for another role, another model fingerprint and another operation', () => {
    const base = key(tracks());
    expect(key(tracks(), 'role:admin')).not.toBe(base);
    expect(key(tracks(), 'role:reader', 'm2')).not.toBe(base);
    expect(key(tracks(), 'role:reader', 'm1', 'count')).not.toBe(base);
  });

  it('cannot be forged by moving text between the parts', () => {
    expect(callKey({ scope: 'a', model: 'bc', op: 'read', args: 1 })).not.toBe(
      callKey({ scope: 'ab', model: 'c', op: 'read', args: 1 }),
    );
  });

  it('sees a row filter the authorize stage added for the role', () => {
    const filtered = tracks({
      where: {
        kind: 'and',
        items: [tracks().where!, { kind: 'compare', field: 'genre_id', op: 'eq', value: 1 }],
      },
    });
    expect(key(filtered)).not.toBe(key(tracks()));
  });

  it('differs for relation reads of other parents or other relations', () => {
    const relation = {
      name: 'album_by_album_id',
      graphqlName: 'album',
      type: 'belongs_to',
      kind: 'constraint',
      crossService: false,
      fields: ['album_id'],
      refService: 'chinook',
      refTable: 'album',
      refFields: ['album_id'],
      junction: null,
      onUpdate: null,
      onDelete: null,
      source: 'track_album_id_fkey',
    } as RelationModel;
    const args = (keys: unknown[][], rel: RelationModel = relation) => ({
      relation: rel,
      query: sourcePart(tracks()),
      keys,
      perParent: true,
    });
    expect(key(args([[1], [2]]))).toBe(key(reversed(args([[1], [2]]))));
    expect(key(args([[1], [2]]))).not.toBe(key(args([[1], [3]])));
    expect(key(args([[1]]))).not.toBe(key(args([[1]], { ...relation, refFields: ['id'] })));
  });
});

describe('sourcePart', () => {
  it('leaves out the nested relations, which the executor reads with calls of their own', () => {
    const nested = tracks({
      relations: [
        {
          as: 'album',
          relation: {} as RelationModel,
          query: tracks(),
          limitScope: 'perParent',
          emptySingle: null,
        },
      ],
    });
    expect(key(sourcePart(nested))).toBe(key(sourcePart(tracks())));
  });
});

describe('fingerprint', () => {
  it('is equal for equal models and changes with them', () => {
    expect(fingerprint({ a: 1, b: [1] })).toBe(fingerprint({ b: [1], a: 1 }));
    expect(fingerprint({ a: 1, b: [1] })).not.toBe(fingerprint({ a: 1, b: [2] }));
  });
});
