import { describe, expect, it } from 'vitest';
import { typecastDefault } from '../../../src/model/defaults.js';
import { simpleTypeOf } from '../../../src/model/simple-types.js';

describe('simple types follow the DreamFactory table (§7.3)', () => {
  it.each([
    ['int(11)', 'integer'],
    ['integer', 'integer'],
    ['smallint unsigned', 'integer'],
    ['tinyint(1)', 'boolean'],
    ['boolean', 'boolean'],
    ['bit', 'boolean'],
    ['bigint', 'bigint'],
    ['bigserial', 'bigint'],
    ['numeric(10,2)', 'decimal'],
    ['decimal(10,2)', 'decimal'],
    ['double precision', 'double'],
    ['float(53)', 'double'],
    ['real', 'float'],
    ['float', 'float'],
    ['money', 'money'],
    ['timestamp without time zone', 'timestamp'],
    ['timestamp with time zone', 'timestamp'],
    ['datetime', 'datetime'],
    ['date', 'date'],
    ['time', 'time'],
    ['bytea', 'binary'],
    ['varbinary(16)', 'binary'],
    ['blob', 'binary'],
    ['text', 'text'],
    ['mediumtext', 'text'],
    ['varchar(max)', 'text'],
    ['uuid', 'uuid'],
    ['integer[]', 'array'],
    ['json', 'json'],
    ['jsonb', 'json'],
    ['character varying(160)', 'string'],
    ['nvarchar(160)', 'string'],
    ["enum('a','b')", 'string'],
    ['', 'string'],
  ])('maps %s to %s', (dbType, expected) => {
    expect(simpleTypeOf(dbType)).toBe(expected);
  });
});

describe('column defaults are typecast for clients', () => {
  it('unquotes string literals and drops PostgreSQL casts', () => {
    expect(typecastDefault("'abc'::character varying", 'string', false)).toBe('abc');
    expect(typecastDefault("'it''s'", 'string', false)).toBe("it's");
  });
  it('turns numeric literals into numbers for integer columns', () => {
    expect(typecastDefault('0', 'integer', false)).toBe(0);
    expect(typecastDefault("'5'", 'integer', false)).toBe(5);
    expect(typecastDefault('(0)::numeric', 'decimal', false)).toBe('0');
  });
  it('reads booleans in every dialect spelling', () => {
    expect(typecastDefault('true', 'boolean', false)).toBe(true);
    expect(typecastDefault("'0'", 'boolean', false)).toBe(false);
    expect(typecastDefault("b'1'", 'boolean', false)).toBe(true);
  });
  it('reports database expressions as { expression }', () => {
    expect(typecastDefault('CURRENT_TIMESTAMP', 'timestamp', false)).toEqual({
      expression: 'CURRENT_TIMESTAMP',
    });
    expect(typecastDefault('current_timestamp()', 'timestamp', false)).toEqual({
      expression: 'CURRENT_TIMESTAMP',
    });
    expect(typecastDefault('gen_random_uuid()', 'uuid', false)).toEqual({ expression: 'gen_random_uuid()' });
  });
  it('gives null for NULL defaults and for auto-increment columns', () => {
    expect(typecastDefault('NULL', 'string', false)).toBeNull();
    expect(typecastDefault("nextval('album_album_id_seq'::regclass)", 'id', true)).toBeNull();
  });
});
