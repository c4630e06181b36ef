// The config's auth section → AuthConfig (apps with key hashes, roles with service access), or the exact
// `path: message` lines an operator would see. No message may contain a key or a key hash.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ACCESS_VERBS, verbMask, verbsFromMask } from '../../../src/config/auth-schema.js';
import { parse, problems, sqlite } from './helpers.js';

const KEY = 'k3y-for-the-web-app-0123456789abcdef';
const HASH = createHash('sha256').update(KEY).digest('hex');
const OTHER_HASH = createHash('sha256').update('another key, long enough').digest('hex');

const reader = { name: 'reader', access: [{ service: 'chinook', verbs: ['GET'] }] };
const withAuth = (auth: Record<string, unknown>) => ({ services: [sqlite(), sqlite('crm')], auth });
const app = (extra: Record<string, unknown> = {}) => ({
  name: 'web',
  role: 'reader',
  apiKeyHash: HASH,
  ...extra,
});

describe('auth defaults and normalisation', () => {
  it('is open (no roles, no apps) and accepts ?api_key= when the section is left out', () => {
    expect(parse({ services: [sqlite()] }).auth).toEqual({ apiKeyInQuery: true, roles: [], apps: [] });
  });

  it('fills in every default of a role, its access entries and an app', () => {
    const auth = parse(withAuth({ roles: [reader], apps: [app()] })).auth;
    expect(auth).toEqual({
      apiKeyInQuery: true,
      roles: [
        {
          name: 'reader',
          description: null,
          active: true,
          access: [
            {
              service: 'chinook',
              component: '*',
              verbs: ['GET'],
              filters: [],
              filterOp: 'AND',
              hiddenFields: [],
              writableFields: null,
            },
          ],
        },
      ],
      apps: [{ name: 'web', description: null, active: true, role: 'reader', apiKeyHash: HASH }],
    });
  });

  it('keeps what is given: descriptions, inactive flags, filters, field rules and apiKeyInQuery false', () => {
    const role = {
      name: 'own-rows',
      description: 'Customers see their invoices',
      active: false,
      access: [
        {
          service: '*',
          component: '/_table/Invoice/',
          verbs: ['PATCH', 'GET', 'GET'],
          filters: [
            { field: 'CustomerId', operator: '=', value: '{user.id}' },
            { field: 'Total', operator: '>', value: 5 },
            { field: 'DeletedAt', operator: 'IS NULL' },
          ],
          filterOp: 'OR',
          hiddenFields: ['Email'],
          writableFields: ['BillingAddress'],
        },
      ],
    };
    const auth = parse(
      withAuth({ apiKeyInQuery: false, roles: [role], apps: [app({ role: 'own-rows', active: false })] }),
    ).auth;
    expect(auth.apiKeyInQuery).toBe(false);
    expect(auth.roles[0]).toEqual({
      name: 'own-rows',
      description: 'Customers see their invoices',
      active: false,
      access: [
        {
          service: '*',
          component: '_table/Invoice',
          verbs: ['GET', 'PATCH'],
          filters: [
            { field: 'CustomerId', operator: '=', value: '{user.id}' },
            { field: 'Total', operator: '>', value: '5' },
            { field: 'DeletedAt', operator: 'IS NULL', value: '' },
          ],
          filterOp: 'OR',
          hiddenFields: ['Email'],
          writableFields: ['BillingAddress'],
        },
      ],
    });
    expect(auth.apps[0]?.active).toBe(false);
  });

  it('accepts the empty component, which means the service root only', () => {
    const role = { name: 'root', access: [{ service: 'chinook', component: '', verbs: ['GET'] }] };
    expect(parse(withAuth({ roles: [role] })).auth.roles[0]?.access[0]?.component).toBe('');
  });

  it("reads verbs '*' as all five verbs", () => {
    const role = { name: 'admin', access: [{ service: '*', verbs: '*' }] };
    expect(parse(withAuth({ roles: [role] })).auth.roles[0]?.access[0]?.verbs).toEqual([
      'GET',
      'POST',
      'PUT',
      'PATCH',
      'DELETE',
    ]);
  });

  it("reads DreamFactory's verbMask as the verbs of its bits (GET 1, POST 2, PUT 4, PATCH 8, DELETE 16)", () => {
    const access = [31, 5, 0, 24].map((mask) => ({ service: 'chinook', verbMask: mask }));
    const verbs = parse(withAuth({ roles: [{ name: 'r', access }] })).auth.roles[0]?.access.map(
      (a) => a.verbs,
    );
    expect(verbs).toEqual([[...ACCESS_VERBS], ['GET', 'PUT'], [], ['PATCH', 'DELETE']]);
  });

  it('converts between verb masks and verb lists both ways for every mask from 0 to 31', () => {
    for (let mask = 0; mask <= 31; mask++) expect(verbMask(verbsFromMask(mask))).toBe(mask);
    expect(verbMask(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])).toBe(31);
  });

  it('stores an apiKeyHash with or without the sha256: prefix as lower-case hex', () => {
    const apps = [app(), app({ name: 'b', apiKeyHash: `sha256:${OTHER_HASH.toUpperCase()}` })];
    expect(parse(withAuth({ roles: [reader], apps })).auth.apps.map((a) => a.apiKeyHash)).toEqual([
      HASH,
      OTHER_HASH,
    ]);
  });

  it('hashes a plain apiKey from the environment and keeps no copy of the key anywhere in the config', () => {
    const apps = [{ name: 'web', role: 'reader', apiKey: '${WEB_API_KEY}' }];
    const config = parse(withAuth({ roles: [reader], apps }), { WEB_API_KEY: KEY });
    expect(config.auth.apps[0]?.apiKeyHash).toBe(HASH);
    expect(config.auth.apps[0]).not.toHaveProperty('apiKey');
    expect(JSON.stringify(config)).not.toContain(KEY);
  });
});

describe('auth validation', () => {
  it('rejects a role name used twice', () => {
    expect(problems(withAuth({ roles: [reader, { name: 'other' }, reader] }))).toEqual([
      "auth.roles[2].name: duplicate role name 'reader' (first at auth.roles[0])",
    ]);
  });

  it('rejects an app name used twice', () => {
    const apps = [app(), app({ apiKeyHash: OTHER_HASH })];
    expect(problems(withAuth({ roles: [reader], apps }))).toEqual([
      "auth.apps[1].name: duplicate app name 'web' (first at auth.apps[0])",
    ]);
  });

  it('rejects role and app names with characters outside letters, digits, _ and -', () => {
    expect(problems(withAuth({ roles: [{ name: 'read only' }], apps: [app({ name: 'web/app' })] }))).toEqual([
      'auth.apps[0].name: must be letters, digits, _ or -',
      "auth.apps[0].role: unknown role 'reader' (roles: read only)",
      'auth.roles[0].name: must be letters, digits, _ or -',
    ]);
  });

  it('rejects an app whose role is not configured, listing the roles there are', () => {
    expect(problems(withAuth({ roles: [reader], apps: [app({ role: 'writer' })] }))).toEqual([
      "auth.apps[0].role: unknown role 'writer' (roles: reader)",
    ]);
    expect(problems(withAuth({ apps: [app()] }))).toEqual([
      "auth.apps[0].role: unknown role 'reader' (no roles are configured)",
    ]);
  });

  it("rejects an access entry for a service that is not configured ('*' is every service)", () => {
    const role = {
      name: 'r',
      access: [
        { service: 'nope', verbs: '*' },
        { service: '*', verbs: '*' },
      ],
    };
    expect(problems(withAuth({ roles: [role] }))).toEqual([
      "auth.roles[0].access[0].service: unknown service 'nope' (services: chinook, crm); '*' means every service",
    ]);
  });

  it('rejects an app with both apiKey and apiKeyHash, or with neither', () => {
    const apps = [app({ apiKey: KEY }), { name: 'bare', role: 'reader' }];
    expect(problems(withAuth({ roles: [reader], apps }))).toEqual([
      'auth.apps[0]: give apiKey or apiKeyHash, not both',
      'auth.apps[1]: needs apiKeyHash (from `junction key create`) or apiKey (e.g. ${APP_API_KEY})',
    ]);
  });

  it('rejects a malformed apiKeyHash without echoing it', () => {
    const apps = [app({ apiKeyHash: HASH.slice(1) }), app({ name: 'b', apiKeyHash: `md5:${HASH}` })];
    const lines = problems(withAuth({ roles: [reader], apps }));
    expect(lines).toEqual([
      "auth.apps[0].apiKeyHash: must be 64 hex characters (the key's SHA-256), optionally after sha256:",
      "auth.apps[1].apiKeyHash: must be 64 hex characters (the key's SHA-256), optionally after sha256:",
    ]);
  });

  it('rejects a plain apiKey shorter than 16 characters as too guessable, without echoing it', () => {
    const apps = [{ name: 'web', role: 'reader', apiKey: '${WEB_API_KEY}' }];
    const lines = problems(withAuth({ roles: [reader], apps }), { WEB_API_KEY: 'hunter2-hunter2' });
    expect(lines).toEqual([
      'auth.apps[0].apiKey: is too short to be safe: use at least 16 characters (junction key create makes one)',
    ]);
    expect(lines.join('\n')).not.toContain('hunter2');
  });

  it('reports a missing key variable once, as missing', () => {
    const apps = [{ name: 'web', role: 'reader', apiKey: '${WEB_API_KEY}' }];
    expect(problems(withAuth({ roles: [reader], apps }))).toEqual([
      'auth.apps[0].apiKey: environment variable WEB_API_KEY is not set',
    ]);
  });

  it('rejects one API key used by two apps, whether given plain or hashed, naming the other app but not the key', () => {
    const apps = [
      app(),
      { name: 'mobile', role: 'reader', apiKey: KEY },
      app({ name: 'c', apiKeyHash: HASH.toUpperCase() }),
    ];
    const lines = problems(withAuth({ roles: [reader], apps }));
    expect(lines).toEqual([
      'auth.apps[1].apiKey: the same API key as auth.apps[0]; give each app its own key',
      'auth.apps[2].apiKeyHash: the same API key as auth.apps[0]; give each app its own key',
    ]);
    for (const secret of [KEY, HASH, HASH.toUpperCase()]) expect(lines.join('\n')).not.toContain(secret);
  });

  it('rejects an unknown verb at its index, and a verbMask above 31', () => {
    const access = [
      { service: 'chinook', verbs: ['GET', 'FETCH'] },
      { service: 'chinook', verbs: 'all' },
      { service: 'chinook', verbMask: 32 },
    ];
    expect(problems(withAuth({ roles: [{ name: 'r', access }] }))).toEqual([
      'auth.roles[0].access[0].verbs[1]: expected one of GET, POST, PUT, PATCH, DELETE',
      'auth.roles[0].access[1].verbs: does not match any allowed form',
      'auth.roles[0].access[2].verbMask: must be 0 to 31 (GET 1, POST 2, PUT 4, PATCH 8, DELETE 16)',
    ]);
  });

  it('rejects an access entry with both verbs and verbMask, or with neither', () => {
    const access = [
      { service: 'chinook', verbs: ['GET'], verbMask: 1 },
      { service: 'chinook', component: '_table/*' },
    ];
    expect(problems(withAuth({ roles: [{ name: 'r', access }] }))).toEqual([
      'auth.roles[0].access[0]: give verbs or verbMask, not both',
      "auth.roles[0].access[1]: needs verbs (a list, or '*' for all) or verbMask",
    ]);
  });

  it('rejects a bad filter operator or filterOp, and a filter without a value', () => {
    const access = [
      {
        service: 'chinook',
        verbs: '*',
        filters: [
          { field: 'CustomerId', operator: '==', value: 1 },
          { field: 'CustomerId', operator: 'IN' },
        ],
        filterOp: 'XOR',
      },
    ];
    expect(problems(withAuth({ roles: [{ name: 'r', access }] }))).toEqual([
      'auth.roles[0].access[0].filterOp: expected one of AND, OR',
      'auth.roles[0].access[0].filters[0].operator: expected one of =, !=, >, >=, <, <=, IN, NOT IN, STARTS WITH, ENDS WITH, CONTAINS, IS NULL, IS NOT NULL',
      "auth.roles[0].access[0].filters[1].value: is required for operator 'IN'",
    ]);
  });

  it('rejects components that are not DreamFactory patterns', () => {
    const access = ['table/*', '_table/*/Album', '*_table'].map((component) => ({
      service: 'chinook',
      component,
      verbs: '*',
    }));
    const message =
      "expected '', '*', or a path under _table, _schema, _proc or _func with * only at the end";
    expect(problems(withAuth({ roles: [{ name: 'r', access }] }))).toEqual(
      [0, 1, 2].map((i) => `auth.roles[0].access[${i}].component: ${message}`),
    );
  });

  it('rejects unknown keys in every part of the section', () => {
    const role = { name: 'r', colour: 'red', access: [{ service: 'chinook', verbs: '*', verb: 'GET' }] };
    expect(problems(withAuth({ roles: [role], apps: [], keys: [] }))).toEqual([
      'auth.keys: unknown key (expected one of apiKeyInQuery, roles, apps, sessionSecret, sessionTtlSeconds, systemDatabase, requireApiKeyWithSession, externalJwt)',
      expect.stringMatching(/^auth\.roles\[0\]\.access\[0\]\.verb: unknown key/),
      'auth.roles[0].colour: unknown key (expected one of name, description, active, access)',
    ]);
  });

  it('reports every problem in the section together, each with its path', () => {
    const auth = {
      roles: [
        { name: 'reader', access: [{ service: 'nope', verbs: ['GET', 'GOT'] }] },
        {
          name: 'reader',
          access: [{ service: 'crm', verbMask: 1, filters: [{ field: 'x', operator: 'LIKE', value: 'a' }] }],
        },
      ],
      apps: [
        app({ role: 'ghost' }),
        app({ apiKeyHash: 'sha256:xyz' }),
        { name: 'short', role: 'reader', apiKey: 'abc' },
        { name: 'twice', role: 'reader', apiKey: KEY, apiKeyHash: HASH },
      ],
    };
    expect(problems(withAuth(auth))).toEqual([
      "auth.apps[0].role: unknown role 'ghost' (roles: reader)",
      "auth.apps[1].apiKeyHash: must be 64 hex characters (the key's SHA-256), optionally after sha256:",
      "auth.apps[1].name: duplicate app name 'web' (first at auth.apps[0])",
      'auth.apps[2].apiKey: is too short to be safe: use at least 16 characters (junction key create makes one)',
      'auth.apps[3]: give apiKey or apiKeyHash, not both',
      "auth.roles[0].access[0].service: unknown service 'nope' (services: chinook, crm); '*' means every service",
      'auth.roles[0].access[0].verbs[1]: expected one of GET, POST, PUT, PATCH, DELETE',
      'auth.roles[1].access[0].filters[0].operator: expected one of =, !=, >, >=, <, <=, IN, NOT IN, STARTS WITH, ENDS WITH, CONTAINS, IS NULL, IS NOT NULL',
      "auth.roles[1].name: duplicate role name 'reader' (first at auth.roles[0])",
    ]);
  });
});

describe('users, sessions and external tokens in the config', () => {
  const SECRET = 'a-session-secret-of-at-least-32-bytes!';
  const withUsers = (extra: Record<string, unknown>) =>
    withAuth({ roles: [reader], apps: [app()], ...extra });

  it('turns users on with sessionSecret: the system database defaults to junction-system.sqlite beside the config', () => {
    expect(parse(withUsers({ sessionSecret: '${SECRET}' }), { SECRET }).auth).toMatchObject({
      requireApiKeyWithSession: true,
      users: {
        systemDatabase: { filename: '/etc/junction/junction-system.sqlite' },
        sessionSecret: SECRET,
        sessionTtlSeconds: 3600,
      },
      externalJwt: null,
    });
  });

  it('resolves systemDatabase.filename and jwksFile against the config folder and fills the claim defaults', () => {
    const auth = parse(
      withUsers({
        sessionSecret: SECRET,
        sessionTtlSeconds: 600,
        systemDatabase: { filename: 'data/system.sqlite' },
        requireApiKeyWithSession: false,
        externalJwt: {
          jwksFile: 'idp/jwks.json',
          algorithms: ['RS256', 'RS256'],
          roleMap: { staff: 'reader' },
        },
      }),
    ).auth;
    expect(auth.users?.systemDatabase).toEqual({ filename: '/etc/junction/data/system.sqlite' });
    expect(auth.users?.sessionTtlSeconds).toBe(600);
    expect(auth.requireApiKeyWithSession).toBe(false);
    expect(auth.externalJwt).toEqual({
      secret: null,
      jwksFile: '/etc/junction/idp/jwks.json',
      algorithms: ['RS256'],
      issuer: null,
      audience: null,
      roleClaim: 'role',
      roleMap: { staff: 'reader' },
      emailClaim: 'email',
      idClaim: 'sub',
    });
  });

  it('refuses a short secret without printing it, and a system database without a secret', () => {
    expect(problems(withUsers({ sessionSecret: 'short-secret' }))).toEqual([
      'auth.sessionSecret: is too short to be safe: use at least 32 bytes (e.g. openssl rand -base64 48)',
    ]);
    expect(problems(withUsers({ systemDatabase: { filename: 'x.sqlite' } }))).toEqual([
      'auth.sessionSecret: is required when auth.systemDatabase is set: at least 32 bytes, e.g. ${JUNCTION_SESSION_SECRET}',
    ]);
  });

  it('keeps users in a configured SQL service when systemDatabase names one', () => {
    const auth = parse(withUsers({ sessionSecret: SECRET, systemDatabase: { service: 'crm' } })).auth;
    expect(auth.users?.systemDatabase).toEqual({ service: 'crm' });
  });

  it('refuses a system database service that is not configured, or both a filename and a service', () => {
    expect(problems(withUsers({ sessionSecret: SECRET, systemDatabase: { service: 'billing' } }))).toEqual([
      "auth.systemDatabase.service: 'billing' is not a configured PostgreSQL, MySQL or SQLite service (SQL services: chinook, crm)",
    ]);
    expect(
      problems(
        withUsers({ sessionSecret: SECRET, systemDatabase: { service: 'crm', filename: 'x.sqlite' } }),
      ),
    ).toEqual(['auth.systemDatabase: give filename or service, not both']);
    expect(problems(withUsers({ sessionSecret: SECRET, systemDatabase: {} }))).toEqual([
      'auth.systemDatabase: needs filename (a SQLite file) or service (a configured SQL service)',
    ]);
  });

  it('needs a key for each algorithm family, known roles, and an app when tokens need keys', () => {
    const externalJwt = {
      algorithms: ['HS256', 'ES256', 'none'],
      issuer: 'junction',
      roleMap: { staff: 'writer' },
    };
    expect(problems(withAuth({ roles: [reader], externalJwt }))).toEqual([
      'auth.apps: session tokens need an app key to come with them (requireApiKeyWithSession), but no apps are configured',
      expect.stringMatching(/^auth\.externalJwt\.algorithms\[2\]: expected one of HS256, /),
      "auth.externalJwt.issuer: 'junction' is the issuer of Junction's own session tokens",
      'auth.externalJwt.jwksFile: is required for the RS*, PS* and ES* algorithms',
      "auth.externalJwt.roleMap.staff: unknown role 'writer'",
      'auth.externalJwt.secret: is required for the HS* algorithms',
    ]);
  });
});
