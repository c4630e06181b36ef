// Small RawCatalog builders so model tests state only what matters to them.
import type { JunctionConfig, ServiceConfig } from '../../../src/config/types.js';
import type { RawCatalog, RawColumn, RawForeignKey, RawTable } from '../../../src/introspect/catalog.js';

export function column(name: string, dbType = 'integer', extra: Partial<RawColumn> = {}): RawColumn {
  return {
    name,
    dbType,
    nullable: false,
    default: null,
    length: null,
    precision: null,
    scale: null,
    autoIncrement: false,
    generated: false,
    comment: null,
    ...extra,
  };
}

export function fk(
  columns: string[],
  refTable: string,
  refColumns: string[],
  name = `fk_${columns.join('_')}_${refTable}`,
): RawForeignKey {
  return { name, columns, refTable, refColumns, onUpdate: 'NO ACTION', onDelete: 'NO ACTION' };
}

export function table(name: string, columns: RawColumn[], extra: Partial<RawTable> = {}): RawTable {
  return {
    name,
    kind: 'table',
    comment: null,
    columns,
    primaryKey: [],
    uniqueKeys: [],
    indexes: [],
    foreignKeys: [],
    ...extra,
  };
}

export function catalog(tables: RawTable[], dialect: RawCatalog['dialect'] = 'sqlite'): RawCatalog {
  return { dialect, database: 'test', schema: null, serverVersion: 'test', tables };
}

export function service(name: string, extra: Partial<ServiceConfig> = {}): ServiceConfig {
  return {
    name,
    type: 'sqlite',
    label: null,
    description: null,
    connection: { kind: 'file', filename: `/tmp/${name}.sqlite` },
    schema: null,
    database: null,
    sampleSize: 1000,
    maxRecords: 1000,
    tables: {},
    ...extra,
  };
}

export function config(
  services: ServiceConfig[],
  virtualForeignKeys: JunctionConfig['virtualForeignKeys'] = [],
) {
  return { services, virtualForeignKeys };
}

/** A cut-down Chinook with the relation shapes that matter: a self-FK, a pure junction, a 3-FK table. */
export function miniChinook(): RawCatalog {
  const id = (n: string) => column(n, 'integer', { autoIncrement: true });
  return catalog([
    table('Artist', [id('ArtistId'), column('Name', 'nvarchar(120)', { nullable: true, length: 120 })], {
      primaryKey: ['ArtistId'],
    }),
    table('Album', [id('AlbumId'), column('Title', 'nvarchar(160)', { length: 160 }), column('ArtistId')], {
      primaryKey: ['AlbumId'],
      indexes: [{ name: 'ix_album_artist', columns: ['ArtistId'] }],
      foreignKeys: [fk(['ArtistId'], 'Artist', ['ArtistId'])],
    }),
    table('Genre', [id('GenreId'), column('Name', 'nvarchar(120)', { nullable: true })], {
      primaryKey: ['GenreId'],
    }),
    table(
      'Track',
      [
        id('TrackId'),
        column('Name', 'nvarchar(200)'),
        column('AlbumId', 'integer', { nullable: true }),
        column('GenreId', 'integer', { nullable: true }),
        column('UnitPrice', 'numeric(10,2)'),
      ],
      {
        primaryKey: ['TrackId'],
        foreignKeys: [fk(['AlbumId'], 'Album', ['AlbumId']), fk(['GenreId'], 'Genre', ['GenreId'])],
      },
    ),
    table('Playlist', [id('PlaylistId'), column('Name', 'nvarchar(120)', { nullable: true })], {
      primaryKey: ['PlaylistId'],
    }),
    table('PlaylistTrack', [column('PlaylistId'), column('TrackId')], {
      primaryKey: ['PlaylistId', 'TrackId'],
      foreignKeys: [fk(['PlaylistId'], 'Playlist', ['PlaylistId']), fk(['TrackId'], 'Track', ['TrackId'])],
    }),
    table(
      'Employee',
      [
        id('EmployeeId'),
        column('LastName', 'nvarchar(20)'),
        column('ReportsTo', 'integer', { nullable: true }),
      ],
      {
        primaryKey: ['EmployeeId'],
        foreignKeys: [fk(['ReportsTo'], 'Employee', ['EmployeeId'])],
      },
    ),
  ]);
}
