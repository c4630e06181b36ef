/* eslint-disable @typescript-eslint/no-explicit-any -- REST and GraphQL answers are read dynamically */
// The two classic script examples (examples/scripts), end to end on real databases — records read from a
// SQLite Chinook copied into PostgreSQL by a post_process script, and an obfuscated `staff` endpoint with full
// CRUD over that SQLite table — plus what any scripted service gets: the role check, the principal without
// credentials, settings, in-process API calls, listing, OpenAPI, clean errors, and the query log's hook lines.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JunctionConfig } from '../../src/config/types.js';
import { createKnex, destroyKnex } from '../../src/adapters/sql/connect.js';
import { app, entry, role, startAccessServer, type AccessServer } from './support/access.js';
import { useChinook } from './support/chinook.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';
import { tempDir, testConfig } from './support/graphql.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/scripts', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/scripts', import.meta.url));
const ADMIN_KEY = 'scripted-admin-key-0123456789abcdef';
const READER_KEY = 'scripted-reader-key-0123456789abcdef';
const VISITOR_KEY = 'scripted-visitor-key-0123456789abcdef';

const ARCHIVE_TABLE =
  'create table "Employee" ("EmployeeId" integer primary key, "FirstName" varchar(40) not null, ' +
  '"LastName" varchar(40) not null, "Email" varchar(60))';

describe('Scripted services and the classic script examples', () => {
  const hr = useChinook('sqlite');
  let archive: TestDatabase;
  let archiveDb: Knex;
  let api: AccessServer;
  // One scripts folder: the two examples as shipped, and a fixture service.
  const scripts = tempDir('junction-scripts-');
  copyFileSync(join(EXAMPLES, 'sync-employees.ts'), join(scripts.dir, 'sync-employees.ts'));
  copyFileSync(join(EXAMPLES, 'staff-endpoint.ts'), join(scripts.dir, 'staff-endpoint.ts'));
  copyFileSync(join(FIXTURES, 'whoami.ts'), join(scripts.dir, 'whoami.ts'));
  const admin = (path: string, call?: Parameters<AccessServer['rest']>[2]) =>
    api.rest(ADMIN_KEY, `/api/v2/${path}`, call);

  beforeAll(async () => {
    archive = await createTestDatabase('postgres');
    await archive.exec(ARCHIVE_TABLE);
    archiveDb = createKnex(archive.service());
    const base = testConfig([hr.db.service({ name: 'hr' }), archive.service({ name: 'archive' })]);
    const config: JunctionConfig = {
      ...base,
      auth: {
        apiKeyInQuery: true,
        roles: [
          role('admin', [{ ...entry('*', '*'), service: '*' }]),
          role('reader', [
            { ...entry('*', ['GET']), service: 'whoami' },
            { ...entry('_table/*', ['GET']), service: 'hr' },
          ]),
          role('visitor', [{ ...entry('*', ['GET']), service: 'whoami' }]),
        ],
        apps: [
          app('console', 'admin', ADMIN_KEY),
          app('kiosk', 'reader', READER_KEY),
          app('lobby', 'visitor', VISITOR_KEY),
        ],
      },
      observability: {
        logs: { level: 'info', format: 'text' },
        metrics: { enabled: false, token: null },
        tracing: { enabled: false, endpoint: null, serviceName: 'junction' },
        queryLog: { enabled: true, bindings: 'redacted' },
      },
      scripts: {
        dir: scripts.dir,
        timeoutMs: 5000,
        settings: {
          syncTarget: 'archive',
          syncTable: 'Employee',
          syncKey: 'EmployeeId',
          syncFields: ['EmployeeId', 'FirstName', 'LastName', 'Email'],
          staffSource: 'hr/_table/Employee',
          greeting: 'hello',
          whoamiReads: '/api/v2/hr/_table/Genre', // written as a client would: the same as hr/_table/Genre
        },
        events: [
          {
            event: 'hr._table.Employee.get.post_process',
            module: 'sync-employees.ts',
            timeoutMs: 5000,
            role: 'admin',
          },
        ],
        services: [
          {
            name: 'staff',
            module: 'staff-endpoint.ts',
            label: 'Staff directory',
            description: null,
            timeoutMs: 5000,
            role: null,
          },
          {
            name: 'whoami',
            module: 'whoami.ts',
            label: null,
            description: null,
            timeoutMs: 5000,
            role: null,
          },
        ],
      },
    };
    api = await startAccessServer(config);
  });
  afterAll(async () => {
    await api?.close();
    if (archiveDb) await destroyKnex(archiveDb);
    await archive?.drop();
    scripts.remove();
  });

  describe('example 1: synchronising SQLite records into PostgreSQL', () => {
    it('copies the employees a client reads over REST into the archive database', async () => {
      const read = await admin('hr/_table/Employee?limit=3&order=EmployeeId');
      expect(read.status, read.text).toBe(200);
      const archived = await archiveDb('Employee').orderBy('EmployeeId');
      expect(archived).toEqual(
        read.body.resource.map((r: any) => ({
          EmployeeId: r.EmployeeId,
          FirstName: r.FirstName,
          LastName: r.LastName,
          Email: r.Email,
        })),
      );
    });

    it('updates an archived employee when it changed at the source and is read again', async () => {
      await hr.knex('Employee').where('EmployeeId', 1).update({ LastName: 'Renamed' });
      const read = await admin('hr/_table/Employee/1');
      expect(read.status, read.text).toBe(200);
      expect((await archiveDb('Employee').where('EmployeeId', 1).first()).LastName).toBe('Renamed');
    });

    it('copies what a GraphQL client reads too, with the columns it selected', async () => {
      const read = await api.graphql(
        ADMIN_KEY,
        '{ hr { employees(where: { employeeId: { in: [4, 5] } }) { employeeId firstName lastName } } }',
      );
      expect(read.status, read.text).toBe(200);
      const archived = await archiveDb('Employee').whereIn('EmployeeId', [4, 5]).orderBy('EmployeeId');
      expect(archived.map((r: any) => [r.EmployeeId, r.LastName, r.Email])).toEqual([
        [4, 'Park', null],
        [5, 'Johnson', null],
      ]);
    });
  });

  describe('example 2: an obfuscated endpoint with full CRUD', () => {
    let created: number;

    it('lists staff under public names only, hiding the service, table and columns behind it', async () => {
      const list = await admin('staff?limit=2');
      expect(list.status, list.text).toBe(200);
      expect(list.body.staff).toHaveLength(2);
      expect(Object.keys(list.body.staff[0])).toEqual(['id', 'first_name', 'last_name', 'title', 'email']);
      expect(list.text).not.toMatch(/EmployeeId|FirstName|_table|\bhr\b/);
    });

    it('reads one staff member, and answers 404 for one that does not exist', async () => {
      const one = await admin('staff/2');
      expect(one.body).toMatchObject({ id: 2, last_name: 'Edwards' });
      const missing = await admin('staff/999');
      expect(missing.status).toBe(404);
      expect(missing.body.error.status_code).toBe(404);
    });

    it('creates a staff member (201) who is then in the database', async () => {
      const made = await admin('staff', {
        method: 'POST',
        json: { first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com' },
      });
      expect(made.status, made.text).toBe(201);
      created = made.body.id;
      expect(await hr.knex('Employee').where('EmployeeId', created).first()).toMatchObject({
        FirstName: 'Ada',
        LastName: 'Lovelace',
      });
    });

    it('changes a staff member', async () => {
      const changed = await admin(`staff/${created}`, { method: 'PATCH', json: { title: 'Analyst' } });
      expect(changed.status, changed.text).toBe(200);
      expect(changed.body).toMatchObject({ id: created, title: 'Analyst' });
      expect((await hr.knex('Employee').where('EmployeeId', created).first()).Title).toBe('Analyst');
    });

    it('refuses a field it does not publish, in the DreamFactory error envelope', async () => {
      const refused = await admin(`staff/${created}`, { method: 'PATCH', json: { salary: 1 } });
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({
        error: {
          code: 400,
          context: null,
          message: "Unknown or read-only field 'salary'.",
          status_code: 400,
        },
      });
    });

    it('removes a staff member', async () => {
      const removed = await admin(`staff/${created}`, { method: 'DELETE' });
      expect(removed.body).toEqual({ id: created });
      expect(await hr.knex('Employee').where('EmployeeId', created).first()).toBeUndefined();
    });

    it('is listed with the other services and documented by the paths it declares', async () => {
      const services = await admin('');
      expect(services.body.services).toContainEqual({
        name: 'staff',
        label: 'Staff directory',
        description: null,
        type: 'script',
      });
      const docs = await admin('api_docs/staff');
      expect(docs.status, docs.text).toBe(200);
      expect(Object.keys(docs.body.paths)).toEqual(['/', '/{id}']);
      expect(docs.body.servers).toEqual([{ url: '/api/v2/staff' }]);
    });
  });

  describe('any scripted service', () => {
    it('gets the principal, the settings and the request, never the credentials', async () => {
      const answer = await api.rest(READER_KEY, '/api/v2/whoami/deep/path?x=1&api_key=' + READER_KEY);
      expect(answer.status, answer.text).toBe(200);
      expect(answer.body).toMatchObject({
        principal: { kind: 'app', role: 'reader', app: 'kiosk', user: null },
        greeting: 'hello',
        path: 'deep/path',
        parameters: { x: '1' },
        genres: 2,
      });
      expect(answer.text).not.toContain(READER_KEY);
    });

    it("calls the API with the caller's role: one without access to the table it reads is refused", async () => {
      const answer = await api.rest(VISITOR_KEY, '/api/v2/whoami');
      expect(answer.status).toBe(401);
      expect(answer.body.error.status_code).toBe(401);
    });

    it('is refused for a verb the role does not allow', async () => {
      const answer = await api.rest(READER_KEY, '/api/v2/whoami', { method: 'POST', json: {} });
      expect(answer.status).toBe(401);
      const staff = await api.rest(READER_KEY, '/api/v2/staff');
      expect(staff.status).toBe(401);
    });

    it('answers a script that throws with a clean 500 naming no internals, and logs the module', async () => {
      const answer = await admin('whoami/boom');
      expect(answer.status).toBe(500);
      expect(answer.body.error.message).toBe(
        'The script for service whoami failed; the server log has details.',
      );
      expect(answer.text).not.toMatch(/exploded|\.ts/);
      expect(api.server.log.join('\n')).toContain('whoami exploded');
    });

    it('shows in the query log which scripts ran for a request, next to its statements', async () => {
      const before = api.server.log.length;
      await admin('hr/_table/Employee?limit=1');
      const lines = api.server.log.slice(before);
      expect(
        lines.some((l) =>
          /^hook request=\S+ hr\._table\.Employee\.get\.post_process sync-employees\.ts .* ok/.test(l),
        ),
      ).toBe(true);
      expect(lines.filter((l) => l.startsWith('sql request=')).length).toBeGreaterThanOrEqual(3);
    });
  });
});
