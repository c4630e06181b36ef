// Routine fields of the GraphQL schema without a database: hand-written RoutineModels on a mini Chinook,
// a DataSource whose callRoutine records what it was given and answers with canned results.
import { graphql, printType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { roleView } from '../../../src/auth/role-view.js';
import type { Principal, RoleAccessConfig, RoleConfig } from '../../../src/auth/types.js';
import type { DataSource, ExecStats, RoutineResult } from '../../../src/executor/data-source.js';
import { buildGraphqlSchema } from '../../../src/graphql/schema.js';
import { buildModel } from '../../../src/model/build-model.js';
import { ModelIndex } from '../../../src/model/model-index.js';
import type { DataModel, ParamModel, RoutineModel, SimpleType } from '../../../src/model/types.js';
import { config, miniChinook, service } from '../model/fixtures.js';

function param(
  name: string,
  mode: ParamModel['mode'],
  type: SimpleType,
  dbType: string,
  extra: Partial<ParamModel> = {},
): ParamModel {
  return {
    name,
    position: 0,
    mode,
    dbType,
    type,
    length: null,
    precision: null,
    scale: null,
    default: null,
    graphqlName: name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
    ...extra,
  };
}

function routine(name: string, graphqlName: string, extra: Partial<RoutineModel>): RoutineModel {
  return {
    name,
    kind: 'function',
    label: name,
    description: null,
    params: [],
    returnType: null,
    returnDbType: null,
    returnsSet: false,
    returnColumns: [],
    readOnly: false,
    graphqlName,
    ...extra,
  };
}

const ROUTINES: RoutineModel[] = [
  routine('album_count', 'albumCount', {
    params: [param('artist', 'IN', 'integer', 'integer')],
    returnType: 'integer',
    returnDbType: 'integer',
    readOnly: true,
  }),
  routine('customer_invoices', 'customerInvoices', {
    params: [param('cust', 'IN', 'integer', 'integer')],
    returnDbType: 'TABLE(invoice_id integer, total numeric)',
    returnsSet: true,
    returnColumns: [
      { name: 'invoice_id', dbType: 'integer', type: 'integer', graphqlName: 'invoiceId' },
      { name: 'total', dbType: 'numeric', type: 'decimal', graphqlName: 'total' },
    ],
    readOnly: true,
  }),
  routine('anything', 'anything', { returnDbType: 'setof record', returnsSet: true, readOnly: true }),
  routine('invoice_total', 'invoiceTotal', {
    kind: 'procedure',
    params: [param('cust', 'IN', 'integer', 'integer'), param('total', 'OUT', 'decimal', 'decimal(10,2)')],
  }),
  routine('bump', 'bump', {
    kind: 'procedure',
    params: [
      param('n', 'INOUT', 'integer', 'integer'),
      param('step', 'IN', 'integer', 'integer', { default: '1' }),
    ],
  }),
  routine('add_genre', 'addGenre', {
    params: [param('genre_name', 'IN', 'string', 'character varying')],
    returnType: 'integer',
    returnDbType: 'integer',
  }),
  // PostgreSQL OUT parameters without SETOF: one row, given back as the OUT values.
  routine('price_range', 'priceRange', {
    params: [param('lo', 'OUT', 'decimal', 'numeric'), param('hi', 'OUT', 'decimal', 'numeric')],
    returnDbType: 'record',
    returnColumns: [
      { name: 'lo', dbType: 'numeric', type: 'decimal', graphqlName: 'lo' },
      { name: 'hi', dbType: 'numeric', type: 'decimal', graphqlName: 'hi' },
    ],
    readOnly: true,
  }),
  // A volatile set-returning function: a mutation with typed rows.
  routine('take_ids', 'takeIds', {
    returnDbType: 'TABLE(id integer)',
    returnsSet: true,
    returnColumns: [{ name: 'id', dbType: 'integer', type: 'integer', graphqlName: 'id' }],
  }),
  // Collides with the Album table's list field and mutations: gets a number.
  routine('albums', 'albums', { returnType: 'integer', returnDbType: 'integer', readOnly: true }),
  routine('insert_album', 'insertAlbum', { kind: 'procedure' }),
  routine('touch', 'touch', {
    kind: 'procedure',
    params: [param('value', 'OUT', 'integer', 'integer'), param('resultSets', 'OUT', 'integer', 'integer')],
  }),
];

function model(): DataModel {
  const built = buildModel(config([service('chinook')]), new Map([['chinook', miniChinook()]])).model;
  built.services[0]!.routines = ROUTINES;
  return built;
}

interface Call {
  routine: string;
  args: Record<string, unknown>;
}

function fakeSource(calls: Call[], answers: Record<string, RoutineResult>): DataSource {
  const unused = () => Promise.reject(new Error('not used'));
  return {
    read: unused,
    readRelated: unused,
    count: unused,
    aggregate: unused,
    aggregateRelated: unused,
    distinctKeys: unused,
    transaction: unused,
    insert: unused,
    update: unused,
    delete: unused,
    upsert: unused,
    callRoutine(r: RoutineModel, args: Record<string, unknown>, stats: ExecStats) {
      calls.push({ routine: r.name, args });
      stats.statements += 1;
      const answer = answers[r.name];
      return answer ? Promise.resolve(answer) : Promise.reject(new Error(`no answer for ${r.name}`));
    },
  };
}

const ANSWERS: Record<string, RoutineResult> = {
  album_count: { resultSets: [], out: {}, value: 3 },
  customer_invoices: {
    resultSets: [
      [
        { invoice_id: 1, total: '3.98' },
        { invoice_id: 2, total: '1.99' },
      ],
    ],
    out: {},
  },
  anything: { resultSets: [[{ a: 1n, b: Buffer.from('hi') }]], out: {} },
  invoice_total: { resultSets: [], out: { total: '39.62' } },
  bump: { resultSets: [[{ x: 1 }], []], out: { n: 7 } },
  add_genre: { resultSets: [], out: {}, value: 26 },
  price_range: { resultSets: [], out: { lo: '0.99', hi: '1.99' } },
  take_ids: { resultSets: [[{ id: 1 }, { id: 2 }]], out: {} },
  touch: { resultSets: [], out: { value: 1, resultSets: 2 } },
};

const access = (component: string, verbs: RoleAccessConfig['verbs']): RoleAccessConfig => ({
  service: 'chinook',
  component,
  verbs,
  filters: [],
  filterOp: 'AND',
  hiddenFields: [],
  writableFields: null,
});
const role = (entries: RoleAccessConfig[]): RoleConfig => ({
  name: 'r',
  description: null,
  active: true,
  access: entries,
});
const as = (r: RoleConfig): Principal => ({
  kind: 'app',
  app: { name: 'web', description: null, active: true, role: r.name, apiKeyHash: 'x' },
  role: r,
});

function setup(schemaModel?: (m: DataModel) => DataModel) {
  const full = model();
  const calls: Call[] = [];
  const source = fakeSource(calls, ANSWERS);
  const fullIndex = new ModelIndex(full);
  const shown = schemaModel ? new ModelIndex(schemaModel(full)) : fullIndex;
  const schema = buildGraphqlSchema(shown, () => source, fullIndex);
  const run = async (query: string, principal: Principal = { kind: 'open' }, variables?: object) => {
    const stats = { statements: 0 };
    const result = await graphql({
      schema,
      source: query,
      contextValue: { stats, principal },
      variableValues: variables as Record<string, unknown> | undefined,
    });
    return { ...result, stats };
  };
  return { schema, calls, run };
}

const typeSdl = (schema: GraphQLSchema, name: string) => {
  const type = schema.getType(name);
  return type ? printType(type) : '';
};

describe('routine fields in the schema', () => {
  const { schema } = setup();

  it('puts read-only functions in the service namespace, typed from the return type', () => {
    const fields = schema.getQueryType()!.getFields().chinook!.type.toString();
    expect(fields).toBe('ChinookQuery!');
    const namespace = schema.getType('ChinookQuery') as GraphQLObjectType;
    const f = namespace.getFields();
    expect(f.albumCount?.type.toString()).toBe('Int');
    expect(f.albumCount?.args.map((a) => `${a.name}: ${a.type.toString()}`)).toEqual(['artist: Int']);
    expect(f.customerInvoices?.type.toString()).toBe('[ChinookCustomerInvoicesRow!]!');
    expect(f.anything?.type.toString()).toBe('[JSON!]!');
    // `albums` is the Album table's list field: the routine gets the next free name.
    expect(f.albums?.type.toString()).toBe('[Album!]!');
    expect(f.albums2?.type.toString()).toBe('Int');
    expect(typeSdl(schema, 'ChinookCustomerInvoicesRow')).toMatch(/^ {2}invoiceId: Int$/m);
    expect(typeSdl(schema, 'ChinookCustomerInvoicesRow')).toMatch(/^ {2}total: Decimal$/m);
  });

  it('makes procedures and volatile functions root mutations with result types', () => {
    const m = schema.getMutationType()!.getFields();
    expect(m.chinook_invoiceTotal?.type.toString()).toBe('ChinookInvoiceTotalResult!');
    expect(m.chinook_invoiceTotal?.args.map((a) => `${a.name}: ${a.type.toString()}`)).toEqual(['cust: Int']);
    expect(m.chinook_bump?.args.map((a) => a.name)).toEqual(['n', 'step']);
    expect(m.chinook_addGenre?.type.toString()).toBe('ChinookAddGenreResult!');
    expect(m.chinook_insertAlbum?.type.toString()).toBe('Album'); // the table's, untouched
    expect(m.chinook_insertAlbum2?.type.toString()).toBe('ChinookInsertAlbumResult!');
    const result = typeSdl(schema, 'ChinookInvoiceTotalResult');
    expect(result).toMatch(/^ {2}total: Decimal$/m);
    expect(result).toContain('resultSets: [[JSON!]!]!');
    expect(result).not.toContain('value:');
    expect(typeSdl(schema, 'ChinookAddGenreResult')).toMatch(/^ {2}value: Int$/m);
    // An OUT parameter named like a result field is numbered.
    // (a procedure's result has no `value`, so its OUT parameter `value` keeps the name).
    expect(typeSdl(schema, 'ChinookTouchResult')).toMatch(/^ {2}value: Int$/m);
    expect(typeSdl(schema, 'ChinookTouchResult')).toMatch(/^ {2}resultSets2: Int$/m);
    expect(schema.getMutationType()!.getFields().chinook_bump?.args[1]?.description).toContain('default 1');
  });
});

describe('routine resolvers', () => {
  it('calls a scalar function with the arguments by parameter name and counts the statement', async () => {
    const { run, calls } = setup();
    const result = await run('{ chinook { albumCount(artist: 22) } }');
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ chinook: { albumCount: 3 } });
    expect(calls).toEqual([{ routine: 'album_count', args: { artist: 22 } }]);
    expect(result.stats.statements).toBe(1);
  });

  it('leaves out arguments the client left out, and binds an explicit null', async () => {
    const { run, calls } = setup();
    await run('{ chinook { albumCount } }');
    await run('{ chinook { albumCount(artist: null) } }');
    await run('query($a: Int) { chinook { albumCount(artist: $a) } }');
    expect(calls.map((c) => c.args)).toEqual([{}, { artist: null }, {}]);
  });

  it('returns typed rows for set-returning functions with known columns, JSON rows otherwise', async () => {
    const { run } = setup();
    const result = await run('{ chinook { customerInvoices(cust: 2) { invoiceId total } anything } }');
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      chinook: {
        customerInvoices: [
          { invoiceId: 1, total: '3.98' },
          { invoiceId: 2, total: '1.99' },
        ],
        anything: [{ a: '1', b: 'aGk=' }],
      },
    });
  });

  it('returns one typed row for a function with OUT parameters, typed rows from a volatile set function', async () => {
    const { run } = setup();
    const query = await run('{ chinook { priceRange { lo hi } } }');
    expect(query.errors).toBeUndefined();
    expect(query.data).toEqual({ chinook: { priceRange: { lo: '0.99', hi: '1.99' } } });
    const mutation = await run('mutation { chinook_takeIds { rows { id } resultSets } }');
    expect(mutation.errors).toBeUndefined();
    expect(mutation.data).toEqual({
      chinook_takeIds: { rows: [{ id: 1 }, { id: 2 }], resultSets: [[{ id: 1 }, { id: 2 }]] },
    });
  });

  it('returns OUT and INOUT values, the result sets and a function value from mutations', async () => {
    const { run, calls } = setup();
    const result = await run(
      'mutation { t: chinook_invoiceTotal(cust: 4) { total resultSets } b: chinook_bump(n: 6) { n resultSets } g: chinook_addGenre(genreName: "x\'; drop table genre; --") { value } o: chinook_touch { value resultSets2 } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      t: { total: '39.62', resultSets: [] },
      b: { n: 7, resultSets: [[{ x: 1 }], []] },
      g: { value: 26 },
      o: { value: 1, resultSets2: 2 },
    });
    expect(calls).toEqual([
      { routine: 'invoice_total', args: { cust: 4 } },
      { routine: 'bump', args: { n: 6 } },
      { routine: 'add_genre', args: { genre_name: "x'; drop table genre; --" } },
      { routine: 'touch', args: {} },
    ]);
    expect(result.stats.statements).toBe(4);
  });

  it('refuses arguments of the wrong type before calling anything', async () => {
    const { run, calls } = setup();
    const result = await run('{ chinook { albumCount(artist: "abc") } }');
    expect(result.errors?.[0]?.message).toMatch(/Int cannot represent/);
    expect(calls).toEqual([]);
  });
});

describe('routines in a role view', () => {
  const reader = role([access('_table/Album', ['GET']), access('_func/customer_invoices', ['GET'])]);

  it('keeps only the routines the role may call with the verb their field needs', () => {
    const view = roleView(model(), reader);
    expect(view.services[0]?.routines.map((r) => r.name)).toEqual(['customer_invoices']);
    // GET on a procedure does not give its mutation; POST does.
    const caller = role([access('_proc/touch', ['GET']), access('_proc/bump', ['POST'])]);
    expect(roleView(model(), caller).services[0]?.routines.map((r) => r.name)).toEqual(['bump']);
    // A service with callable routines but no readable table stays, with its routines only.
    const onlyFunc = roleView(model(), role([access('_func/*', ['GET'])]));
    expect(onlyFunc.services[0]?.tables).toEqual([]);
    expect(onlyFunc.services[0]?.routines.map((r) => r.name)).toEqual([
      'album_count',
      'customer_invoices',
      'anything',
      'price_range',
      'albums',
    ]);
  });

  it('builds a schema without the routines the role may not call', async () => {
    const { schema, run } = setup((m) => roleView(m, reader));
    const namespace = schema.getType('ChinookQuery') as GraphQLObjectType;
    expect(Object.keys(namespace.getFields())).toContain('customerInvoices');
    expect(Object.keys(namespace.getFields())).not.toContain('albumCount');
    expect(schema.getMutationType()).toBeUndefined();
    const result = await run('{ chinook { albumCount(artist: 1) } }', as(reader));
    expect(result.errors?.[0]?.message).toMatch(/Cannot query field "albumCount"/);
  });

  it('checks the role again when the field is called (defence in depth)', async () => {
    const { run, calls } = setup(); // the whole schema, run as a role without access
    const result = await run('{ chinook { albumCount(artist: 1) } }', as(reader));
    expect(result.errors?.[0]?.message).toMatch(/GET access to component '_func\/album_count'/);
    expect((result.errors?.[0]?.originalError as { code?: string } | undefined)?.code).toBe('FORBIDDEN');
    expect(calls).toEqual([]);
  });
});
