/* eslint-disable @typescript-eslint/no-explicit-any -- REST and GraphQL answers are read dynamically */
// What event scripts do through `platform`, against real databases: their API calls join the transaction of
// the write they run in (SQLite and PostgreSQL), a script calling its own endpoint gets a clean 400, `role:`
// gives a script's calls that role, its statements count in the request's header, edited modules run after a
// reload (a broken one keeps the old), and a missing module stops the server from starting.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventScriptConfig, JunctionConfig, ScriptsConfig } from '../../src/config/types.js';
import { STATEMENTS_HEADER } from '../../src/http/server.js';
import { app, entry, role } from './support/access.js';
import { chinookName, useChinook } from './support/chinook.js';
import type { TestDialect } from './support/databases.js';
import { startTestServer, tempDir, testConfig, type TestServer } from './support/graphql.js';
import { startRestServer, type RestServer } from './support/rest-writes.js';

// The modules of this file, written into a folder of its own (plain TypeScript, no imports).
const folder = tempDir('junction-platform-scripts-');
afterAll(() => folder.remove());
const write = (name: string, text: string) => writeFileSync(join(folder.dir, name), text);

// post_process of artist inserts: a journal entry per artist, written as a Genre through the API.
write(
  'journal.ts',
  `export default async function journal(event: any, platform: any): Promise<void> {
  const column = String(platform.config.nameColumn);
  const names = (event.request.payload?.resource ?? []).map((r: any) => r[column]);
  await platform.api.post(String(platform.config.genres), {
    resource: names.map((name: string) => ({ [column]: 'Journal: ' + name })),
  });
}
`,
);
// The next post_process script of artist inserts: fails for artists named Vetoed…, after the journal wrote.
write(
  'veto.ts',
  `export default function veto(event: any, platform: any): void {
  const column = String(platform.config.nameColumn);
  for (const record of event.request.payload?.resource ?? [])
    if (String(record[column]).startsWith('Vetoed')) throw new Error('vetoed by the compliance check');
}
`,
);
// pre_process of playlist reads that reads playlists: every level calls itself again.
write(
  'recursive.ts',
  `export default async function recursive(event: any, platform: any): Promise<void> {
  await platform.api.get('music/_table/Playlist', { params: { limit: 1 } });
}
`,
);
// A scripted service calling itself.
write(
  'loop.ts',
  `export default async function loop(request: any, platform: any): Promise<unknown> {
  return (await platform.api.get('loop')).content;
}
`,
);
// post_process of reads: every record gets the name of artist 1 (read through the API) as Headliner.
write(
  'headliner.ts',
  `export default async function headliner(event: any, platform: any): Promise<void> {
  const artist = await platform.api.get('music/_table/Artist/1');
  for (const record of event.response.content.resource ?? []) record.Headliner = artist.content.Name;
}
`,
);

const event = (name: string, module: string, extra: Partial<EventScriptConfig> = {}) => ({
  event: name,
  module,
  timeoutMs: 5000,
  role: null,
  ...extra,
});

const scripts = (events: EventScriptConfig[], extra: Partial<ScriptsConfig> = {}): ScriptsConfig => ({
  dir: folder.dir,
  timeoutMs: 5000,
  settings: {},
  events,
  services: [],
  ...extra,
});

const DIALECTS = [
  { dialect: 'sqlite', label: 'SQLite' },
  { dialect: 'postgres', label: 'PostgreSQL' },
] as const satisfies readonly { dialect: TestDialect; label: string }[];

describe.each(DIALECTS)(
  "On $label, a script's API writes join the transaction of the write it runs in",
  ({ dialect }) => {
    const chinook = useChinook(dialect);
    const name = (n: string) => chinookName(dialect, n);
    let rest: RestServer;
    const stored = async (table: string, prefix: string) =>
      (await chinook.knex(name(table)).where(name('Name'), 'like', `${prefix}%`).orderBy(name('Name'))).map(
        (r: any) => r[name('Name')],
      );

    beforeAll(async () => {
      const config: JunctionConfig = {
        ...testConfig([chinook.db.service({ name: 'music' })]),
        scripts: scripts(
          [
            event('music._table.Artist.post.post_process', 'journal.ts'),
            event('music._table.Artist.post.post_process', 'veto.ts'),
          ],
          { settings: { genres: `music/_table/${name('Genre')}`, nameColumn: name('Name') } },
        ),
      };
      rest = await startRestServer(config);
    });
    afterAll(async () => {
      await rest?.close();
    });

    const insert = (artist: string) =>
      rest.request('POST', `music/_table/${name('Artist')}`, {
        query: { rollback: true },
        body: { resource: [{ [name('Name')]: artist }] },
      });

    it('keeps the REST client’s row and the script’s row when no script fails', async () => {
      const result = await insert('Kept Rest');
      expect(result.status, result.text).toBe(200);
      expect(await stored('Artist', 'Kept Rest')).toEqual(['Kept Rest']);
      expect(await stored('Genre', 'Journal: Kept Rest')).toEqual(['Journal: Kept Rest']);
    });

    it('removes both when a later script fails: the script’s write was part of the transaction', async () => {
      const result = await insert('Vetoed Rest');
      expect(result.status, result.text).toBe(500);
      expect(result.body.error.message).toBe(
        `The script for music._table.${name('Artist')}.post.post_process failed; the server log has details.`,
      );
      expect(await stored('Artist', 'Vetoed Rest')).toEqual([]);
      expect(await stored('Genre', 'Journal: Vetoed Rest')).toEqual([]);
      expect(rest.server.log.join('\n')).toContain('vetoed by the compliance check');
    });

    it('does the same for a GraphQL insert: both rows stay, or neither does', async () => {
      const kept = await rest.server.query(
        'mutation { music_insertArtist(object: { name: "Kept Graph" }) { name } }',
      );
      expect(kept.errors).toBeUndefined();
      expect(kept.data.music_insertArtist).toEqual({ name: 'Kept Graph' });
      const vetoed = await rest.server.query(
        'mutation { music_insertArtist(object: { name: "Vetoed Graph" }) { name } }',
      );
      expect(vetoed.errors?.[0]?.extensions?.code).toBe('SCRIPT_FAILED');
      expect(await stored('Artist', 'Kept Graph')).toEqual(['Kept Graph']);
      expect(await stored('Genre', 'Journal: Kept Graph')).toEqual(['Journal: Kept Graph']);
      expect(await stored('Artist', 'Vetoed Graph')).toEqual([]);
      expect(await stored('Genre', 'Journal: Vetoed Graph')).toEqual([]);
    });
  },
);

const ADMIN_KEY = 'platform-admin-key-0123456789abcdef';
const VISITOR_KEY = 'platform-visitor-key-0123456789abcdef';

describe("On SQLite, a script's API calls", () => {
  const chinook = useChinook('sqlite');
  let server: TestServer;
  const origin = () => new URL(server.url).origin;

  /** A REST or GraphQL call with an API key: status, body and the statements header. */
  const send = async (key: string, path: string, graphql?: string) => {
    const response = await fetch(`${origin()}${path}`, {
      method: graphql === undefined ? 'GET' : 'POST',
      headers: {
        'x-dreamfactory-api-key': key,
        accept: 'application/json',
        ...(graphql !== undefined && { 'content-type': 'application/json' }),
      },
      ...(graphql !== undefined && { body: JSON.stringify({ query: graphql }) }),
    });
    const header = response.headers.get(STATEMENTS_HEADER);
    return {
      status: response.status,
      body: (await response.json()) as any,
      statements: header === null ? null : Number(header),
    };
  };

  beforeAll(async () => {
    const music = (component: string) => ({ ...entry(component, ['GET']), service: 'music' });
    const config: JunctionConfig = {
      ...testConfig([chinook.db.service({ name: 'music' })]),
      auth: {
        apiKeyInQuery: true,
        roles: [
          role('admin', [{ ...entry('*', '*'), service: '*' }]),
          role('visitor', [music('_table/Album'), music('_table/MediaType'), music('_table/Genre')]),
        ],
        apps: [app('console', 'admin', ADMIN_KEY), app('kiosk', 'visitor', VISITOR_KEY)],
      },
      scripts: {
        ...scripts([
          event('music._table.Playlist.get.pre_process', 'recursive.ts'),
          event('music._table.Album.get.post_process', 'headliner.ts', { role: 'admin' }),
          event('music._table.MediaType.get.post_process', 'headliner.ts'),
        ]),
        services: [
          { name: 'loop', module: 'loop.ts', label: null, description: null, timeoutMs: 5000, role: null },
        ],
      },
    };
    server = await startTestServer(config);
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('calling their own endpoint', () => {
    const TOO_DEEP = 'Scripts called the API more than 8 levels deep; does a script call its own endpoint?';

    it('answer a REST client with a clean 400, and the server serves on', async () => {
      const result = await send(ADMIN_KEY, '/api/v2/music/_table/Playlist');
      expect(result.status).toBe(400);
      expect(result.body).toEqual({
        error: { code: 400, context: null, message: TOO_DEEP, status_code: 400 },
      });
      expect((await send(ADMIN_KEY, '/api/v2/music/_table/Genre?limit=1')).status).toBe(200);
      expect(server.log.join('\n')).not.toMatch(/Maximum call stack|RangeError/);
    });

    it('answer a GraphQL client with a BAD_REQUEST error', async () => {
      const result = await send(ADMIN_KEY, '/graphql', '{ music { playlists { name } } }');
      expect(result.body.errors?.[0]).toMatchObject({
        message: TOO_DEEP,
        extensions: { code: 'BAD_REQUEST' },
      });
    });

    it('answer a scripted service that calls itself with the same 400', async () => {
      const result = await send(ADMIN_KEY, '/api/v2/loop');
      expect(result.status).toBe(400);
      expect(result.body.error.message).toBe(TOO_DEEP);
    });
  });

  describe('with a role: configured', () => {
    it('read what the caller may not: a visitor gets albums enriched from the artists it cannot read', async () => {
      const direct = await send(VISITOR_KEY, '/api/v2/music/_table/Artist/1');
      expect(direct.status).toBe(401);
      const albums = await send(VISITOR_KEY, '/api/v2/music/_table/Album?limit=2&order=AlbumId');
      expect(albums.status, JSON.stringify(albums.body)).toBe(200);
      expect(albums.body.resource.map((r: any) => [r.AlbumId, r.Headliner])).toEqual([
        [1, 'AC/DC'],
        [2, 'AC/DC'],
      ]);
    });

    it("without one, run as the caller: the same script fails the visitor's read with the caller's refusal", async () => {
      const direct = await send(VISITOR_KEY, '/api/v2/music/_table/Artist/1');
      const mediaTypes = await send(VISITOR_KEY, '/api/v2/music/_table/MediaType?limit=2');
      expect(mediaTypes.status).toBe(direct.status);
      expect(mediaTypes.body.error.code).toBe(direct.body.error.code);
      const asAdmin = await send(ADMIN_KEY, '/api/v2/music/_table/MediaType?limit=2');
      expect(asAdmin.body.resource.map((r: any) => r.Headliner)).toEqual(['AC/DC', 'AC/DC']);
    });
  });

  describe("count in the request's statements header", () => {
    it('on REST: a read whose script reads once more runs one statement more than a plain read', async () => {
      const plain = await send(ADMIN_KEY, '/api/v2/music/_table/Genre?limit=2');
      const scripted = await send(ADMIN_KEY, '/api/v2/music/_table/Album?limit=2');
      expect(plain.status).toBe(200);
      expect(scripted.status).toBe(200);
      expect(plain.statements).toBeGreaterThan(0);
      expect(scripted.statements).toBe((plain.statements ?? 0) + 1);
    });

    it('on GraphQL as well', async () => {
      const plain = await send(ADMIN_KEY, '/graphql', '{ music { genres(limit: 2) { name } } }');
      const scripted = await send(ADMIN_KEY, '/graphql', '{ music { albums(limit: 2) { title } } }');
      expect(plain.body.errors).toBeUndefined();
      expect(scripted.body.errors).toBeUndefined();
      expect(plain.statements).toBeGreaterThan(0);
      expect(scripted.statements).toBe((plain.statements ?? 0) + 1);
    });
  });
});

describe('Scripts reload with the model', () => {
  const chinook = useChinook('sqlite');
  const TOKEN = 'scripts-reload-token-123';
  const own = tempDir('junction-reload-scripts-');
  afterAll(() => own.remove());
  const put = (file: string, text: string) => writeFileSync(join(own.dir, file), text);
  // A script and a helper it imports: an edit to either must show after a reload.
  put('words.ts', 'export const word = "old";\n');
  put(
    'greet.ts',
    `import { word } from './words';
export default function greet(event: any): void {
  for (const record of event.response.content.resource ?? []) record.Name = word + ': ' + record.Name;
}
`,
  );
  let rest: RestServer;

  beforeAll(async () => {
    const base = testConfig([chinook.db.service({ name: 'music' })]);
    rest = await startRestServer({
      ...base,
      server: { ...base.server, adminToken: TOKEN },
      scripts: {
        ...scripts([event('music._table.Genre.get.post_process', 'greet.ts')]),
        dir: own.dir,
      },
    });
  });
  afterAll(async () => {
    await rest?.close();
  });

  const firstGenre = async () => {
    const result = await rest.request('GET', 'music/_table/Genre', { query: { limit: 1, order: 'GenreId' } });
    expect(result.status, result.text).toBe(200);
    return result.body.resource[0].Name as string;
  };
  const reload = async () => {
    const response = await fetch(new URL('/_admin/reload', rest.server.url), {
      method: 'POST',
      headers: { 'x-junction-admin-token': TOKEN },
    });
    expect(response.status).toBe(200);
  };
  /** Scripts load again after the reload has answered: wait (at most 10 s) until `done` holds. */
  const eventually = async (done: () => Promise<boolean>) => {
    const deadline = Date.now() + 10_000;
    while (!(await done()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  };

  it('runs the edited script (and the edited helper it imports) after POST /_admin/reload', async () => {
    expect(await firstGenre()).toBe('old: Rock');
    put('words.ts', 'export const word = "new";\n');
    await reload();
    await eventually(async () => (await firstGenre()) !== 'old: Rock');
    expect(await firstGenre()).toBe('new: Rock');
  });

  it('keeps the running scripts when a module no longer loads, and logs which one', async () => {
    put('greet.ts', 'export default function greet(event: any {\n');
    const before = rest.server.log.length;
    await reload();
    const failure = () => rest.server.log.slice(before).join('\n');
    await eventually(async () => failure().includes('scripts: reload failed'));
    expect(failure()).toContain('scripts: reload failed, the previous scripts stay');
    expect(failure()).toContain('script greet.ts: could not be loaded');
    expect(await firstGenre()).toBe('new: Rock');
  });
});

describe('A server whose config names a missing script module', () => {
  const chinook = useChinook('sqlite');

  it('does not start, and says which module is missing', async () => {
    const config: JunctionConfig = {
      ...testConfig([chinook.db.service({ name: 'music' })]),
      scripts: scripts([
        event('music._table.Album.get.pre_process', 'headliner.ts'),
        event('music._table.Album.get.post_process', 'not-written-yet.ts'),
      ]),
    };
    await expect(startTestServer(config)).rejects.toThrow(
      `script not-written-yet.ts: no such file in ${folder.dir}`,
    );
  });
});
