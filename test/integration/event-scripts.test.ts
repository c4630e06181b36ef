/* eslint-disable @typescript-eslint/no-explicit-any -- REST and GraphQL answers are read dynamically */
// Event scripts (pre_process / post_process) on REST and GraphQL alike, against real databases: the scripts
// in fixtures/scripts change requests and answers, reject, fail inside a write's transaction and time out;
// every write is checked against what the database really holds.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JunctionConfig, ScriptsConfig } from '../../src/config/types.js';
import { chinookName, useChinook } from './support/chinook.js';
import { useCommunity } from './support/community.js';
import type { TestDialect } from './support/databases.js';
import { testConfig } from './support/graphql.js';
import { startRestServer, type RestServer } from './support/rest-writes.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/scripts', import.meta.url));

const event = (name: string, module: string, timeoutMs = 5000) => ({
  event: name,
  module,
  timeoutMs,
  role: null,
});

/** The scripts of this suite, on service `music`. */
export const SUITE_SCRIPTS: ScriptsConfig = {
  dir: FIXTURES,
  timeoutMs: 5000,
  settings: { greeting: 'hello' },
  events: [
    event('music._table.Album.get.pre_process', 'album-at-most-three.ts'),
    event('music._table.Album.get.post_process', 'album-titles-upper.ts'),
    event('music._table.Artist.post.pre_process', 'artist-check.ts'),
    event('music._table.Artist.post.post_process', 'artist-audit.ts'),
    event('music._table.Genre.get.pre_process', 'genre-slow.ts', 300),
    event('music._table.MediaType.post.post_process', 'media-type-marked.ts'),
    event('music._table.media_type.post.post_process', 'media-type-marked.ts'), // PostgreSQL's Chinook
  ],
  services: [],
};

const DIALECTS = [
  { dialect: 'sqlite', label: 'SQLite' },
  { dialect: 'postgres', label: 'PostgreSQL' },
  { dialect: 'mysql', label: 'MariaDB' },
] as const satisfies readonly { dialect: TestDialect; label: string }[];

describe.each(DIALECTS)('Event scripts on $label', ({ dialect }) => {
  const chinook = useChinook(dialect);
  const name = (n: string) => chinookName(dialect, n);
  let rest: RestServer;
  const gql = async (query: string) => {
    const result = await rest.server.query(query);
    return result;
  };
  const artistsNamed = async (prefix: string) =>
    (await chinook.knex(name('Artist')).where(name('Name'), 'like', `${prefix}%`)).length;
  const albumsTitled = async (prefix: string) =>
    (await chinook.knex(name('Album')).where(name('Title'), 'like', `${prefix}%`)).length;

  beforeAll(async () => {
    const config: JunctionConfig = {
      ...testConfig([chinook.db.service({ name: 'music' })]),
      scripts: SUITE_SCRIPTS,
    };
    rest = await startRestServer(config);
  });
  afterAll(async () => {
    await rest?.close();
  });

  describe('on reads', () => {
    it('a post_process script changes the records a REST client gets', async () => {
      const result = await rest.request('GET', 'music/_table/Album', {
        query: { limit: 2, order: name('AlbumId') },
      });
      expect(result.status, result.text).toBe(200);
      expect(result.body.resource.map((r: any) => r[name('Title')])).toEqual([
        'FOR THOSE ABOUT TO ROCK WE SALUTE YOU',
        'BALLS TO THE WALL',
      ]);
    });

    it('the same post_process script changes what a GraphQL list and by-key field answer', async () => {
      const result = await gql(
        '{ music { albums(orderBy: { albumId: ASC }, limit: 2) { albumId t: title } album(albumId: 2) { title } } }',
      );
      expect(result.errors).toBeUndefined();
      expect(result.data.music.albums).toEqual([
        { albumId: 1, t: 'FOR THOSE ABOUT TO ROCK WE SALUTE YOU' },
        { albumId: 2, t: 'BALLS TO THE WALL' },
      ]);
      expect(result.data.music.album).toEqual({ title: 'BALLS TO THE WALL' });
    });

    it('a pre_process script changes the parameters of a REST read and the arguments of a GraphQL one', async () => {
      const restResult = await rest.request('GET', 'music/_table/Album', { query: { limit: 50 } });
      expect(restResult.body.resource).toHaveLength(3);
      const graphqlResult = await gql('{ music { albums(limit: 50) { albumId } } }');
      expect(graphqlResult.data.music.albums).toHaveLength(3);
    });

    it('a script that runs past its time limit answers 504 on REST and GraphQL, and the log names it', async () => {
      const restResult = await rest.request('GET', 'music/_table/Genre');
      expect(restResult.status).toBe(504);
      expect(restResult.body.error.message).toBe(
        `The script for music._table.${name('Genre')}.get.pre_process did not finish within 300 ms.`,
      );
      const graphqlResult = await gql('{ music { genres { name } } }');
      expect(graphqlResult.errors?.[0]?.extensions?.code).toBe('SCRIPT_TIMEOUT');
      expect(rest.server.log.join('\n')).toContain('script timed out: genre-slow.ts');
    });
  });

  describe('on writes', () => {
    it('a pre_process script enriches the payload of a REST insert and of a GraphQL one', async () => {
      const restResult = await rest.request('POST', 'music/_table/Artist', {
        body: { resource: [{ [name('Name')]: '   Trimmed Rest   ' }] },
      });
      expect(restResult.status, restResult.text).toBe(200);
      const graphqlResult = await gql(
        'mutation { music_insertArtist(object: { name: "  Trimmed Graph " }) { name } }',
      );
      expect(graphqlResult.errors).toBeUndefined();
      expect(graphqlResult.data.music_insertArtist).toEqual({ name: 'Trimmed Graph' });
      const stored = await chinook.knex(name('Artist')).where(name('Name'), 'like', 'Trimmed%');
      expect(stored.map((r: any) => r[name('Name')]).sort()).toEqual(['Trimmed Graph', 'Trimmed Rest']);
    });

    it('a post_process script changes the answer of a REST insert and of a GraphQL one, not what is stored', async () => {
      const restResult = await rest.request('POST', `music/_table/${name('MediaType')}`, {
        query: { fields: name('Name') },
        body: { resource: [{ [name('Name')]: 'Wax cylinder' }] },
      });
      expect(restResult.status, restResult.text).toBe(200);
      expect(restResult.body.resource).toEqual([{ [name('Name')]: 'Wax cylinder (new)' }]);
      const one = await gql('mutation { music_insertMediaType(object: { name: "Tape" }) { name } }');
      expect(one.errors).toBeUndefined();
      expect(one.data.music_insertMediaType).toEqual({ name: 'Tape (new)' });
      const many = await gql(
        'mutation { music_insertMediaTypes(objects: [{ name: "Disc" }]) { affectedRows returning { n: name } } }',
      );
      expect(many.data.music_insertMediaTypes).toEqual({ affectedRows: 1, returning: [{ n: 'Disc (new)' }] });
      const stored = await chinook
        .knex(name('MediaType'))
        .whereIn(name('Name'), ['Wax cylinder', 'Tape', 'Disc'])
        .orderBy(name('Name'));
      expect(stored.map((r: any) => r[name('Name')])).toEqual(['Disc', 'Tape', 'Wax cylinder']);
    });

    it('a pre_process script that rejects stops the write with its status and message, in both APIs', async () => {
      const before = await chinook.knex(name('Artist')).count({ n: '*' });
      const restResult = await rest.request('POST', 'music/_table/Artist', {
        body: { resource: [{ [name('Name')]: '  ' }] },
      });
      expect(restResult.status).toBe(422);
      expect(restResult.body.error.message).toBe('An artist needs a name.');
      const graphqlResult = await gql('mutation { music_insertArtist(object: { name: "" }) { artistId } }');
      expect(graphqlResult.errors?.[0]).toMatchObject({
        message: 'An artist needs a name.',
        extensions: { code: 'SCRIPT_UNPROCESSABLE' },
      });
      expect(await chinook.knex(name('Artist')).count({ n: '*' })).toEqual(before);
    });

    it('a post_process script that throws inside a rollback=true nested insert leaves nothing written', async () => {
      const result = await rest.request('POST', 'music/_table/Artist', {
        query: { rollback: true },
        body: {
          resource: [
            {
              [name('Name')]: 'Doomed Band',
              [`${name('Album')}_by_${name('ArtistId')}`]: [
                { [name('Title')]: 'Doomed Debut' },
                { [name('Title')]: 'Doomed Sequel' },
              ],
            },
          ],
        },
      });
      expect(result.status, result.text).toBe(500);
      expect(result.body.error.message).toBe(
        `The script for music._table.${name('Artist')}.post.post_process failed; the server log has details.`,
      );
      expect(result.text).not.toMatch(/audit store|artist-audit|\.ts:\d+/);
      expect(await artistsNamed('Doomed')).toBe(0);
      expect(await albumsTitled('Doomed')).toBe(0);
      const log = rest.server.log.join('\n');
      expect(log).toContain(
        `script failed: artist-audit.ts (music._table.${name('Artist')}.post.post_process)`,
      );
      expect(log).toContain('audit store unreachable');
    });

    it('a post_process script that throws rolls back a GraphQL nested insert too', async () => {
      const result = await gql(
        'mutation { music_insertArtist(object: { name: "Doomed Graph", albums: { create: [{ title: "Doomed Graph LP" }] } }) { artistId } }',
      );
      expect(result.errors?.[0]?.extensions?.code).toBe('SCRIPT_FAILED');
      expect(await artistsNamed('Doomed')).toBe(0);
      expect(await albumsTitled('Doomed')).toBe(0);
    });

    it('without rollback=true the insert stands when a post_process script fails afterwards (no transaction)', async () => {
      const result = await rest.request('POST', 'music/_table/Artist', {
        body: { resource: [{ [name('Name')]: 'Doomed Solo' }] },
      });
      expect(result.status).toBe(500);
      expect(await artistsNamed('Doomed Solo')).toBe(1);
      await chinook.knex(name('Artist')).where(name('Name'), 'Doomed Solo').delete();
    });
  });
});

describe('Event scripts on stored routine calls (PostgreSQL)', () => {
  const chinook = useChinook(
    'postgres',
    "create function add_one(x integer) returns integer language sql immutable as 'select x + 1'",
  );
  let rest: RestServer;

  beforeAll(async () => {
    rest = await startRestServer({
      ...testConfig([chinook.db.service({ name: 'music' })]),
      scripts: { ...SUITE_SCRIPTS, events: [event('music._func.add_one.*.pre_process', 'double-x.ts')] },
    });
  });
  afterAll(async () => {
    await rest?.close();
  });

  it('a pre_process script changes the arguments of a REST call and of the GraphQL field alike', async () => {
    const restResult = await rest.request('POST', 'music/_func/add_one', { body: { params: { x: 3 } } });
    expect(restResult.status, restResult.text).toBe(200);
    expect(restResult.body).toBe(7);
    const graphqlResult = await rest.server.query('{ music { addOne(x: 3) } }');
    expect(graphqlResult.errors).toBeUndefined();
    expect(graphqlResult.data.music.addOne).toBe(7);
  });
});

describe('Event scripts on a MongoDB collection', () => {
  const community = useCommunity();
  let rest: RestServer;

  beforeAll(async () => {
    rest = await startRestServer({
      ...testConfig([community.service]),
      scripts: {
        ...SUITE_SCRIPTS,
        events: [event('community._table.reviews.get.post_process', 'review-titles-upper.ts')],
      },
    });
  });
  afterAll(async () => {
    await rest?.close();
  });

  it('a post_process script changes the documents a REST client and a GraphQL client get', async () => {
    const restResult = await rest.request('GET', 'community/_table/reviews', {
      query: { filter: 'rating = 4', fields: 'title', limit: 1, order: '_id' },
    });
    expect(restResult.status, restResult.text).toBe(200);
    expect(restResult.body.resource).toEqual([{ title: 'MUDDY AND TIGHT' }]);
    const graphqlResult = await rest.server.query(
      '{ community { reviews(where: { rating: { eq: 4 } }, orderBy: { id: ASC }, limit: 1) { title } } }',
    );
    expect(graphqlResult.errors).toBeUndefined();
    expect(graphqlResult.data.community.reviews).toEqual([{ title: 'MUDDY AND TIGHT' }]);
  });
});
