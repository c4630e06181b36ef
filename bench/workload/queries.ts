// The five queries of shared/bench-workload.md → what each target is sent: Junction's GraphQL, Junction's
// DreamFactory REST GET, PostGraphile's GraphQL (v4 and v5 share the text) and the hand-written baseline's one
// SQL statement.

export type QueryId = 'a' | 'b' | 'c' | 'd' | 'e';

export interface GraphqlBody {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

/** A DreamFactory GET under /api/v2/chinook/_table/ (parameter forms: src/rest/records/read-params.ts). */
export interface RestGet {
  /** `track`, or `customer/1` for a record by primary key. */
  resource: string;
  params: [name: string, value: string][];
  /**
   * Local key columns DF adds to a restricted `fields` list because a `related` relation is matched on them,
   * where the spec does not ask for them: paths of REST keys from a row (`album_by_album_id.artist_id`),
   * dropped before comparing.
   */
  added: string[];
}

export interface WorkloadQuery {
  id: QueryId;
  what: string;
  /** Sent to Junction; the rows are at data.chinook[junctionField]. */
  junction: GraphqlBody;
  junctionField: string;
  /** Sent to Junction as REST; the rows are the answer's `resource` (or the record, for a get by key). */
  rest: RestGet;
  /** Sent to PostGraphile v4 and v5 and to the baseline; the rows are at data[postgraphileField]. */
  postgraphile: GraphqlBody;
  postgraphileField: string;
  /** The baseline's statement and its parameters, read from the PostGraphile variables. */
  sql: string;
  params: (variables: Record<string, unknown>) => unknown[];
  /** Objects per nesting level in the spec's "rows returned" column (checked on the reference answer). */
  levels: number[];
}

const one = (s: string) => s.replace(/\s+/g, ' ').trim();

export const QUERIES: WorkloadQuery[] = [
  {
    id: 'a',
    what: '50 tracks + album + artist',
    junction: {
      query: one(`query A { chinook { tracks(limit: 50, orderBy: [{trackId: ASC}]) { trackId name unitPrice
        album { albumId title artist { artistId name } } } } }`),
    },
    junctionField: 'tracks',
    rest: {
      resource: 'track',
      params: [
        ['limit', '50'],
        ['order', 'track_id'],
        ['fields', 'track_id,name,unit_price,album_id'],
        ['related', 'album_by_album_id'],
        ['album_by_album_id.fields', 'album_id,title,artist_id'],
        ['album_by_album_id.related', 'artist_by_artist_id'],
        ['album_by_album_id.artist_by_artist_id.fields', 'artist_id,name'],
      ],
      added: ['album_id', 'album_by_album_id.artist_id'],
    },
    postgraphile: {
      query: one(`query A { allTracks(first: 50, orderBy: TRACK_ID_ASC) { nodes { trackId name unitPrice
        albumByAlbumId { albumId title artistByArtistId { artistId name } } } } }`),
    },
    postgraphileField: 'allTracks',
    sql: one(`SELECT coalesce(json_agg(t ORDER BY t.track_id), '[]')::text FROM (
      SELECT tr.track_id, tr.name, tr.unit_price,
             json_build_object('album_id', al.album_id, 'title', al.title,
               'artist', json_build_object('artist_id', ar.artist_id, 'name', ar.name)) AS album
      FROM track tr JOIN album al ON al.album_id = tr.album_id JOIN artist ar ON ar.artist_id = al.artist_id
      ORDER BY tr.track_id LIMIT $1) t`),
    params: () => [50],
    levels: [50, 50, 50],
  },
  {
    id: 'b',
    what: '20 artists → albums → tracks',
    junction: {
      query: one(`query B { chinook { artists(limit: 20, orderBy: [{artistId: ASC}]) { artistId name
        albums(orderBy: [{albumId: ASC}]) { albumId title
          tracks(orderBy: [{trackId: ASC}]) { trackId name milliseconds } } } } }`),
    },
    junctionField: 'artists',
    rest: {
      resource: 'artist',
      params: [
        ['limit', '20'],
        ['order', 'artist_id'],
        ['fields', 'artist_id,name'],
        ['related', 'album_by_artist_id'],
        ['album_by_artist_id.fields', 'album_id,title'],
        ['album_by_artist_id.order', 'album_id'],
        ['album_by_artist_id.related', 'track_by_album_id'],
        ['album_by_artist_id.track_by_album_id.fields', 'track_id,name,milliseconds'],
        ['album_by_artist_id.track_by_album_id.order', 'track_id'],
      ],
      added: [],
    },
    postgraphile: {
      query: one(`query B { allArtists(first: 20, orderBy: ARTIST_ID_ASC) { nodes { artistId name
        albumsByArtistId(orderBy: ALBUM_ID_ASC) { nodes { albumId title
          tracksByAlbumId(orderBy: TRACK_ID_ASC) { nodes { trackId name milliseconds } } } } } } }`),
    },
    postgraphileField: 'allArtists',
    sql: one(`SELECT coalesce(json_agg(x ORDER BY x.artist_id), '[]')::text FROM (
      SELECT ar.artist_id, ar.name,
        (SELECT coalesce(json_agg(y ORDER BY y.album_id), '[]') FROM (
           SELECT al.album_id, al.title,
             (SELECT coalesce(json_agg(z ORDER BY z.track_id), '[]') FROM (
                SELECT tr.track_id, tr.name, tr.milliseconds FROM track tr WHERE tr.album_id = al.album_id) z) AS tracks
           FROM album al WHERE al.artist_id = ar.artist_id) y) AS albums
      FROM artist ar ORDER BY ar.artist_id LIMIT $1) x`),
    params: () => [20],
    levels: [20, 30, 367],
  },
  {
    id: 'c',
    what: 'customer by pk → invoices → lines',
    junction: {
      query:
        one(`query C($id: Int!) { chinook { customer(customerId: $id) { customerId firstName lastName email
        invoices(orderBy: [{invoiceId: ASC}]) { invoiceId invoiceDate total
          invoiceLines(orderBy: [{invoiceLineId: ASC}]) { invoiceLineId unitPrice quantity } } } } }`),
      variables: { id: 1 },
    },
    junctionField: 'customer',
    rest: {
      resource: 'customer/1',
      params: [
        ['fields', 'customer_id,first_name,last_name,email'],
        ['related', 'invoice_by_customer_id'],
        ['invoice_by_customer_id.fields', 'invoice_id,invoice_date,total'],
        ['invoice_by_customer_id.order', 'invoice_id'],
        ['invoice_by_customer_id.related', 'invoice_line_by_invoice_id'],
        ['invoice_by_customer_id.invoice_line_by_invoice_id.fields', 'invoice_line_id,unit_price,quantity'],
        ['invoice_by_customer_id.invoice_line_by_invoice_id.order', 'invoice_line_id'],
      ],
      added: [],
    },
    postgraphile: {
      query:
        one(`query C($id: Int!) { customerByCustomerId(customerId: $id) { customerId firstName lastName email
        invoicesByCustomerId(orderBy: INVOICE_ID_ASC) { nodes { invoiceId invoiceDate total
          invoiceLinesByInvoiceId(orderBy: INVOICE_LINE_ID_ASC) { nodes { invoiceLineId unitPrice quantity } } } } } }`),
      variables: { id: 1 },
    },
    postgraphileField: 'customerByCustomerId',
    sql: one(`SELECT (SELECT row_to_json(x) FROM (
      SELECT c.customer_id, c.first_name, c.last_name, c.email,
        (SELECT coalesce(json_agg(i ORDER BY i.invoice_id), '[]') FROM (
           SELECT inv.invoice_id, inv.invoice_date, inv.total,
             (SELECT coalesce(json_agg(l ORDER BY l.invoice_line_id), '[]') FROM (
                SELECT il.invoice_line_id, il.unit_price, il.quantity
                FROM invoice_line il WHERE il.invoice_id = inv.invoice_id) l) AS invoice_lines
           FROM invoice inv WHERE inv.customer_id = c.customer_id) i) AS invoices
      FROM customer c WHERE c.customer_id = $1) x)::text`),
    params: (v) => [v.id],
    levels: [1, 7, 38],
  },
  {
    id: 'd',
    what: 'filter + order + page (25 tracks)',
    junction: {
      query: one(`query D($minPrice: Decimal!, $prefix: String!, $limit: Int!, $offset: Int!) { chinook {
        tracks(where: { unitPrice: { gte: $minPrice }, name: { like: $prefix } },
               orderBy: [{name: ASC}, {trackId: ASC}], limit: $limit, offset: $offset) {
          trackId name unitPrice composer } } }`),
      variables: { minPrice: '0.99', prefix: 'A%', limit: 25, offset: 25 },
    },
    junctionField: 'tracks',
    rest: {
      resource: 'track',
      params: [
        ['filter', "(unit_price >= 0.99) AND (name like 'A%')"],
        ['order', 'name,track_id'],
        ['limit', '25'],
        ['offset', '25'],
        ['fields', 'track_id,name,unit_price,composer'],
      ],
      added: [],
    },
    postgraphile: {
      query: one(`query D($minPrice: BigFloat!, $prefix: String!, $first: Int!, $offset: Int!) {
        allTracks(filter: { unitPrice: { greaterThanOrEqualTo: $minPrice }, name: { startsWith: $prefix } },
                  orderBy: [NAME_ASC, TRACK_ID_ASC], first: $first, offset: $offset) {
          nodes { trackId name unitPrice composer } } }`),
      variables: { minPrice: '0.99', prefix: 'A', first: 25, offset: 25 },
    },
    postgraphileField: 'allTracks',
    sql: one(`SELECT coalesce(json_agg(t ORDER BY t.name, t.track_id), '[]')::text FROM (
      SELECT track_id, name, unit_price, composer FROM track
      WHERE unit_price >= $1 AND name LIKE $2 ORDER BY name, track_id LIMIT $3 OFFSET $4) t`),
    params: (v) => [v.minPrice, `${String(v.prefix)}%`, v.first, v.offset],
    levels: [25],
  },
  {
    id: 'e',
    what: '5 playlists → first 10 tracks (m:n)',
    junction: {
      query: one(`query E { chinook { playlists(limit: 5, orderBy: [{playlistId: ASC}]) { playlistId name
        tracks(limit: 10, orderBy: [{trackId: ASC}]) { trackId name } } } }`),
    },
    junctionField: 'playlists',
    rest: {
      resource: 'playlist',
      params: [
        ['limit', '5'],
        ['order', 'playlist_id'],
        ['fields', 'playlist_id,name'],
        ['related', 'track_by_playlist_track'],
        ['track_by_playlist_track.fields', 'track_id,name'],
        ['track_by_playlist_track.order', 'track_id'],
        ['track_by_playlist_track.limit', '10'],
        ['track_by_playlist_track.per_parent', 'true'],
      ],
      added: [],
    },
    postgraphile: {
      query: one(`query E { allPlaylists(first: 5, orderBy: PLAYLIST_ID_ASC) { nodes { playlistId name
        playlistTracksByPlaylistId(first: 10, orderBy: TRACK_ID_ASC) { nodes { trackByTrackId { trackId name } } } } } }`),
    },
    postgraphileField: 'allPlaylists',
    sql: one(`SELECT coalesce(json_agg(p ORDER BY p.playlist_id), '[]')::text FROM (
      SELECT pl.playlist_id, pl.name,
        (SELECT coalesce(json_agg(t ORDER BY t.track_id), '[]') FROM (
           SELECT tr.track_id, tr.name FROM playlist_track pt JOIN track tr ON tr.track_id = pt.track_id
           WHERE pt.playlist_id = pl.playlist_id ORDER BY pt.track_id LIMIT $2) t) AS tracks
      FROM playlist pl ORDER BY pl.playlist_id LIMIT $1) p`),
    params: () => [5, 10],
    levels: [5, 30],
  },
];

/** The baseline finds its statement by the operation name (`query A` … `query E`) of the PostGraphile text. */
export function queryByOperation(body: GraphqlBody): WorkloadQuery | undefined {
  const name = body.operationName ?? /^\s*query\s+([A-Za-z_]\w*)/.exec(body.query)?.[1];
  return QUERIES.find((q) => q.id.toUpperCase() === name);
}

/** The path and query string of a query's REST GET (commas left readable, everything else encoded). */
export function restPath(query: WorkloadQuery): string {
  const search = query.rest.params
    .map(([name, value]) => `${name}=${encodeURIComponent(value).replace(/%2C/g, ',')}`)
    .join('&');
  return `/api/v2/chinook/_table/${query.rest.resource}?${search}`;
}
