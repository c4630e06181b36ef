// REST vs GraphQL on PostgreSQL Chinook: the five queries of the benchmark workload (shared/bench-workload.md)
// run through both front-ends of one server must give the same data, and the same number of SQL statements
// (1 + one per relation level; REST runs no count when a limit is given). REST keys are column and relation
// names (`album_by_album_id.artist_id`), GraphQL's camelCase (`album.artistId`); REST decimals are numbers
// and dates `YYYY-MM-DD hh:mm:ss`, GraphQL's Decimal strings and ISO dates: both are normalised first.
// Depth 2 and per-parent limits use Junction's extensions of `related=` (src/rest/records/read-params.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useChinook } from './support/chinook.js';
import { startTestServer, testConfig, type TestServer } from './support/graphql.js';
import { restClient, type RestClient } from './support/rest.js';

type Data = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** REST relation names → the GraphQL fields for the same relations. */
const RELATION_FIELDS: Record<string, string> = {
  album_by_album_id: 'album',
  artist_by_artist_id: 'artist',
  album_by_artist_id: 'albums',
  track_by_album_id: 'tracks',
  invoice_by_customer_id: 'invoices',
  invoice_line_by_invoice_id: 'invoiceLines',
  track_by_playlist_track: 'tracks',
};

const camel = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * Same names and value types on both sides: keys camelCased (relations renamed), numeric strings (GraphQL
 * Decimal) as numbers, `2021-01-01 00:00:00` and `2021-01-01T00:00:00` alike.
 */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [RELATION_FIELDS[key] ?? camel(key), normalise(item)]),
    );
  }
  if (typeof value === 'string') {
    if (/^-?\d+\.\d+$/.test(value)) return Number(value);
    const date = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.0+)?Z?$/.exec(value);
    if (date) return `${date[1]}T${date[2]}`;
  }
  return value;
}

interface Case {
  id: string;
  what: string;
  graphql: string;
  /** Where the list (or record) sits in the GraphQL data. */
  pick: (data: Data) => unknown;
  rest: string;
  /** Where it sits in the REST body. */
  restPick: (body: Data) => unknown;
  statements: number;
  check: (value: Data) => void;
}

const sum = (rows: Data[], key: string) => rows.reduce((n, row) => n + (row[key] as unknown[]).length, 0);

const CASES: Case[] = [
  {
    id: 'a',
    what: '50 tracks, each with its album and the album’s artist',
    // DF adds a relation's local key to a restricted field list (§8.4): GraphQL selects albumId and artistId too.
    graphql: `{ chinook { tracks(limit: 50, orderBy: { trackId: ASC }) { trackId name unitPrice albumId
      album { albumId title artistId artist { artistId name } } } } }`,
    pick: (data) => data.chinook.tracks,
    rest:
      '/api/v2/chinook/_table/track?limit=50&order=track_id&fields=track_id,name,unit_price' +
      '&related=album_by_album_id&album_by_album_id.fields=album_id,title' +
      '&album_by_album_id.related=artist_by_artist_id&album_by_album_id.artist_by_artist_id.fields=artist_id,name',
    restPick: (body) => body.resource,
    statements: 3,
    check: (tracks) => {
      expect(tracks).toHaveLength(50);
      expect(tracks[0]).toMatchObject({ album: { artist: { name: 'AC/DC' } } });
    },
  },
  {
    id: 'b',
    what: '20 artists, each with its albums, each with its tracks',
    graphql: `{ chinook { artists(limit: 20, orderBy: { artistId: ASC }) { artistId name
      albums(orderBy: { albumId: ASC }) { albumId title tracks(orderBy: { trackId: ASC }) { trackId name milliseconds } } } } }`,
    pick: (data) => data.chinook.artists,
    rest:
      '/api/v2/chinook/_table/artist?limit=20&order=artist_id&fields=artist_id,name' +
      '&related=album_by_artist_id&album_by_artist_id.order=album_id&album_by_artist_id.fields=album_id,title' +
      '&album_by_artist_id.related=track_by_album_id&album_by_artist_id.track_by_album_id.order=track_id' +
      '&album_by_artist_id.track_by_album_id.fields=track_id,name,milliseconds',
    restPick: (body) => body.resource,
    statements: 3,
    check: (artists) => {
      const albums = (artists as Data[]).flatMap((a) => a.albums as Data[]);
      expect(artists).toHaveLength(20);
      expect(albums).toHaveLength(30);
      expect(sum(albums, 'tracks')).toBe(367);
    },
  },
  {
    id: 'c',
    what: 'customer 1 by primary key, with invoices and their lines',
    graphql: `{ chinook { customer(customerId: 1) { customerId firstName lastName email
      invoices(orderBy: { invoiceId: ASC }) { invoiceId invoiceDate total
        invoiceLines(orderBy: { invoiceLineId: ASC }) { invoiceLineId unitPrice quantity } } } } }`,
    pick: (data) => data.chinook.customer,
    rest:
      '/api/v2/chinook/_table/customer/1?fields=customer_id,first_name,last_name,email' +
      '&related=invoice_by_customer_id&invoice_by_customer_id.order=invoice_id' +
      '&invoice_by_customer_id.fields=invoice_id,invoice_date,total' +
      '&invoice_by_customer_id.related=invoice_line_by_invoice_id' +
      '&invoice_by_customer_id.invoice_line_by_invoice_id.order=invoice_line_id' +
      '&invoice_by_customer_id.invoice_line_by_invoice_id.fields=invoice_line_id,unit_price,quantity',
    restPick: (body) => body,
    statements: 3,
    check: (customer) => {
      expect(customer.invoices).toHaveLength(7);
      expect(sum(customer.invoices as Data[], 'invoiceLines')).toBe(38);
    },
  },
  {
    id: 'd',
    what: 'tracks with unit_price >= 0.99 and name like A%, by name and track_id, limit 25 offset 25',
    graphql: `{ chinook { tracks(where: { unitPrice: { gte: "0.99" }, name: { like: "A%" } },
      orderBy: [{ name: ASC }, { trackId: ASC }], limit: 25, offset: 25) { trackId name unitPrice composer } } }`,
    pick: (data) => data.chinook.tracks,
    rest:
      '/api/v2/chinook/_table/track?fields=track_id,name,unit_price,composer&order=name,track_id&limit=25&offset=25' +
      `&filter=${encodeURIComponent("(unit_price >= 0.99) AND (name like 'A%')")}`,
    restPick: (body) => body.resource,
    statements: 1,
    check: (tracks) => {
      expect(tracks).toHaveLength(25);
      for (const track of tracks as Data[]) expect(track.name).toMatch(/^A/);
    },
  },
  {
    id: 'e',
    what: 'the first 5 playlists, each with its first 10 tracks through playlist_track',
    graphql: `{ chinook { playlists(limit: 5, orderBy: { playlistId: ASC }) { playlistId name
      tracks(limit: 10, orderBy: { trackId: ASC }) { trackId name } } } }`,
    pick: (data) => data.chinook.playlists,
    rest:
      '/api/v2/chinook/_table/playlist?limit=5&order=playlist_id&fields=playlist_id,name' +
      '&related=track_by_playlist_track&track_by_playlist_track.fields=track_id,name' +
      '&track_by_playlist_track.order=track_id&track_by_playlist_track.limit=10&track_by_playlist_track.per_parent=true',
    restPick: (body) => body.resource,
    statements: 2,
    check: (playlists) => {
      expect(playlists).toHaveLength(5);
      expect(sum(playlists as Data[], 'tracks')).toBe(30);
      expect((playlists as Data[]).filter((p) => p.tracks.length === 0)).toHaveLength(2);
    },
  },
];

describe('REST and GraphQL agree on the benchmark queries (PostgreSQL Chinook)', () => {
  const chinook = useChinook('postgres');
  let server: TestServer;
  let rest: RestClient;

  beforeAll(async () => {
    server = await startTestServer(testConfig([chinook.service]));
    rest = restClient(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  it.each(CASES)('gives the same data for ($id) $what, in 1 + depth statements each', async (c) => {
    const graphql = await server.query(c.graphql);
    expect(graphql.errors, JSON.stringify(graphql.errors)).toBeUndefined();
    const response = await rest.get(c.rest);
    expect(response.status, response.text.slice(0, 500)).toBe(200);
    const fromGraphql = normalise(c.pick(graphql.data as Data)) as Data;
    const fromRest = normalise(c.restPick(response.body as Data)) as Data;
    c.check(fromGraphql);
    expect(fromRest).toEqual(fromGraphql);
    expect(graphql.statements).toBe(c.statements);
    expect(response.statements).toBe(c.statements);
  });

  it('types values as DreamFactory does before normalising: decimals as numbers, dates as stored text', async () => {
    const response = await rest.get(
      '/api/v2/chinook/_table/invoice/1?fields=invoice_date,total&related=invoice_line_by_invoice_id' +
        '&invoice_line_by_invoice_id.fields=unit_price&invoice_line_by_invoice_id.limit=1',
    );
    expect(response.body).toEqual({
      invoice_id: 1,
      invoice_date: '2021-01-01 00:00:00',
      total: 1.98,
      invoice_line_by_invoice_id: [{ unit_price: 0.99 }],
    });
    const graphql = await server.query(
      '{ chinook { invoice(invoiceId: 1) { invoiceDate total invoiceLines(limit: 1) { unitPrice } } } }',
    );
    expect(graphql.data?.chinook.invoice).toEqual({
      invoiceDate: '2021-01-01T00:00:00',
      total: '1.98',
      invoiceLines: [{ unitPrice: '0.99' }],
    });
  });
});
