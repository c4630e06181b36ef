import { describe, expect, it } from 'vitest';
import { ApiErrorList } from '../../../src/errors/index.js';
import { buildModel } from '../../../src/model/build-model.js';
import type { RelationModel, TableModel } from '../../../src/model/types.js';
import { catalog, column, config, fk, miniChinook, service, table } from './fixtures.js';

function build(
  catalogs: Record<string, ReturnType<typeof catalog>>,
  vfks: Parameters<typeof config>[1] = [],
  overrides: Record<string, Parameters<typeof service>[1]> = {},
) {
  const services = Object.keys(catalogs).map((name) => service(name, overrides[name]));
  return buildModel(config(services, vfks), new Map(Object.entries(catalogs)));
}

function tableOf(result: ReturnType<typeof build>, serviceName: string, tableName: string): TableModel {
  const found = result.model.services
    .find((s) => s.name === serviceName)
    ?.tables.find((t) => t.name === tableName);
  if (!found) throw new Error(`no ${serviceName}.${tableName}`);
  return found;
}

const restNames = (t: TableModel) =>
  t.relations
    .filter((r) => r.name !== null)
    .map((r) => `${r.name} ${r.type}`)
    .sort();
const rel = (t: TableModel, name: string): RelationModel => {
  const found = t.relations.find((r) => r.name === name);
  if (!found)
    throw new Error(`no relation ${name} on ${t.name}; have ${t.relations.map((r) => r.name).join(', ')}`);
  return found;
};

describe('relations discovered from foreign keys (§8.1–8.3)', () => {
  const result = build({ chinook: miniChinook() });

  it('gives Track its belongs-to, has-many and many-to-many relations with DreamFactory names', () => {
    expect(restNames(tableOf(result, 'chinook', 'Track'))).toEqual([
      'Album_by_AlbumId belongs_to',
      'Genre_by_GenreId belongs_to',
      'PlaylistTrack_by_TrackId has_many',
      'Playlist_by_PlaylistTrack many_many',
    ]);
  });

  it('treats any table with two foreign keys as a junction, as DreamFactory does (Q12)', () => {
    expect(restNames(tableOf(result, 'chinook', 'Album'))).toEqual([
      'Artist_by_ArtistId belongs_to',
      'Genre_by_Track many_many',
      'Track_by_AlbumId has_many',
    ]);
    expect(rel(tableOf(result, 'chinook', 'Album'), 'Genre_by_Track').junction).toEqual({
      service: 'chinook',
      table: 'Track',
      fields: ['AlbumId'],
      refFields: ['GenreId'],
    });
  });

  it('lets the self-referencing has_many replace the belongs_to of the same name (Q11)', () => {
    const employee = tableOf(result, 'chinook', 'Employee');
    expect(restNames(employee)).toEqual(['Employee_by_ReportsTo has_many']);
    expect(employee.relations.filter((r) => r.name === null).map((r) => r.type)).toEqual(['belongs_to']);
  });

  it('marks the column of a single-column foreign key as a reference and the auto-increment key as id', () => {
    const album = tableOf(result, 'chinook', 'Album');
    expect(album.fields.find((f) => f.name === 'AlbumId')).toMatchObject({
      type: 'id',
      isPrimaryKey: true,
      required: false,
    });
    expect(album.fields.find((f) => f.name === 'ArtistId')).toMatchObject({
      type: 'reference',
      isForeignKey: true,
      refTable: 'Artist',
      refField: 'ArtistId',
      isIndex: true,
      required: true,
    });
  });

  it('makes a has_one when the referencing columns are a key of the child', () => {
    const r = build({
      s: catalog([
        table('person', [column('id')], { primaryKey: ['id'] }),
        table('passport', [column('id'), column('person_id')], {
          primaryKey: ['id'],
          uniqueKeys: [{ name: 'u', columns: ['person_id'] }],
          foreignKeys: [fk(['person_id'], 'person', ['id'])],
        }),
      ]),
    });
    expect(restNames(tableOf(r, 's', 'person'))).toEqual(['passport_by_person_id has_one']);
  });

  it('models composite foreign keys with joined names', () => {
    const r = build({
      s: catalog([
        table('orders', [column('region'), column('no')], { primaryKey: ['region', 'no'] }),
        table('line', [column('id'), column('region'), column('no')], {
          primaryKey: ['id'],
          foreignKeys: [fk(['region', 'no'], 'orders', ['region', 'no'])],
        }),
      ]),
    });
    expect(rel(tableOf(r, 's', 'line'), 'orders_by_region_no')).toMatchObject({
      fields: ['region', 'no'],
      refFields: ['region', 'no'],
    });
    expect(rel(tableOf(r, 's', 'orders'), 'line_by_region_no').type).toBe('has_many');
  });

  it('warns about, and skips, a foreign key to a table outside the service', () => {
    const r = build({
      s: catalog([
        table('a', [column('id'), column('b_id')], {
          primaryKey: ['id'],
          foreignKeys: [fk(['b_id'], 'other.b', ['id'])],
        }),
      ]),
    });
    expect(tableOf(r, 's', 'a').relations).toEqual([]);
    expect(r.warnings.join()).toMatch(/other\.b, which is not part of this service/);
  });
});

describe('GraphQL names', () => {
  const result = build({ chinook: miniChinook() });
  const gql = (t: TableModel) =>
    Object.fromEntries(
      t.relations.filter((r) => r.graphqlName).map((r) => [r.graphqlName, `${r.type} ${r.refTable}`]),
    );

  it('names types in singular PascalCase and list fields in plural camelCase', () => {
    expect(tableOf(result, 'chinook', 'PlaylistTrack').graphql).toEqual({
      type: 'PlaylistTrack',
      list: 'playlistTracks',
      byKey: 'playlistTrack',
    });
    expect(tableOf(result, 'chinook', 'Album').fields.map((f) => f.graphqlName)).toEqual([
      'albumId',
      'title',
      'artistId',
    ]);
  });

  it('names a belongs-to after its column and a has-many after the child table', () => {
    expect(gql(tableOf(result, 'chinook', 'Album'))).toEqual({
      artist: 'belongs_to Artist',
      tracks: 'has_many Track',
    });
  });

  it('offers many-to-many only through real junction tables', () => {
    expect(gql(tableOf(result, 'chinook', 'Playlist'))).toEqual({
      playlistTracks: 'has_many PlaylistTrack',
      tracks: 'many_many Track',
    });
    expect(gql(tableOf(result, 'chinook', 'Track'))).toEqual({
      album: 'belongs_to Album',
      genre: 'belongs_to Genre',
      playlistTracks: 'has_many PlaylistTrack',
      playlists: 'many_many Playlist',
    });
  });

  it('keeps both ends of a self-reference, disambiguated from the column name', () => {
    expect(gql(tableOf(result, 'chinook', 'Employee'))).toEqual({
      reportsToEmployee: 'belongs_to Employee',
      employeesByReportsTo: 'has_many Employee',
    });
  });

  it('disambiguates two has-many relations from the same child table by their key', () => {
    const r = build({
      s: catalog([
        table('users', [column('id')], { primaryKey: ['id'] }),
        table('messages', [column('id'), column('sender_id'), column('recipient_id')], {
          primaryKey: ['id'],
          foreignKeys: [fk(['sender_id'], 'users', ['id']), fk(['recipient_id'], 'users', ['id'])],
        }),
      ]),
    });
    expect(Object.keys(gql(tableOf(r, 's', 'users'))).sort()).toEqual([
      'messagesByRecipientId',
      'messagesBySenderId',
    ]);
    expect(Object.keys(gql(tableOf(r, 's', 'messages'))).sort()).toEqual(['recipient', 'sender']);
  });

  it('prefixes a type that another service already named with its service name', () => {
    const r = build({
      a: catalog([table('item', [column('id')], { primaryKey: ['id'] })]),
      b: catalog([table('items', [column('id')], { primaryKey: ['id'] })]),
    });
    expect(tableOf(r, 'a', 'item').graphql.type).toBe('Item');
    expect(tableOf(r, 'b', 'items').graphql.type).toBe('BItem');
  });

  it('applies names from the config and reports overrides of things that do not exist', () => {
    const r = build({ chinook: miniChinook() }, [], {
      chinook: {
        tables: {
          Album: {
            graphqlType: 'Record',
            graphqlList: 'records',
            fields: { Title: 'name' },
            relations: { Artist_by_ArtistId: 'performer' },
          },
        },
      },
    });
    const album = tableOf(r, 'chinook', 'Album');
    expect(album.graphql.type).toBe('Record');
    expect(album.graphql.list).toBe('records');
    expect(album.fields.find((f) => f.name === 'Title')?.graphqlName).toBe('name');
    expect(rel(album, 'Artist_by_ArtistId').graphqlName).toBe('performer');
    expect(() =>
      build({ chinook: miniChinook() }, [], {
        chinook: { tables: { Albumm: {}, Album: { fields: { Titel: 'x' } } } },
      }),
    ).toThrow(
      /services\[0\]\.tables\.Albumm: no table 'Albumm'[\s\S]*services\[0\]\.tables\.Album\.fields\.Titel: no column 'Titel'/,
    );
  });
});

describe('virtual foreign keys', () => {
  const reviews = catalog([
    table(
      'review',
      [column('review_id', 'integer', { autoIncrement: true }), column('track_id'), column('rating')],
      { primaryKey: ['review_id'] },
    ),
  ]);
  const vfk = {
    from: { service: 'reviews', table: 'review', fields: ['track_id'] },
    to: { service: 'chinook', table: 'Track', fields: ['TrackId'] },
  };

  it('adds a belongs_to and a has_many, tagged virtual and cross-service, on both tables', () => {
    const r = build({ chinook: miniChinook(), reviews }, [vfk]);
    expect(rel(tableOf(r, 'reviews', 'review'), 'chinook.Track_by_track_id')).toMatchObject({
      type: 'belongs_to',
      kind: 'virtual',
      crossService: true,
      refService: 'chinook',
      graphqlName: 'track',
    });
    expect(rel(tableOf(r, 'chinook', 'Track'), 'reviews.review_by_track_id')).toMatchObject({
      type: 'has_many',
      kind: 'virtual',
      crossService: true,
      refService: 'reviews',
      fields: ['TrackId'],
      refFields: ['track_id'],
      graphqlName: 'reviews',
    });
  });

  it('leaves the column unmarked, as DreamFactory does for virtual relations (§9.1)', () => {
    const r = build({ chinook: miniChinook(), reviews }, [vfk]);
    expect(tableOf(r, 'reviews', 'review').fields.find((f) => f.name === 'track_id')).toMatchObject({
      isForeignKey: false,
      type: 'integer',
    });
  });

  it('works within one service without a service prefix', () => {
    const v = {
      from: { service: 'chinook', table: 'Album', fields: ['ArtistId'] },
      to: { service: 'chinook', table: 'Genre', fields: ['GenreId'] },
    };
    const r = build({ chinook: miniChinook() }, [v]);
    expect(rel(tableOf(r, 'chinook', 'Album'), 'Genre_by_ArtistId')).toMatchObject({
      kind: 'virtual',
      crossService: false,
    });
  });

  it('rejects missing services, tables and fields, naming the config path', () => {
    const bad = [
      { ...vfk, to: { service: 'chinook', table: 'track', fields: ['TrackId'] } },
      { ...vfk, from: { service: 'reviews', table: 'review', fields: ['trackid'] } },
      { ...vfk, to: { service: 'nope', table: 'Track', fields: ['TrackId'] } },
    ];
    try {
      build({ chinook: miniChinook(), reviews }, bad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ApiErrorList);
      expect((error as ApiErrorList).message.split('\n')).toEqual([
        "virtualForeignKeys[0].to: table 'track' not found in service 'chinook' (did you mean 'Track'?)",
        "virtualForeignKeys[1].from: field 'trackid' not found in reviews.review (did you mean 'track_id'?)",
        "virtualForeignKeys[2].to: unknown service 'nope'",
      ]);
    }
  });

  it('rejects a type mismatch between the two ends', () => {
    const text = catalog([table('note', [column('id'), column('track', 'text')], { primaryKey: ['id'] })]);
    const v = {
      from: { service: 'notes', table: 'note', fields: ['track'] },
      to: { service: 'chinook', table: 'Track', fields: ['TrackId'] },
    };
    expect(() => build({ chinook: miniChinook(), notes: text }, [v])).toThrow(
      'virtualForeignKeys[0]: type mismatch: notes.note.track is text (text) but chinook.Track.TrackId is id (integer)',
    );
  });
});
