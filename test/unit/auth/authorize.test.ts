import { describe, expect, it } from 'vitest';
import { authorizeRead, authorizeWrite } from '../../../src/auth/authorize.js';
import { Authenticator } from '../../../src/auth/principal.js';
import { allowedVerbs, componentOf } from '../../../src/auth/roles.js';
import type { Principal, RoleAccessConfig, RoleConfig } from '../../../src/auth/types.js';
import { ApiError } from '../../../src/errors/index.js';
import type { ReadQuery } from '../../../src/ir/types.js';
import { buildModel } from '../../../src/model/build-model.js';
import { ModelIndex } from '../../../src/model/model-index.js';
import { config, miniChinook, service } from '../model/fixtures.js';

const access = (
  component: string,
  verbs: RoleAccessConfig['verbs'],
  extra: Partial<RoleAccessConfig> = {},
): RoleAccessConfig => ({
  service: 'chinook',
  component,
  verbs,
  filters: [],
  filterOp: 'AND',
  hiddenFields: [],
  writableFields: null,
  ...extra,
});

const role = (entries: RoleAccessConfig[], name = 'r'): RoleConfig => ({
  name,
  description: null,
  active: true,
  access: entries,
});

const as = (r: RoleConfig): Principal => ({
  kind: 'app',
  app: { name: 'web', description: null, active: true, role: r.name, apiKeyHash: 'x' },
  role: r,
});

const index = new ModelIndex(
  buildModel(config([service('chinook')]), new Map([['chinook', miniChinook()]])).model,
);

function read(table: string, extra: Partial<ReadQuery> = {}): ReadQuery {
  const entry = index.entry('chinook', table);
  return {
    service: 'chinook',
    table,
    select: entry.table.fields.map((f) => ({ column: f.name, as: f.name })),
    where: null,
    orderBy: [],
    limit: null,
    offset: 0,
    relations: [],
    relationAggregates: [],
    ...extra,
  };
}

const rejects = (work: () => unknown, code: string) => {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe(code);
    return;
  }
  expect.unreachable(`expected ${code}`);
};

const resolveRejects = async (work: Promise<unknown>, code: string) => {
  await expect(work).rejects.toBeInstanceOf(ApiError);
  await expect(work).rejects.toMatchObject({ code });
};

describe('role component matching (DreamFactory §10.3)', () => {
  it('lower-cases the path and drops inline procedure arguments', () => {
    expect(componentOf(['_table', 'Album', '5'])).toBe('_table/album/5');
    expect(componentOf(['_proc', 'GetTotal(1,2)'])).toBe('_proc/gettotal');
  });

  it('lets an exact entry win over a wildcard, and adds up the verbs of one level', () => {
    const r = role([
      access('_table/*', ['GET', 'POST']),
      access('_table/Album', ['DELETE']),
      access('_table/album', ['PATCH']),
    ]);
    expect([...allowedVerbs(r, 'chinook', '_table/album')].sort()).toEqual(['DELETE', 'PATCH']);
    expect([...allowedVerbs(r, 'chinook', '_table/track')].sort()).toEqual(['GET', 'POST']);
  });

  it('matches `_table/album/*` for the table and its records, but not other tables', () => {
    const r = role([access('_table/Album/*', ['GET'])]);
    expect(allowedVerbs(r, 'chinook', '_table/album').has('GET')).toBe(true);
    expect(allowedVerbs(r, 'chinook', '_table/album/5').has('GET')).toBe(true);
    expect(allowedVerbs(r, 'chinook', '_table/albums').has('GET')).toBe(false);
  });

  it('falls back from the service wildcard to an every-service wildcard, never to another service', () => {
    const r = role([
      { ...access('*', ['GET']), service: '*' },
      access('_schema/*', ['GET']),
      { ...access('*', ['POST']), service: 'other' },
    ]);
    expect([...allowedVerbs(r, 'chinook', '_table/album')]).toEqual(['GET']);
    expect(allowedVerbs(r, 'chinook', '_table/album').has('POST')).toBe(false);
  });
});

describe('the authorize stage on reads', () => {
  it('lets an open server (no apps) read everything unchanged', () => {
    const query = read('Album');
    expect(authorizeRead(index, { kind: 'open' }, query)).toBe(query);
  });

  it('refuses a table the role has no GET on, as DreamFactory does for an API key (401)', () => {
    rejects(
      () => authorizeRead(index, as(role([access('_table/Artist', ['GET'])])), read('Album')),
      'UNAUTHORIZED',
    );
  });

  it('refuses a relation level into a table the role cannot read', () => {
    const album = index.entry('chinook', 'Album');
    const artist = album.table.relations.find((r) => r.name === 'Artist_by_ArtistId');
    const query = read('Album', {
      relations: [
        { as: 'a', relation: artist!, query: read('Artist'), limitScope: 'perParent', emptySingle: null },
      ],
    });
    rejects(() => authorizeRead(index, as(role([access('_table/Album', ['GET'])])), query), 'UNAUTHORIZED');
    expect(() => authorizeRead(index, as(role([access('_table/*', ['GET'])])), query)).not.toThrow();
  });

  it('ANDs the row filter into the query, with lookups of the principal', () => {
    const r = role([
      access('_table/Employee', ['GET'], {
        filters: [{ field: 'lastname', operator: '=', value: '{app.name}' }],
      }),
    ]);
    const out = authorizeRead(
      index,
      as(r),
      read('Employee', { where: { kind: 'compare', field: 'EmployeeId', op: 'gt', value: 1 } }),
    );
    expect(out.where).toEqual({
      kind: 'and',
      items: [
        { kind: 'compare', field: 'EmployeeId', op: 'gt', value: 1 },
        { kind: 'compare', field: 'LastName', op: 'eq', value: 'web' },
      ],
    });
  });

  it('fails closed on a filter naming an unknown lookup', () => {
    const r = role([
      access('_table/Employee', ['GET'], {
        filters: [{ field: 'LastName', operator: '=', value: '{user.email}' }],
      }),
    ]);
    expect(authorizeRead(index, as(r), read('Employee')).where).toEqual({ kind: 'const', value: false });
  });

  it('drops hidden columns from the output and refuses filters and orders on them (no oracle)', () => {
    const r = role([access('_table/Employee', ['GET'], { hiddenFields: ['reportsto'] })]);
    expect(authorizeRead(index, as(r), read('Employee')).select.map((s) => s.column)).toEqual([
      'EmployeeId',
      'LastName',
    ]);
    rejects(
      () =>
        authorizeRead(
          index,
          as(r),
          read('Employee', { where: { kind: 'isNull', field: 'ReportsTo', isNull: true } }),
        ),
      'FORBIDDEN',
    );
    rejects(
      () =>
        authorizeRead(
          index,
          as(r),
          read('Employee', { orderBy: [{ field: 'ReportsTo', direction: 'asc' }] }),
        ),
      'FORBIDDEN',
    );
  });
});

describe('the authorize stage on writes', () => {
  it('needs the verb on the table and refuses columns outside the writable list', () => {
    const artist = index.entry('chinook', 'Artist');
    const r = role([access('_table/Artist', ['GET', 'POST'], { writableFields: ['Name'] })]);
    expect(authorizeWrite(index, as(r), artist, 'POST', ['Name'])).toBeNull();
    rejects(() => authorizeWrite(index, as(r), artist, 'POST', ['ArtistId', 'Name']), 'FORBIDDEN');
    rejects(() => authorizeWrite(index, as(r), artist, 'DELETE', []), 'UNAUTHORIZED');
  });
});

describe('credentials', () => {
  const web = role([access('*', ['GET'])], 'reader');
  const hash = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'; // sha256("test")
  const auth = new Authenticator({
    apiKeyInQuery: false,
    roles: [web, { ...web, name: 'off', active: false }],
    apps: [
      { name: 'web', description: null, active: true, role: 'reader', apiKeyHash: hash },
      { name: 'old', description: null, active: true, role: 'off', apiKeyHash: 'a'.repeat(64) },
    ],
  });

  it('finds the app by the hash of its key, from the DreamFactory header', async () => {
    const principal = await auth.resolve(
      new Headers({ 'X-DreamFactory-Api-Key': 'test' }),
      new URLSearchParams(),
    );
    expect(principal).toMatchObject({ kind: 'app', app: { name: 'web' }, role: { name: 'reader' } });
  });

  it("answers missing and unknown keys with DreamFactory's 400 messages", async () => {
    await resolveRejects(auth.resolve(new Headers(), new URLSearchParams()), 'CREDENTIALS_MISSING');
    await resolveRejects(
      auth.resolve(new Headers({ 'X-DreamFactory-Api-Key': 'nope' }), new URLSearchParams()),
      'CREDENTIALS_INVALID',
    );
  });

  it('ignores ?api_key= when the switch is off', async () => {
    await resolveRejects(
      auth.resolve(new Headers(), new URLSearchParams('api_key=test')),
      'CREDENTIALS_MISSING',
    );
  });

  it('refuses an app whose role is inactive with 403', async () => {
    const old = new Authenticator({
      apiKeyInQuery: true,
      roles: [{ ...web, active: false }],
      apps: [{ name: 'o', description: null, active: true, role: 'reader', apiKeyHash: hash }],
    });
    await resolveRejects(old.resolve(new Headers(), new URLSearchParams('api_key=test')), 'FORBIDDEN');
  });
});
