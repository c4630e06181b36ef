/* eslint-disable @typescript-eslint/no-explicit-any -- responses and driver rows are read dynamically */
// R7 (security.md §4.4): 100 concurrent PATCHes of one row. A trigger logs every update the database really
// made, so each success can be checked against it: every 200 is one logged write (no success that was lost),
// nothing was written that was not acknowledged or refused, and the final value is the last logged write, one
// of the 100 values sent. A refusal is only acceptable as 409 WRITE_CONFLICT (a deadlock the client may retry).
import { describe, expect, it } from 'vitest';
import { chinookName, useChinook } from './support/chinook.js';
import { startTestServer, testConfig } from './support/graphql.js';
import { restClient } from './support/rest.js';

const WRITERS = 100;

const TRIGGER = {
  postgres:
    'create table title_log (id serial primary key, album_id integer not null, title text not null);' +
    'create function log_title() returns trigger language plpgsql as $$ begin ' +
    'insert into title_log (album_id, title) values (new.album_id, new.title); return new; end $$;' +
    'create trigger album_title_log after update on album for each row execute function log_title()',
  mysql:
    'create table title_log (id int auto_increment primary key, album_id int not null, title varchar(160) not null) engine=InnoDB;' +
    'create trigger album_title_log after update on Album for each row ' +
    'insert into title_log (album_id, title) values (NEW.AlbumId, NEW.Title)',
} as const;

for (const [dialect, label] of [
  ['postgres', 'PostgreSQL'],
  ['mysql', 'MariaDB'],
] as const) {
  describe(`concurrent writes to one row on ${label} (R7)`, () => {
    const chinook = useChinook(dialect, TRIGGER[dialect]);
    const album = chinookName(dialect, 'Album');
    const title = chinookName(dialect, 'Title');
    const albumId = chinookName(dialect, 'AlbumId');

    it('keeps one of 100 concurrent PATCH values, and every success is a write the database really made', async () => {
      const server = await startTestServer(
        testConfig([{ ...chinook.service, pool: { max: 10, acquireTimeoutMs: 10_000 } }]),
      );
      try {
        const rest = restClient(server);
        const values = Array.from({ length: WRITERS }, (_, i) => `r7 write ${i}`);
        const results = await Promise.all(
          values.map((value) =>
            rest.request(`/api/v2/chinook/_table/${album}/7`, { method: 'PATCH', json: { [title]: value } }),
          ),
        );
        const acknowledged = values.filter((_, i) => results[i]?.status === 200);
        for (const r of results) {
          if (r.status !== 200) expect(r.body.error?.code ?? r.status, r.text).toBe(409);
          else expect(r.body[albumId]).toBe(7);
        }
        expect(acknowledged.length).toBeGreaterThan(0);

        const logged = (await chinook.knex('title_log').orderBy('id').select('title')).map(
          (r: any) => r.title,
        );
        // Every acknowledged write happened exactly once; nothing else was written.
        expect([...logged].sort()).toEqual([...acknowledged].sort());
        const [row] = await chinook.knex(album).where(albumId, 7).select(title);
        expect(row[title]).toBe(logged[logged.length - 1]);
        expect(values).toContain(row[title]);
      } finally {
        await server.close();
      }
    }, 30_000);
  });
}
