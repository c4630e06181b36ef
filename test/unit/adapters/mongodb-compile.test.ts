// The MongoDB compiler and type inference without a server: which query documents IR filters become, how
// values are converted by field type, and the documented rules for inferring a field's type from samples.
import { Decimal128, Double, Int32, Long, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { compileFilter, likeToRegex } from '../../../src/adapters/mongodb/compile-filter.js';
import { fromBson, safeDocumentValue, toBson } from '../../../src/adapters/mongodb/values.js';
import { ApiError } from '../../../src/errors/index.js';
import { inferColumns, typeOfValues } from '../../../src/introspect/mongodb.js';

const types = new Map([
  ['_id', 'objectid'],
  ['rating', 'int'],
  ['at', 'date'],
  ['price', 'decimal'],
  ['any', 'mixed'],
]);
const HEX = '65a0c0de0000c0ffee000001';

describe('compiling IR filters to MongoDB queries', () => {
  it('turns a hex string into an ObjectId for an ObjectId field', () => {
    const filter = compileFilter({ kind: 'compare', field: '_id', op: 'eq', value: HEX }, types);
    expect(filter).toEqual({ _id: { $in: [ObjectId.createFromHexString(HEX)] } });
  });

  it('matches both spellings of a hex string in a field of mixed types', () => {
    const filter = compileFilter({ kind: 'compare', field: 'any', op: 'eq', value: HEX }, types);
    expect(filter).toEqual({ any: { $in: [HEX, ObjectId.createFromHexString(HEX)] } });
  });

  it('turns date text into a UTC Date for a date field', () => {
    const filter = compileFilter(
      { kind: 'compare', field: 'at', op: 'gte', value: '2024-03-01 10:00:00' },
      types,
    );
    expect(filter).toEqual({ at: { $gte: new Date('2024-03-01T10:00:00Z') } });
  });

  it('keeps neq from matching missing and null values, as in SQL', () => {
    const filter = compileFilter({ kind: 'compare', field: 'rating', op: 'neq', value: 3 }, types);
    expect(filter).toEqual({ $and: [{ rating: { $nin: [3] } }, { rating: { $ne: null } }] });
  });

  it('writes a NOT as $nor', () => {
    const filter = compileFilter(
      { kind: 'not', item: { kind: 'isNull', field: 'rating', isNull: true } },
      types,
    );
    expect(filter).toEqual({ $nor: [{ rating: null }] });
  });

  it('turns like into an anchored, escaped regex', () => {
    const filter = compileFilter(
      { kind: 'match', field: 'title', op: 'like', value: 'a.b%c_', caseInsensitive: false },
      types,
    );
    expect(filter).toEqual({ title: { $regex: '^a\\.b.*c.(?![\\s\\S])', $options: 's' } });
  });

  it('escapes every regex metacharacter of a plain substring', () => {
    const text = '.*+?^${}()|[]\\/-';
    const filter = compileFilter(
      { kind: 'match', field: 't', op: 'contains', value: text, caseInsensitive: true },
      types,
    );
    const regex = new RegExp((filter as { t: { $regex: string } }).t.$regex, 'is');
    expect(regex.test(`xx${text}yy`)).toBe(true);
    expect(regex.test('xx.yy')).toBe(false);
  });

  it('does not let a pattern match a value with a trailing newline', () => {
    const filter = compileFilter(
      { kind: 'match', field: 't', op: 'like', value: 'probe', caseInsensitive: false },
      types,
    );
    const regex = new RegExp((filter as { t: { $regex: string } }).t.$regex, 's');
    expect(regex.test('probe')).toBe(true);
    expect(regex.test('probe\n')).toBe(false);
  });

  it('writes NUL as an escape, never as a raw character, also for notLike', () => {
    const filter = compileFilter(
      { kind: 'match', field: 't', op: 'notLike', value: 'a\0b', caseInsensitive: false },
      types,
    );
    expect(JSON.stringify(filter)).not.toContain('\\u0000');
    expect(JSON.stringify(filter)).toContain('\\\\x00');
  });

  it('collapses runs of % and refuses patterns with too many wildcards', () => {
    expect(likeToRegex('a%%%b')).toBe('a.*b');
    expect(() => likeToRegex('%a'.repeat(11))).toThrow(/at most 10/);
  });

  it('lets a backslash escape % and _ in a like pattern', () => {
    expect(likeToRegex('100\\%')).toBe('100%');
    expect(() => likeToRegex('ends with \\')).toThrow(ApiError);
  });

  it('never writes a field name that MongoDB would read as an operator or a path', () => {
    for (const field of ['$where', 'a.b', '$gt', '']) {
      expect(() => compileFilter({ kind: 'compare', field, op: 'eq', value: 1 }, types)).toThrow(ApiError);
    }
  });

  it('compiles a key list with a NULL in it to the complete keys only', () => {
    const filter = compileFilter(
      { kind: 'keys', fields: ['rating'], keys: [[1], [null], [2]], negate: false },
      types,
    );
    expect(filter).toEqual({ rating: { $in: [1, 2] } });
  });

  it('compiles an empty OR and a false constant to a filter that matches nothing', () => {
    expect(compileFilter({ kind: 'or', items: [] }, types)).toEqual({ _id: { $in: [] } });
    expect(compileFilter({ kind: 'const', value: false }, types)).toEqual({ _id: { $in: [] } });
  });
});

describe('converting values at the MongoDB boundary', () => {
  it('stores a whole number in a double field as a Double', () => {
    expect(toBson(42, 'double')).toEqual(new Double(42));
  });

  it('stores decimal text as Decimal128 and gives it back as text', () => {
    const stored = toBson('12.50', 'decimal');
    expect(stored).toBeInstanceOf(Decimal128);
    expect(fromBson({ nested: stored })).toEqual({ nested: '12.50' });
  });

  it('gives ObjectIds, Longs and nested dates back as JSON values', () => {
    const out = fromBson({
      id: ObjectId.createFromHexString(HEX),
      big: Long.fromString('9007199254740993'),
      small: Long.fromNumber(5),
      at: new Date('2024-01-01T00:00:00Z'),
    });
    expect(out).toEqual({ id: HEX, big: '9007199254740993', small: 5, at: '2024-01-01T00:00:00.000Z' });
  });

  it('refuses operator and path keys at any depth of a written document', () => {
    expect(() => safeDocumentValue({ a: [{ b: { $gt: 1 } }] })).toThrow(/may not start with '\$'/);
    expect(() => safeDocumentValue({ 'a.b': 1 })).toThrow(ApiError);
    expect(() => safeDocumentValue(JSON.parse('{"a":{"__proto__":{"x":1}}}'))).toThrow(/__proto__/);
    expect(safeDocumentValue({ a: [{ b: 'x$y' }] })).toEqual({ a: [{ b: 'x$y' }] });
  });
});

describe('inferring a collection schema from sampled documents', () => {
  it('takes one type when every value has it, and widens mixed numbers', () => {
    expect(typeOfValues([new Int32(1), new Int32(2)])).toBe('int');
    expect(typeOfValues([new Int32(1), Long.fromNumber(2)])).toBe('long');
    expect(typeOfValues([new Int32(1), new Double(2.5)])).toBe('double');
    expect(typeOfValues([new Double(1), Decimal128.fromString('2')])).toBe('decimal');
  });

  it('calls any other mix of types mixed, and ignores nulls', () => {
    expect(typeOfValues(['a', new Int32(1)])).toBe('mixed');
    expect(typeOfValues(['a', null, undefined])).toBe('string');
  });

  it('lists _id first, keeps fields seen in some documents, and leaves out unaddressable keys', () => {
    const columns = inferColumns(
      [
        { _id: 'a', name: 'x', $weird: 1, 'dotted.key': 2 },
        { _id: 'b', age: new Int32(3) },
      ],
      null,
    );
    expect(columns.map((c) => [c.name, c.dbType, c.nullable])).toEqual([
      ['_id', 'string', false],
      ['name', 'string', true],
      ['age', 'int', true],
    ]);
  });

  it('follows a $jsonSchema validator for types, required fields and fields no sample has', () => {
    const columns = inferColumns([{ _id: new ObjectId(), code: 'A1' }], {
      required: ['code'],
      properties: {
        code: { bsonType: 'string', description: 'Stock code' },
        price: { bsonType: ['decimal', 'null'] },
      },
    });
    const byName = new Map(columns.map((c) => [c.name, c]));
    expect(byName.get('code')).toMatchObject({ dbType: 'string', nullable: false, comment: 'Stock code' });
    expect(byName.get('price')).toMatchObject({ dbType: 'decimal', nullable: true });
    expect(byName.get('_id')).toMatchObject({ dbType: 'objectid', autoIncrement: true });
  });

  it('records the shape of sub-documents that agree, and none when they do not', () => {
    const agree = inferColumns(
      [
        { _id: 1, author: { name: 'a', age: new Int32(1) } },
        { _id: 2, author: { name: 'b' } },
      ],
      null,
    );
    expect(agree.find((c) => c.name === 'author')?.shape).toEqual([
      { name: 'name', dbType: 'string' },
      { name: 'age', dbType: 'int' },
    ]);
    const disagree = inferColumns(
      [
        { _id: 1, author: { name: 'a' } },
        { _id: 2, author: { name: new Int32(2) } },
      ],
      null,
    );
    expect(disagree.find((c) => c.name === 'author')?.shape).toBeUndefined();
  });
});
