/* eslint-disable @typescript-eslint/no-explicit-any -- REST answers are read dynamically */
// Who may change the schema, and what outlives a restart (issue 11): `_schema` writes need the role's verb on
// `_schema/{table}` (on both services for a cross-service relation); virtual relations added over the API
// come back from the relations file when a new server starts; the OpenAPI document follows the model.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/keys.js';
import type { JunctionConfig } from '../../src/config/types.js';
import { entry, role, startAccessServer, type AccessServer } from './support/access.js';
import { useChinook } from './support/chinook.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';
import { tempDir, testConfig } from './support/graphql.js';

const keyOf = (name: string) => `schema-${name}-key-0123456789abcdef`;

/** A virtual relation from Chinook's tracks to the notes service's notes (a cross-service one). */
const TRACK_NOTES = {
  type: 'has_many',
  field: 'TrackId',
  is_virtual: true,
  ref_service: 'notes',
  ref_table: 'note',
  ref_field: 'track_id',
};
describe('schema changes and roles (SQLite)', () => {
  const chinook = useChinook('sqlite');
  const files = tempDir('junction-schema-access-');
  let notes: TestDatabase;
  let config: JunctionConfig;
  let api: AccessServer;

  beforeAll(async () => {
    notes = await createTestDatabase('sqlite');
    await notes.exec('create table note (note_id integer primary key autoincrement, track_id integer)');
    const apps = ['reader', 'builder', 'admin', 'shelver'].map((name) => ({
      name: `app-${name}`,
      description: null,
      active: true,
      role: name,
      apiKeyHash: hashApiKey(keyOf(name)),
    }));
    config = {
      ...testConfig([chinook.service, notes.service({ name: 'notes' })]),
      relationsFile: join(files.dir, 'relations.json'),
      schemaCache: { dir: join(files.dir, 'cache'), mode: 'auto' },
      auth: {
        apiKeyInQuery: true,
        apps,
        roles: [
          role('reader', [entry('*', ['GET']), entry('_schema/*', ['GET'])]),
          // May build in chinook, but has no `_schema` rights on the notes service.
          role('builder', [entry('*', ['GET']), entry('_schema', '*'), entry('_schema/*', '*')]),
          role('admin', [entry('*', '*'), { ...entry('*', '*'), service: 'notes' }]),
          // May change the schema of one table only, and send PATCH to the `_schema` list.
          role('shelver', [
            entry('*', ['GET']),
            entry('_schema', ['PATCH']),
            entry('_schema/shelf', ['PATCH']),
          ]),
        ],
      },
    };
    api = await startAccessServer(config);
  });
  afterAll(async () => {
    await api?.close();
    await notes?.drop();
    files.remove();
  });

  const table = {
    name: 'Shelf',
    field: [
      { name: 'ShelfId', type: 'id' },
      { name: 'Label', type: 'string' },
    ],
  };

  it('checks each table of a PATCH /_schema list against the role, and changes nothing it may not', async () => {
    const refused = await api.rest(keyOf('shelver'), '/api/v2/chinook/_schema', {
      method: 'PATCH',
      json: { resource: [{ name: 'Album', field: [{ name: 'Sneaky', type: 'string' }] }] },
    });
    expect(refused.status).toBe(401);
    const album = await api.rest(keyOf('admin'), '/api/v2/chinook/_schema/Album');
    expect(album.body.field.map((f: any) => f.name)).not.toContain('Sneaky');
  });

  it('refuses a role that may only read the schema, and creates nothing', async () => {
    const refused = await api.rest(keyOf('reader'), '/api/v2/chinook/_schema', {
      method: 'POST',
      json: { resource: [table] },
    });
    // An API key without a user is refused as unauthenticated (401), as DreamFactory does (compat §10).
    expect(refused.status).toBe(401);
    expect(await chinook.knex.schema.hasTable('Shelf')).toBe(false);
  });

  it('lets a role with POST on _schema create a table, which the OpenAPI document then lists', async () => {
    const created = await api.rest(keyOf('builder'), '/api/v2/chinook/_schema', {
      method: 'POST',
      json: { resource: [table] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const docs = await api.rest(keyOf('admin'), '/api/v2/api_docs/chinook');
    expect(Object.keys(docs.body.paths)).toContain('/_table/Shelf');
    const cached = JSON.parse(readFileSync(join(files.dir, 'cache', 'chinook.json'), 'utf8'));
    expect(JSON.stringify(cached)).toContain('"Shelf"');
  });

  it('refuses a cross-service relation to a role without _schema rights on the other service', async () => {
    const refused = await api.rest(keyOf('builder'), '/api/v2/chinook/_schema/Track/_related', {
      method: 'POST',
      json: {
        resource: [TRACK_NOTES],
      },
    });
    expect(refused.status).toBe(401);
    const described = await api.rest(keyOf('admin'), '/api/v2/chinook/_schema/Track');
    expect(described.body.related.map((r: any) => r.name)).not.toContain('notes.note_by_track_id');
  });

  it('keeps a virtual relation added over the API when a new server starts on the same config', async () => {
    const added = await api.rest(keyOf('admin'), '/api/v2/chinook/_schema/Track/_related', {
      method: 'POST',
      json: {
        resource: [TRACK_NOTES],
      },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body.resource.map((r: any) => r.name)).toEqual(['notes.note_by_track_id']);
    const second = await startAccessServer(config);
    try {
      const described = await second.rest(keyOf('admin'), '/api/v2/notes/_schema/note');
      expect(described.body.related.map((r: any) => r.name)).toContain('chinook.Track_by_track_id');
    } finally {
      await second.close();
    }
  });

  it('cannot remove a virtual relation declared in the config file', async () => {
    const declared = await startAccessServer({
      ...config,
      relationsFile: join(files.dir, 'other.json'),
      virtualForeignKeys: [
        {
          from: { service: 'notes', table: 'note', fields: ['track_id'] },
          to: { service: 'chinook', table: 'Track', fields: ['TrackId'] },
        },
      ],
    });
    try {
      const refused = await declared.rest(
        keyOf('admin'),
        '/api/v2/notes/_schema/note/_related/chinook.Track_by_track_id',
        { method: 'DELETE' },
      );
      expect(refused.status, JSON.stringify(refused.body)).toBe(409);
      expect(refused.body.error.message).toMatch(/declared in the config file/);
    } finally {
      await declared.close();
    }
  });
});
