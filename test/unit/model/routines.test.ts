// RawRoutine → RoutineModel: simple types, scalar or row results, GraphQL names and their collision rule.
import { describe, expect, it } from 'vitest';
import type { RawParam, RawRoutine } from '../../../src/introspect/catalog.js';
import { buildModel } from '../../../src/model/build-model.js';
import { paramKey, returnsRows } from '../../../src/model/routines.js';
import type { RoutineModel } from '../../../src/model/types.js';
import { config, miniChinook, service } from './fixtures.js';

function param(name: string, position: number, mode: RawParam['mode'] = 'IN', dbType = 'integer'): RawParam {
  return { name, position, mode, dbType, length: null, precision: null, scale: null, default: null };
}

function routine(name: string, extra: Partial<RawRoutine> = {}): RawRoutine {
  return {
    name,
    kind: 'function',
    comment: null,
    params: [],
    returnType: 'integer',
    returnsSet: false,
    returnColumns: [],
    readOnly: true,
    ...extra,
  };
}

function routinesOf(raw: RawRoutine[]): RoutineModel[] {
  const catalog = { ...miniChinook(), dialect: 'postgres' as const, routines: raw };
  const { model } = buildModel(config([service('chinook')]), new Map([['chinook', catalog]]));
  return model.services[0]!.routines;
}

describe('routines in the model', () => {
  it('gives a scalar function the simple type of its result, and labels it as DreamFactory does', () => {
    const [count] = routinesOf([routine('album_count', { params: [param('artist', 1)] })]);
    expect(count).toMatchObject({
      name: 'album_count',
      label: 'Album Count',
      returnType: 'integer',
      returnDbType: 'integer',
      graphqlName: 'albumCount',
      params: [{ name: 'artist', type: 'integer', graphqlName: 'artist' }],
    });
    expect(returnsRows(count!)).toBe(false);
  });

  it('gives set-returning, row-returning and void functions and procedures no scalar type', () => {
    const built = routinesOf([
      routine('a_set', { returnType: 'setof integer', returnsSet: true }),
      routine('b_row', { returnType: 'record', returnColumns: [{ name: 'x', dbType: 'integer' }] }),
      routine('c_void', { returnType: 'void' }),
      routine('d_proc', { kind: 'procedure', returnType: null, readOnly: true }),
    ]);
    expect(built.map((r) => r.returnType)).toEqual([null, null, null, null]);
    expect(built.map(returnsRows)).toEqual([true, true, false, false]);
    expect(built[1]?.returnColumns).toEqual([
      { name: 'x', dbType: 'integer', type: 'integer', graphqlName: 'x' },
    ]);
    // Procedures are always treated as writing.
    expect(built[3]?.readOnly).toBe(false);
  });

  it('sorts routines case-insensitively, a procedure before a function of the same name', () => {
    const built = routinesOf([
      routine('zeta'),
      routine('Alpha'),
      routine('beta'),
      routine('beta', { kind: 'procedure', returnType: null }),
    ]);
    expect(built.map((r) => `${r.kind} ${r.name}`)).toEqual([
      'function Alpha',
      'procedure beta',
      'function beta',
      'function zeta',
    ]);
    expect(built.map((r) => r.graphqlName)).toEqual(['alpha', 'beta', 'betaFunction', 'zeta']);
  });

  it('suffixes a routine whose name a table field already uses with its kind', () => {
    const built = routinesOf([
      routine('albums'),
      routine('tracks_aggregate'),
      routine('album'),
      routine('insert_album', { kind: 'procedure', returnType: null }),
      routine('playlist_tracks_group_by'),
    ]);
    expect(Object.fromEntries(built.map((r) => [r.name, r.graphqlName]))).toEqual({
      album: 'albumFunction',
      albums: 'albumsFunction',
      insert_album: 'insertAlbumProcedure',
      playlist_tracks_group_by: 'playlistTracksGroupByFunction',
      tracks_aggregate: 'tracksAggregateFunction',
    });
  });

  it('numbers overloads after the kind suffix', () => {
    const built = routinesOf([routine('plus'), routine('plus'), routine('plus')]);
    expect(built.map((r) => r.graphqlName)).toEqual(['plus', 'plusFunction', 'plusFunction2']);
  });

  it('names unnamed parameters argN and keeps parameter names unique', () => {
    const [r] = routinesOf([
      routine('f', { params: [param('', 1), param('first_value', 2), param('firstValue', 3)] }),
    ]);
    expect(r?.params.map((p) => p.graphqlName)).toEqual(['arg1', 'firstValue', 'firstValue2']);
    expect(r?.params.map(paramKey)).toEqual(['$1', 'first_value', 'firstValue']);
  });

  it('has no routines where the catalog has none', () => {
    const { model } = buildModel(config([service('chinook')]), new Map([['chinook', miniChinook()]]));
    expect(model.services[0]?.routines).toEqual([]);
  });
});
