// The PostgreSQL call of a routine: which statement, which arguments, every value bound and typed.
import { describe, expect, it } from 'vitest';
import { compilePostgresCall } from '../../../src/adapters/sql/call-routine.js';
import type { ParamModel, RoutineModel } from '../../../src/model/types.js';

function param(
  name: string,
  position: number,
  mode: ParamModel['mode'] = 'IN',
  dbType = 'integer',
  defaultValue: string | null = null,
): ParamModel {
  return {
    name,
    position,
    mode,
    dbType,
    type: 'integer',
    length: null,
    precision: null,
    scale: null,
    default: defaultValue,
    graphqlName: name,
  };
}

function routine(name: string, extra: Partial<RoutineModel> = {}): RoutineModel {
  return {
    name,
    kind: 'function',
    label: name,
    description: null,
    params: [],
    returnType: 'integer',
    returnDbType: 'integer',
    returnsSet: false,
    returnColumns: [],
    readOnly: true,
    graphqlName: name,
    ...extra,
  };
}

describe('compiling a PostgreSQL routine call', () => {
  it('selects a scalar function’s value as output, its argument bound and cast', () => {
    expect(
      compilePostgresCall(routine('album_count', { params: [param('artist', 1)] }), { artist: 1 }),
    ).toEqual({
      text: 'SELECT "album_count"($1::integer) AS output',
      bindings: [1],
    });
  });

  it('selects the rows of a set-returning function', () => {
    const fn = routine('albums_of', { returnsSet: true, returnType: null, returnDbType: 'setof album' });
    expect(compilePostgresCall({ ...fn, params: [param('a', 1)] }, { a: 2 }).text).toBe(
      'SELECT * FROM "albums_of"($1::integer)',
    );
  });

  it('calls a procedure with NULL for each OUT parameter', () => {
    const proc = routine('invoice_total', {
      kind: 'procedure',
      returnType: null,
      returnDbType: null,
      params: [param('cust', 1), param('total', 2, 'OUT', 'numeric')],
    });
    expect(compilePostgresCall(proc, { cust: 3, total: 99 })).toEqual({
      text: 'CALL "invoice_total"($1::integer, NULL::numeric)',
      bindings: [3],
    });
  });

  it('leaves a function’s OUT parameters out of its arguments', () => {
    const fn = routine('pair', {
      returnType: null,
      returnDbType: 'record',
      params: [param('a', 1), param('doubled', 2, 'OUT')],
      returnColumns: [{ name: 'doubled', dbType: 'integer', type: 'integer', graphqlName: 'doubled' }],
    });
    expect(compilePostgresCall(fn, { a: 1 }).text).toBe('SELECT * FROM "pair"($1::integer)');
  });

  it('omits missing trailing arguments that have defaults, and passes NULL for other missing ones', () => {
    const fn = routine('f', {
      params: [param('a', 1, 'IN', 'integer', '1'), param('b', 2), param('c', 3, 'IN', 'text', "'x'::text")],
    });
    expect(compilePostgresCall(fn, {})).toEqual({
      text: 'SELECT "f"($1::integer, $2::integer) AS output',
      bindings: [null, null],
    });
    expect(compilePostgresCall(fn, { c: 'y' }).bindings).toEqual([null, null, 'y']);
  });

  it('binds a value that looks like SQL and quotes an odd routine name whole', () => {
    const fn = routine('odd"name', { params: [param('v', 1, 'IN', 'character varying')] });
    expect(compilePostgresCall(fn, { v: '1); drop table x; --' })).toEqual({
      text: 'SELECT "odd""name"($1::character varying) AS output',
      bindings: ['1); drop table x; --'],
    });
  });

  it('keeps quoted, qualified, sized and array type names as casts, and drops anything else', () => {
    const cast = (dbType: string) =>
      compilePostgresCall(routine('f', { params: [param('v', 1, 'IN', dbType)] }), { v: 1 }).text;
    expect(cast('"My Type"')).toContain('$1::"My Type")');
    expect(cast('public.mood[]')).toContain('$1::public.mood[])');
    expect(cast('timestamp(3) with time zone')).toContain('$1::timestamp(3) with time zone)');
    expect(cast('integer), pg_sleep(10')).toBe('SELECT "f"($1) AS output');
    expect(cast('integer; drop table x')).toBe('SELECT "f"($1) AS output');
  });

  it('finds an unnamed parameter’s value under $position, and named ones in any case', () => {
    const fn = routine('plus', { params: [param('', 1), param('Step', 2)] });
    expect(compilePostgresCall(fn, { $1: 5, step: 2 }).bindings).toEqual([5, 2]);
  });
});
