/* eslint-disable @typescript-eslint/no-explicit-any -- responses are read dynamically */
// The documentation pages (issue 8): the landing page at `/` (services, tables, relations with cross-database
// ones marked, links, health; every name HTML-escaped; no external assets; the caller's view only) and
// Swagger UI at `/api/v2/api_docs` with its assets served from the swagger-ui-dist package. Two SQLite
// Chinooks (`chinook`, `archive`) joined by a virtual key across them; one table has a hostile name. Two
// scripted services (`staff`, `secret`) are listed next to them, each only to callers that may call it.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScriptedServiceConfig } from '../../src/config/types.js';
import { hashApiKey } from '../../src/auth/keys.js';
import { entry, role } from './support/access.js';
import { useChinook } from './support/chinook.js';
import { startTestServer, tempDir, testConfig, type TestServer } from './support/graphql.js';
import { restClient, type RestClient } from './support/rest.js';

const HOSTILE = `create table "x<b>y" (id integer primary key, "a&b" text);`;
const KEY = 'docs-pages-reader-key-0123456789abcdef';
const HTML = { accept: 'text/html,application/xhtml+xml' };
const WHOAMI = fileURLToPath(new URL('./fixtures/scripts/whoami.ts', import.meta.url));

function scripted(name: string, label: string | null, description: string | null): ScriptedServiceConfig {
  return { name, module: 'whoami.ts', label, description, timeoutMs: 5000, role: null };
}

describe('landing page and Swagger UI', () => {
  const chinook = useChinook('sqlite', HOSTILE);
  const archive = useChinook('sqlite');
  let open: TestServer;
  let secured: TestServer;
  let rest: RestClient;
  let securedRest: RestClient;
  const scripts = tempDir('junction-docs-scripts-');
  copyFileSync(WHOAMI, join(scripts.dir, 'whoami.ts'));

  beforeAll(async () => {
    const services = [chinook.service, { ...archive.service, name: 'archive' }];
    const base = {
      ...testConfig(services, [
        {
          from: { service: 'archive', table: 'Album', fields: ['ArtistId'] },
          to: { service: 'chinook', table: 'Artist', fields: ['ArtistId'] },
        },
      ]),
      scripts: {
        dir: scripts.dir,
        timeoutMs: 5000,
        settings: { whoamiReads: 'chinook/_table/Genre' },
        events: [],
        services: [
          scripted('staff', 'Staff <directory>', 'Who works here & where'),
          scripted('secret', null, null),
        ],
      },
    };
    open = await startTestServer(base);
    rest = restClient(open);
    secured = await startTestServer({
      ...base,
      auth: {
        apiKeyInQuery: true,
        roles: [
          role('reader', [entry('_table/Album/*', ['GET']), { ...entry('*', ['GET']), service: 'staff' }]),
        ],
        apps: [{ name: 'web', description: null, active: true, role: 'reader', apiKeyHash: hashApiKey(KEY) }],
      },
    });
    securedRest = restClient(secured);
  });
  afterAll(async () => {
    await open?.close();
    await secured?.close();
    scripts.remove();
  });

  describe('the landing page at /', () => {
    it('lists services, tables and relations, marks cross-database ones, links the tools', async () => {
      const res = await rest.get('/', HTML);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const page = res.text;
      for (const href of ['/graphql', '/api/v2/api_docs', '/health', '/ready', '/api/v2/chinook/_spec'])
        expect(page).toContain(`href="${href}"`);
      expect(page).toContain('<code>chinook</code>');
      expect(page).toContain('<code>archive</code>');
      expect(page).toContain('/api/v2/chinook/_table/Album?limit=5');
      expect(page).toMatch(
        /<code>Album_by_ArtistId<\/code> <span class="muted">has_many → chinook\.Album<\/span>/,
      );
      expect(page).toMatch(
        /<code>chinook\.Artist_by_ArtistId<\/code> <span class="muted">belongs_to → chinook\.Artist<\/span><span class="tag cross">cross-database<\/span><span class="tag">virtual<\/span>/,
      );
      expect(page).toContain('class="ok">reachable');
      expect(page).toContain('open server');
    });

    it('escapes every name and loads nothing from elsewhere', async () => {
      const page = (await rest.get('/')).text;
      expect(page).toContain('<code>x&lt;b&gt;y</code>');
      expect(page).not.toContain('x<b>y');
      expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
      expect(page).not.toMatch(/<script/);
    });

    it('lists the scripted services with their docs, names escaped', async () => {
      const page = (await rest.get('/', HTML)).text;
      expect(page).toContain('Scripted services');
      expect(page).toContain('<td><code>staff</code></td><td>Staff &lt;directory&gt;');
      expect(page).toContain('Who works here &amp; where');
      expect(page).toContain('<code>secret</code>');
      expect(page).toContain('href="/api/v2/api_docs/staff"');
      expect(page).toContain('href="/api/v2/api_docs/?urls.primaryName=staff"');
      expect(page).not.toContain('Staff <directory>');
      // The link leads to the service's document.
      const doc = await rest.get('/api/v2/api_docs/staff');
      expect(doc.status).toBe(200);
      expect(doc.body.servers).toEqual([{ url: '/api/v2/staff' }]);
    });

    it('shows anonymous callers of a secured server no tables, and a role only its own', async () => {
      const anonymous = (await securedRest.get('/')).text;
      expect(anonymous).toContain('Access control is on');
      expect(anonymous).not.toContain('Album');
      expect(anonymous).not.toContain('Scripted services');
      expect(anonymous).toContain('<code>chinook</code>'); // the health table names the services, as /ready does
      const reader = (await securedRest.get(`/?api_key=${KEY}`)).text;
      expect(reader).toContain('role reader');
      expect(reader).toContain('/api/v2/chinook/_table/Album?limit=5');
      expect(reader).not.toContain('_table/Track');
      expect(reader).not.toContain('<code>archive</code> <span');
      expect(reader).toContain('<td><code>staff</code></td>');
      expect(reader).not.toContain('<code>secret</code>');
    });
  });

  describe('Swagger UI at /api/v2/api_docs', () => {
    it('serves the page with a picker of every service, from local assets', async () => {
      for (const path of ['/api/v2/api_docs', '/api/v2/api_docs/', '/api/api_docs']) {
        const res = await rest.get(path, HTML);
        expect(res.status, path).toBe(200);
        expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
        const config = /<script type="application\/json" id="junction-config">(.*?)<\/script>/.exec(res.text);
        expect(JSON.parse(config?.[1] ?? 'null')).toEqual({
          list: '/api/v2/api_docs',
          urls: [
            { name: 'chinook', url: '/api/v2/api_docs/chinook' },
            { name: 'archive', url: '/api/v2/api_docs/archive' },
            { name: 'staff', url: '/api/v2/api_docs/staff' },
            { name: 'secret', url: '/api/v2/api_docs/secret' },
          ],
        });
        expect(res.text).not.toMatch(/(src|href)="(https?:)?\/\//);
      }
      // The secured server serves the page without credentials: the key is typed into it.
      expect((await securedRest.get('/api/v2/api_docs', HTML)).status).toBe(200);
    });

    it('lists in the picker only the services the caller’s role has documents for', async () => {
      const picker = async (path: string, headers: Record<string, string> = {}) => {
        const res = await securedRest.get(path, { ...HTML, ...headers });
        expect(res.status, path).toBe(200);
        const config = /<script type="application\/json" id="junction-config">(.*?)<\/script>/.exec(res.text);
        return (JSON.parse(config?.[1] ?? 'null') as { urls: { name: string }[] }).urls.map((u) => u.name);
      };
      expect(await picker('/api/v2/api_docs')).toEqual([]);
      expect(await picker(`/api/v2/api_docs?api_key=${KEY}`)).toEqual(['chinook', 'staff']);
      expect(await picker('/api/v2/api_docs', { 'X-DreamFactory-Api-Key': KEY })).toEqual([
        'chinook',
        'staff',
      ]);
      // A key typed into the page: the script reads the role-filtered JSON list, which names the same services.
      const list = await securedRest.get('/api/v2/api_docs', { 'X-DreamFactory-Api-Key': KEY });
      expect(list.body).toEqual({
        resource: [
          { name: 'chinook', url: '/api/v2/api_docs/chinook' },
          { name: 'staff', url: '/api/v2/api_docs/staff' },
        ],
      });
      const init = (await securedRest.get('/_docs/swagger-ui/junction-init.js')).text;
      expect(init).toContain('fetch(config.list');
      expect(init).toContain("'X-DreamFactory-Api-Key': key");
    });

    it('serves the swagger-ui-dist assets and the init script, and nothing else', async () => {
      const page = (await rest.get('/api/v2/api_docs', HTML)).text;
      const assets = [...page.matchAll(/(?:src|href)="(\/_docs\/swagger-ui\/[^"]+)"/g)].map((m) => m[1]!);
      expect(assets).toEqual(
        expect.arrayContaining([
          '/_docs/swagger-ui/swagger-ui.css',
          '/_docs/swagger-ui/swagger-ui-bundle.js',
          '/_docs/swagger-ui/swagger-ui-standalone-preset.js',
          '/_docs/swagger-ui/junction-init.js',
        ]),
      );
      for (const asset of assets) {
        const res = await rest.get(asset);
        expect(res.status, asset).toBe(200);
        expect(res.text.length, asset).toBeGreaterThan(asset.endsWith('.png') ? 100 : 500);
      }
      const bundle = await rest.get('/_docs/swagger-ui/swagger-ui-bundle.js');
      expect(bundle.headers.get('content-type')).toContain('text/javascript');
      expect(bundle.text).toContain('SwaggerUIBundle');
      const init = (await rest.get('/_docs/swagger-ui/junction-init.js')).text;
      expect(init).toContain("'X-DreamFactory-Api-Key'");
      expect(init).toContain("preauthorizeApiKey('api_key_header'");
      for (const bad of [
        '/_docs/swagger-ui/package.json',
        '/_docs/swagger-ui/../../package.json',
        '/_docs/swagger-ui/',
      ])
        expect((await rest.get(bad)).status, bad).toBe(404);
    });

    it('still answers JSON clients with the list of documents', async () => {
      const res = await rest.get('/api/v2/api_docs');
      expect(res.status).toBe(200);
      expect(res.body.resource.map((s: any) => s.name)).toEqual(['chinook', 'archive', 'staff', 'secret']);
      const spec = await rest.get('/api/v2/api_docs/archive');
      const album = spec.body.components.schemas['Album.Record'].properties;
      expect(album['chinook.Artist_by_ArtistId'].description).toMatch(/across databases/);
    });
  });
});
