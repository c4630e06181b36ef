// `_proc` / `_func` without a database (compat §11): call-path and argument parsing, value casting, result
// formatting, and the handler itself over a model with hand-made routines and a recording fake DataSource.
import { describe, expect, it } from 'vitest';
import type { RoleConfig } from '../../../src/auth/types.js';
import { ApiError } from '../../../src/errors/index.js';
import type { DataSource, RoutineResult } from '../../../src/executor/data-source.js';
import { createExecContext } from '../../../src/executor/context.js';
import { buildModel } from '../../../src/model/build-model.js';
import { ModelIndex } from '../../../src/model/model-index.js';
import type { ParamModel, RoutineModel } from '../../../src/model/types.js';
import { Params } from '../../../src/rest/params.js';
import {
  givenValues,
  parseCallPath,
  routineArguments,
  splitValues,
} from '../../../src/rest/routines/args.js';
import { describeRoutine } from '../../../src/rest/routines/describe.js';
import { routineHandler } from '../../../src/rest/routines/handler.js';
import { formatFunctionResult, formatProcedureResult } from '../../../src/rest/routines/results.js';
import { castArgument, formatValue, toClient } from '../../../src/rest/routines/values.js';
import type { RestContext, Verb } from '../../../src/rest/types.js';
import { config, miniChinook, service } from '../model/fixtures.js';

function param(
  name: string,
  position: number,
  mode: ParamModel['mode'],
  dbType: string,
  type: ParamModel['type'],
  extra: Partial<ParamModel> = {},
): ParamModel {
  return {
    name,
    position,
    mode,
    dbType,
    type,
    length: null,
    precision: null,
    scale: null,
    default: null,
    graphqlName: name,
    ...extra,
  };
}

function routine(
  name: string,
  kind: RoutineModel['kind'],
  params: ParamModel[],
  extra: Partial<RoutineModel> = {},
): RoutineModel {
  return {
    name,
    kind,
    label: name,
    description: null,
    params,
    returnType: null,
    returnDbType: kind === 'function' ? 'integer' : null,
    returnsSet: false,
    returnColumns: [],
    readOnly: kind === 'function',
    graphqlName: name,
    ...extra,
  };
}

const invoiceTotal = routine('invoice_total', 'procedure', [
  param('cust', 1, 'IN', 'int', 'integer', { precision: 10, scale: 0 }),
  param('total', 2, 'OUT', 'decimal(10,2)', 'decimal', { precision: 10, scale: 2 }),
]);
const bump = routine('bump', 'procedure', [
  param('n', 1, 'INOUT', 'int', 'integer'),
  param('step', 2, 'IN', 'int', 'integer'),
]);
const touch = routine('touch', 'procedure', []);
const customerInvoices = routine('customer_invoices', 'procedure', [
  param('cust', 1, 'IN', 'int', 'integer'),
]);
const artistAndAlbums = routine('Artist10', 'procedure', [param('a', 1, 'IN', 'int', 'integer')]);
const artist2 = routine('artist2', 'procedure', []);
const albumCount = routine('album_count', 'function', [param('artist', 1, 'IN', 'integer', 'integer')], {
  returnType: 'integer',
  returnDbType: 'integer',
});
const addGenre = routine(
  'add_genre',
  'function',
  [param('genre_name', 1, 'IN', 'varchar(120)', 'string', { length: 120 })],
  { returnType: 'integer', returnDbType: 'integer', readOnly: false },
);
const albumsOf = routine('albums_of', 'function', [param('a', 1, 'IN', 'integer', 'integer')], {
  returnDbType: 'setof album',
  returnsSet: true,
  returnColumns: [
    { name: 'album_id', dbType: 'integer', type: 'integer', graphqlName: 'albumId' },
    { name: 'title', dbType: 'character varying', type: 'string', graphqlName: 'title' },
  ],
});

const none = { returns: null, wrapper: null, schema: null };
const result = (resultSets: RoutineResult['resultSets'], out: RoutineResult['out'] = {}, value?: unknown) =>
  value === undefined ? { resultSets, out } : { resultSets, out, value };

function badRequest(work: () => unknown, message: string | RegExp): void {
  let caught: unknown;
  try {
    work();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ApiError);
  expect((caught as ApiError).status).toBe(400);
  if (typeof message === 'string') expect((caught as ApiError).message).toBe(message);
  else expect((caught as ApiError).message).toMatch(message);
}

describe('parseCallPath and splitValues (compat §11.2)', () => {
  it('splits the name from the inline arguments', () => {
    expect(parseCallPath('GetCustomerInvoices(12)')).toEqual({ name: 'GetCustomerInvoices', inline: '12' });
    expect(parseCallPath('p (AB, 1234)')).toEqual({ name: 'p', inline: 'AB, 1234' });
    expect(parseCallPath('touch()')).toEqual({ name: 'touch', inline: '' });
    expect(parseCallPath('touch')).toEqual({ name: 'touch', inline: null });
    // DreamFactory trims every parenthesis at both ends of the inline part.
    expect(parseCallPath('p((1),(2))')).toEqual({ name: 'p', inline: '1),(2' });
  });

  it('splits on commas, trims, keeps quotes, escapes nothing', () => {
    expect(splitValues(" 'AB' , 1234,x y ")).toEqual(["'AB'", '1234', 'x y']);
    expect(splitValues('1,,3')).toEqual(['1', '', '3']);
    expect(splitValues('  ')).toEqual([]);
  });
});

describe('givenValues: the first non-empty source wins', () => {
  const query: [string, string][] = [['cust', '7']];
  it('prefers body params, then inline, then the URL', () => {
    expect(givenValues({ body: [1, 2], inline: '3', query })).toEqual([
      { position: 0, value: 1, origin: 'json' },
      { position: 1, value: 2, origin: 'json' },
    ]);
    expect(givenValues({ body: [], inline: '3', query })).toEqual([
      { position: 0, value: '3', origin: 'text' },
    ]);
    expect(givenValues({ body: {}, inline: ' ', query })).toEqual([
      { name: 'cust', value: '7', origin: 'text' },
    ]);
    expect(givenValues({ body: undefined, inline: null, query: [] })).toEqual([]);
  });

  it('reads named objects, legacy name/value lists and comma text', () => {
    expect(givenValues({ body: { Cust: 4 }, inline: null, query: [] })).toEqual([
      { name: 'Cust', value: 4, origin: 'json' },
    ]);
    expect(
      givenValues({ body: [{ name: 'cust', value: 4, param_type: 'IN' }], inline: null, query: [] }),
    ).toEqual([{ name: 'cust', value: 4, origin: 'json' }]);
    expect(givenValues({ body: '4, 5', inline: null, query: [] })).toEqual([
      { position: 0, value: '4', origin: 'text' },
      { position: 1, value: '5', origin: 'text' },
    ]);
  });
});

describe('routineArguments (compat §11.2)', () => {
  const args = (
    r: RoutineModel,
    body: unknown,
    inline: string | null = null,
    query: [string, string][] = [],
  ) => routineArguments(r, givenValues({ body, inline, query }));

  it('maps positional values by position, OUT parameters counted, OUT values ignored', () => {
    expect(args(invoiceTotal, [4, 999])).toEqual({ cust: 4 });
    expect(args(bump, null, '5, 2')).toEqual({ n: 5, step: 2 });
    expect(args(bump, [5])).toEqual({ n: 5 });
  });

  it('matches names case-insensitively and ignores unknown names', () => {
    expect(args(bump, { N: '5', STEP: 1, other: 'x' })).toEqual({ n: 5, step: 1 });
    expect(
      args(bump, null, null, [
        ['Step', '3'],
        ['api_keyish', 'x'],
      ]),
    ).toEqual({ step: 3 });
    expect(args(bump, [{ NAME: 'n', VALUE: 9 }])).toEqual({ n: 9 });
    expect(args(bump, { n: { value: 9 } })).toEqual({ n: 9 });
  });

  it('leaves missing parameters out (the database default applies)', () => {
    expect(args(bump, null)).toEqual({});
    expect(args(touch, null, '')).toEqual({});
  });

  it('refuses more positional values than parameters', () => {
    badRequest(() => args(bump, [1, 2, 3]), "Procedure 'bump' takes 2 parameters; 3 values were given.");
    badRequest(() => args(touch, null, '1'), "Procedure 'touch' takes 0 parameters; 1 value was given.");
    badRequest(
      () => args(albumCount, null, '1,2'),
      "Function 'album_count' takes 1 parameter; 2 values were given.",
    );
  });

  it('refuses values that do not fit the type, before any database sees them', () => {
    badRequest(() => args(bump, null, 'abc'), "Parameter 'n' must be a valid integer.");
    badRequest(() => args(bump, null, '1 OR 1=1'), "Parameter 'n' must be a valid integer.");
    badRequest(() => args(bump, ["1'; DROP TABLE album; --"]), "Parameter 'n' must be a valid integer.");
    badRequest(() => args(bump, [1.5]), "Parameter 'n' must be a valid integer.");
    badRequest(
      () => args(bump, [2147483648]),
      /^Parameter 'n' must be an integer between -2147483648 and 2147483647\.$/,
    );
    badRequest(() => args(bump, [{ a: 1 }]), "Parameter 'n' must be a valid integer.");
    badRequest(() => args(bump, [true]), "Parameter 'n' must be a valid integer.");
    badRequest(
      () => args(addGenre, ['x'.repeat(121)]),
      "Parameter 'genre_name' must be at most 120 characters long.",
    );
    badRequest(
      () => args(addGenre, ['a\u0000b']),
      "Parameter 'genre_name' must not contain a NUL character.",
    );
    badRequest(() => args(addGenre, [['a']]), "Parameter 'genre_name' must be a string.");
  });

  it('keeps injection text for string parameters as the literal value', () => {
    const text = "x'); DELETE FROM genre; --";
    expect(args(addGenre, [text])).toEqual({ genre_name: text });
    expect(args(addGenre, null, "'quoted'")).toEqual({ genre_name: "'quoted'" });
  });

  it('reads null and empty inline/URL text as null for non-string types', () => {
    expect(args(bump, null, 'null, ')).toEqual({ n: null, step: null });
    expect(args(addGenre, null, 'null')).toEqual({ genre_name: 'null' });
    expect(args(bump, [null])).toEqual({ n: null });
  });

  it('substitutes lookups in string values', () => {
    const given = givenValues({ body: ['{user.email}'], inline: null, query: [] });
    const substitute = (text: string) => text.replace('{user.email}', 'a@b.c');
    expect(routineArguments(addGenre, given, substitute)).toEqual({ genre_name: 'a@b.c' });
  });
});

describe('castArgument per type', () => {
  const cast = (dbType: string, type: ParamModel['type'], value: unknown, origin: 'json' | 'text' = 'json') =>
    castArgument(param('v', 1, 'IN', dbType, type), value, origin);

  it('integers: ranges per database type, big ones as text', () => {
    expect(cast('smallint', 'integer', '32767')).toBe(32767);
    badRequest(() => cast('smallint', 'integer', 32768), /between -32768 and 32767/);
    badRequest(() => cast('int unsigned', 'integer', -1), /between 0 and 4294967295/);
    expect(cast('bigint', 'bigint', '9223372036854775807')).toBe('9223372036854775807');
    badRequest(() => cast('bigint', 'bigint', '9223372036854775808'), /between/);
  });

  it('decimals keep their exact text; floats become numbers', () => {
    expect(cast('numeric(10,2)', 'decimal', '12.345')).toBe('12.345');
    expect(cast('numeric', 'decimal', 1.5)).toBe(1.5);
    expect(cast('double precision', 'double', '1e3')).toBe(1000);
    badRequest(() => cast('numeric', 'decimal', 'NaN'), "Parameter 'v' must be a valid number.");
    badRequest(() => cast('numeric', 'decimal', '1,5'), "Parameter 'v' must be a valid number.");
  });

  it('booleans, dates, times, uuids and JSON', () => {
    expect(cast('boolean', 'boolean', 'Yes', 'text')).toBe(true);
    expect(cast('tinyint(1)', 'boolean', 0)).toBe(false);
    badRequest(() => cast('boolean', 'boolean', 'maybe'), "Parameter 'v' must be a valid boolean.");
    expect(cast('date', 'date', '2024-02-29')).toBe('2024-02-29');
    badRequest(() => cast('date', 'date', '2023-02-29'), /valid date/);
    expect(cast('timestamp', 'timestamp', '2024-01-02 03:04:05.123')).toBe('2024-01-02 03:04:05.123');
    expect(cast('timestamptz', 'timestamp', '2024-01-02T03:04:05+02:00')).toBe('2024-01-02T03:04:05+02:00');
    badRequest(() => cast('timestamp', 'timestamp', "2024-01-02'; --"), /valid date and time/);
    expect(cast('time', 'time', '13:45')).toBe('13:45');
    expect(cast('uuid', 'uuid', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11')).toBe(
      'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
    );
    badRequest(() => cast('uuid', 'uuid', 'nope'), "Parameter 'v' must be a valid UUID.");
    expect(cast('jsonb', 'json', { a: [1] })).toBe('{"a":[1]}');
    expect(cast('jsonb', 'json', '{"a":1}', 'text')).toBe('{"a":1}');
    badRequest(() => cast('jsonb', 'json', '{a', 'text'), "Parameter 'v' must be valid JSON.");
  });

  it('strings take numbers and booleans as text', () => {
    expect(cast('varchar(10)', 'string', 12)).toBe('12');
    expect(cast('text', 'text', false)).toBe('false');
    expect(cast('text', 'text', '', 'text')).toBe('');
  });
});

describe('formatProcedureResult (compat §11.3)', () => {
  const rows = [
    { invoice_id: 1, total: '1.98' },
    { invoice_id: 2, total: '3.96' },
  ];

  it('returns one result set bare, several as an array of arrays, none as []', () => {
    expect(formatProcedureResult(customerInvoices, result([rows]), none)).toEqual(rows);
    expect(formatProcedureResult(artistAndAlbums, result([[{ a: 1 }], [], [{ b: 2 }]]), none)).toEqual([
      [{ a: 1 }],
      [{ b: 2 }],
    ]);
    expect(formatProcedureResult(touch, result([]), none)).toEqual([]);
    expect(formatProcedureResult(touch, result([[], []]), none)).toEqual([]);
  });

  it('wraps rows only when asked, and never an empty result', () => {
    expect(formatProcedureResult(customerInvoices, result([rows]), { ...none, wrapper: 'data' })).toEqual({
      data: rows,
    });
    expect(formatProcedureResult(touch, result([]), { ...none, wrapper: 'data' })).toEqual([]);
  });

  it('with OUT parameters: rows under resource (or the wrapper) plus each OUT value cast', () => {
    expect(formatProcedureResult(invoiceTotal, result([], { total: '39.62' }), none)).toEqual({
      total: 39.62,
    });
    expect(formatProcedureResult(invoiceTotal, result([rows], { total: '5.94' }), none)).toEqual({
      resource: rows,
      total: 5.94,
    });
    expect(formatProcedureResult(bump, result([rows], { N: 7 }), { ...none, wrapper: 'w' })).toEqual({
      w: rows,
      n: 7,
    });
    expect(formatProcedureResult(bump, result([]), none)).toEqual({ n: null });
  });

  it('reads a one-row result set naming OUT parameters as their values', () => {
    expect(formatProcedureResult(invoiceTotal, result([[{ TOTAL: '39.62' }]]), none)).toEqual({
      total: 39.62,
    });
    expect(
      formatProcedureResult(invoiceTotal, result([[{ total: '1.00' }, { total: '2.00' }]]), none),
    ).toEqual({
      resource: [{ total: '1.00' }, { total: '2.00' }],
      total: null,
    });
  });

  it('returns=<type> gives the first column of the first row; TABLE keeps rows', () => {
    expect(formatProcedureResult(customerInvoices, result([rows]), { ...none, returns: 'integer' })).toBe(1);
    expect(formatProcedureResult(customerInvoices, result([rows]), { ...none, returns: 'TABLE' })).toEqual(
      rows,
    );
    expect(formatProcedureResult(touch, result([]), { ...none, returns: 'int' })).toBeNull();
    expect(
      formatProcedureResult(customerInvoices, result([rows]), { ...none, returns: 'string', wrapper: 'x' }),
    ).toEqual({ x: '1' });
  });

  it('schema casts the listed columns of every row and the OUT values', () => {
    const schema = { total: 'float', invoice_id: 'string', missing: 'int' };
    expect(formatProcedureResult(customerInvoices, result([rows]), { ...none, schema })).toEqual([
      { invoice_id: '1', total: 1.98 },
      { invoice_id: '2', total: 3.96 },
    ]);
    expect(
      formatProcedureResult(invoiceTotal, result([], { total: '39.62' }), {
        ...none,
        schema: { total: 'string' },
      }),
    ).toEqual({ total: '39.62' });
  });

  it('makes driver values JSON-safe', () => {
    const data = result([[{ b: Buffer.from('hi'), n: 12n, d: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) }]]);
    expect(formatProcedureResult(touch, data, none)).toEqual([
      { b: 'aGk=', n: '12', d: '2024-01-02 03:04:05' },
    ]);
  });

  it('keeps odd keys as own properties', () => {
    const body = formatProcedureResult(touch, result([[{ a: 1 }]]), { ...none, wrapper: '__proto__' });
    expect(Object.keys(body as object)).toEqual(['__proto__']);
  });
});

describe('formatFunctionResult (compat §11.3)', () => {
  it('returns a scalar function value bare, cast to the return type', () => {
    expect(formatFunctionResult(albumCount, result([], {}, '2'), none)).toBe(2);
    expect(formatFunctionResult(albumCount, result([[{ output: 3 }]]), none)).toBe(3);
    expect(formatFunctionResult(albumCount, result([], {}, '2'), { ...none, returns: 'string' })).toBe('2');
    expect(formatFunctionResult(albumCount, result([], {}, 2), { ...none, wrapper: 'w' })).toBe(2);
  });

  it('returns the OUT values of a function with OUT parameters as its one row', () => {
    const stats = routine(
      'artist_stats',
      'function',
      [
        param('a', 1, 'IN', 'integer', 'integer'),
        param('albums', 2, 'OUT', 'bigint', 'bigint'),
        param('named', 3, 'OUT', 'text', 'text'),
      ],
      { returnDbType: 'record' },
    );
    expect(formatFunctionResult(stats, result([], { albums: '2', named: 'AC/DC' }), none)).toEqual([
      { albums: 2, named: 'AC/DC' },
    ]);
  });

  it('returns rows of a set-returning function, never wrapped', () => {
    const rows = [{ album_id: 1, title: 'A' }];
    expect(formatFunctionResult(albumsOf, result([rows]), { ...none, wrapper: 'w' })).toEqual(rows);
    expect(formatFunctionResult(albumsOf, result([[]]), none)).toEqual([]);
    expect(formatFunctionResult(albumsOf, result([rows]), { ...none, returns: 'int' })).toBe(1);
  });
});

describe('formatValue and toClient', () => {
  it('follows DreamFactory’s DataFormatter', () => {
    expect(formatValue('12abc', 'int')).toBe(12);
    expect(formatValue('abc', 'integer')).toBe(0);
    expect(formatValue('3.5', 'DOUBLE')).toBe(3.5);
    expect(formatValue('yes', 'bool')).toBe(true);
    expect(formatValue('0', 'boolean')).toBe(false);
    expect(formatValue(12, 'string')).toBe('12');
    expect(formatValue('{"a":1}', 'json')).toEqual({ a: 1 });
    expect(formatValue('2024-01-02', 'date')).toBe('2024-01-02');
    expect(formatValue(null, 'int')).toBeNull();
  });

  it('casts database values to simple types', () => {
    expect(toClient('39.62', 'decimal')).toBe(39.62);
    expect(toClient('9007199254740993', 'bigint')).toBe('9007199254740993');
    expect(toClient('t', 'boolean')).toBe(true);
    expect(toClient(1, 'boolean')).toBe(true);
    expect(toClient('x', 'string')).toBe('x');
  });
});

describe('describeRoutine (compat §11.1)', () => {
  it('has DreamFactory’s keys, params in position order, the numeric access mask', () => {
    const swapped = { ...invoiceTotal, params: [...invoiceTotal.params].reverse() };
    expect(describeRoutine(swapped, 3)).toEqual({
      alias: null,
      name: 'invoice_total',
      label: 'invoice_total',
      description: null,
      native: [],
      return_type: null,
      return_schema: [],
      params: [
        {
          name: 'cust',
          position: 1,
          param_type: 'IN',
          type: 'integer',
          db_type: 'int',
          length: null,
          precision: 10,
          scale: 0,
          default: null,
        },
        {
          name: 'total',
          position: 2,
          param_type: 'OUT',
          type: 'decimal',
          db_type: 'decimal',
          length: null,
          precision: 10,
          scale: 2,
          default: null,
        },
      ],
      access: 3,
    });
    expect(describeRoutine(albumsOf, 31)).toMatchObject({
      return_type: 'setof album',
      return_schema: [
        { name: 'album_id', type: 'integer', db_type: 'integer' },
        { name: 'title', type: 'string', db_type: 'character varying' },
      ],
    });
    expect(describeRoutine(albumCount, 31)).toMatchObject({ return_type: 'integer' });
  });
});

// ---- the handler --------------------------------------------------------------------------------------

const { model } = buildModel(
  config([service('chinook', { type: 'mysql' })]),
  new Map([['chinook', miniChinook()]]),
);
const chinook = model.services[0]!;
chinook.routines = [
  invoiceTotal,
  bump,
  touch,
  customerInvoices,
  artistAndAlbums,
  artist2,
  albumCount,
  addGenre,
];
const index = new ModelIndex(model);

interface Call {
  routine: string;
  args: Record<string, unknown>;
}

function fakeSource(calls: Call[], answer: () => Promise<RoutineResult>): DataSource {
  return {
    callRoutine: async (r: RoutineModel, args: Record<string, unknown>) => {
      calls.push({ routine: r.name, args });
      return answer();
    },
  } as unknown as DataSource;
}

function roleOf(components: [string, Verb[]][]): RoleConfig {
  return {
    name: 'limited',
    description: null,
    active: true,
    access: components.map(([component, verbs]) => ({
      service: 'chinook',
      component,
      verbs,
      filters: [],
      filterOp: 'AND',
      hiddenFields: [],
      writableFields: null,
    })),
  };
}

interface Request {
  verb?: Verb;
  query?: string;
  body?: unknown;
  role?: RoleConfig;
  answer?: () => Promise<RoutineResult>;
}

async function send(path: string[], request: Request = {}) {
  const calls: Call[] = [];
  const logged: string[] = [];
  const source = fakeSource(calls, request.answer ?? (async () => result([])));
  const principal: RestContext['principal'] = request.role
    ? {
        kind: 'app',
        app: { name: 'a', description: null, active: true, role: 'limited', apiKeyHash: 'x' },
        role: request.role,
      }
    : { kind: 'open' };
  const ctx: RestContext = {
    index,
    principal,
    request: {
      verb: request.verb ?? 'GET',
      service: index.service('chinook'),
      path,
      params: new Params(new URLSearchParams(request.query ?? '')),
      body: request.body,
      headers: new Headers(),
    },
    exec: createExecContext(index, () => source, principal),
    log: (message) => logged.push(message),
  };
  try {
    const response = await routineHandler(ctx);
    return { status: response.status, body: response.body as any, calls, logged }; // eslint-disable-line @typescript-eslint/no-explicit-any
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { status: error.status, body: { message: error.message, code: error.code } as any, calls, logged }; // eslint-disable-line @typescript-eslint/no-explicit-any
  }
}

describe('routineHandler: listings (compat §11.1)', () => {
  it('lists procedures or functions by kind, naturally sorted', async () => {
    const procs = await send(['_proc']);
    expect(procs.body).toEqual({
      resource: ['artist2', 'Artist10', 'bump', 'customer_invoices', 'invoice_total', 'touch'].map(
        (name) => ({
          name,
        }),
      ),
    });
    const funcs = await send(['_func'], { query: 'as_list=true' });
    expect(funcs.body).toEqual({ resource: ['add_genre', 'album_count'] });
  });

  it('gives summaries with access verbs for fields=*', async () => {
    const { body } = await send(['_func'], { query: 'fields=*' });
    expect(body.resource[1]).toEqual({
      alias: null,
      name: 'album_count',
      label: 'album_count',
      description: null,
      native: [],
      return_type: 'integer',
      return_schema: [],
      access: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    });
  });

  it('describes the routines named by ids (URL, body ids, body record list), case-insensitively', async () => {
    const url = await send(['_proc'], { query: 'ids=INVOICE_TOTAL,bump' });
    expect(url.body.resource.map((r: { name: string }) => r.name)).toEqual(['invoice_total', 'bump']);
    expect(url.body.resource[0].access).toBe(31);
    const ids = await send(['_proc'], { verb: 'GET', body: { ids: ['touch'] } });
    expect(ids.body.resource.map((r: { name: string }) => r.name)).toEqual(['touch']);
    const list = await send(['_proc'], { body: { resource: [{ name: 'bump' }] } });
    expect(list.body.resource.map((r: { name: string }) => r.name)).toEqual(['bump']);
    const missing = await send(['_proc'], { query: 'ids=bump,nope' });
    expect(missing).toMatchObject({
      status: 404,
      body: { message: "Procedure 'nope' does not exist in the database." },
    });
    const wrongKind = await send(['_func'], { query: 'ids=bump' });
    expect(wrongKind).toMatchObject({
      status: 404,
      body: { message: "Function 'bump' does not exist in the database." },
    });
  });

  it('shows a restricted role only what it may access, with its own masks', async () => {
    const role = roleOf([
      ['_proc/', ['GET']],
      ['_proc/bump', ['GET', 'POST']],
      ['_proc/touch', ['POST']],
    ]);
    const listed = await send(['_proc'], { role, query: 'fields=*' });
    expect(listed.body.resource.map((r: { name: string; access: string[] }) => [r.name, r.access])).toEqual([
      ['bump', ['GET', 'POST']],
      ['touch', ['POST']],
    ]);
    const described = await send(['_proc'], { role, query: 'ids=bump' });
    expect(described.body.resource[0].access).toBe(3);
    // Describing needs GET on the routine: touch is POST-only, invoice_total not granted (no 404 oracle).
    expect((await send(['_proc'], { role, query: 'ids=touch' })).status).toBe(401);
    expect((await send(['_proc'], { role, query: 'ids=nope' })).status).toBe(401);
  });

  it('answers other verbs on the listing with DreamFactory’s 400', async () => {
    expect(await send(['_proc'], { verb: 'POST' })).toMatchObject({
      status: 400,
      body: {
        message: "POST requests without a resource are not currently supported by the '_proc' service.",
      },
    });
  });
});

describe('routineHandler: calls (compat §11.2)', () => {
  it('passes cast arguments from each source to the data source', async () => {
    expect((await send(['_proc', 'bump(5, 2)'])).calls).toEqual([
      { routine: 'bump', args: { n: 5, step: 2 } },
    ]);
    expect((await send(['_proc', 'BUMP'], { query: 'N=5&api_key=k&returns=int' })).calls).toEqual([
      { routine: 'bump', args: { n: 5 } },
    ]);
    expect((await send(['_proc', 'bump(1)'], { verb: 'POST', body: { params: { step: 3 } } })).calls).toEqual(
      [{ routine: 'bump', args: { step: 3 } }],
    );
    // Inline arguments may contain `/` (the path was split on it).
    expect((await send(['_func', "add_genre('a", "b')"])).calls).toEqual([
      { routine: 'add_genre', args: { genre_name: "'a/b'" } },
    ]);
  });

  it('formats the result and applies body options before URL ones', async () => {
    const answer = async () => result([[{ x: '1' }]], { n: 6 });
    const res = await send(['_proc', 'bump(5,1)'], {
      verb: 'POST',
      body: { wrapper: 'rows' },
      query: 'wrapper=url',
      answer,
    });
    expect(res.body).toEqual({ rows: [{ x: '1' }], n: 6 });
  });

  it('404s unknown routines and routines of the other kind', async () => {
    expect(await send(['_proc', 'nope(1)'])).toMatchObject({
      status: 404,
      body: { message: "Procedure 'nope' does not exist in the database." },
    });
    expect(await send(['_func', 'bump'])).toMatchObject({
      status: 404,
      body: { message: "Function 'bump' does not exist in the database." },
    });
  });

  it('refuses PUT, PATCH and DELETE on a routine', async () => {
    for (const verb of ['PUT', 'PATCH', 'DELETE'] as const) {
      expect(await send(['_proc', 'bump'], { verb })).toMatchObject({
        status: 400,
        body: { message: `${verb} requests are not currently supported by the '_proc' service.` },
      });
    }
  });

  it('checks the role on the routine actually called, before its existence', async () => {
    const role = roleOf([['_proc/bump', ['GET']]]);
    expect((await send(['_proc', 'bump(1,2)'], { role })).status).toBe(200);
    expect((await send(['_proc', 'bump(1,2)'], { role, verb: 'POST' })).status).toBe(401);
    expect((await send(['_proc', 'touch'], { role })).status).toBe(401);
    expect((await send(['_proc', 'nope'], { role })).status).toBe(401);
  });

  it('turns database errors into DreamFactory’s first line, driver text only in the log', async () => {
    const driver = Object.assign(new Error('syntax error at or near "DROP" SQLSTATE 42601'), {
      code: '42601',
    });
    const res = await send(['_proc', 'bump(1,2)'], {
      answer: async () => {
        throw new ApiError('DATABASE_ERROR', 'The database could not run the request.', { cause: driver });
      },
    });
    expect(res).toMatchObject({
      status: 500,
      body: { message: 'Failed to call database stored procedure.' },
    });
    expect(res.logged.join('\n')).toMatch(/unexpected error: stored procedure 'bump' failed: .*syntax error/);
    const raw = await send(['_func', 'album_count(1)'], {
      answer: async () => {
        throw driver;
      },
    });
    expect(raw).toMatchObject({ status: 500, body: { message: 'Failed to call database stored function.' } });
  });

  it('keeps 503 and 504 from an unreachable or slow database', async () => {
    const res = await send(['_proc', 'touch'], {
      answer: async () => {
        throw new ApiError(
          'SOURCE_UNAVAILABLE',
          'The database is not reachable right now; try again shortly.',
        );
      },
    });
    expect(res.status).toBe(503);
  });
});
