// Config documents → normalised JunctionConfig, or the exact `path: message` lines an operator would see.
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/config/limits-schema.js';
import { parse, problems, sqlite } from './helpers.js';

describe('defaults and connections', () => {
  it('gives a minimal sqlite config every default', () => {
    expect(parse({ services: [sqlite()] })).toEqual({
      source: null,
      server: { host: '127.0.0.1', port: 8080, adminToken: null },
      schemaCache: { dir: '/etc/junction/schema-cache', mode: 'auto' },
      services: [
        {
          name: 'chinook',
          type: 'sqlite',
          label: null,
          description: null,
          connection: { kind: 'file', filename: '/etc/junction/chinook.sqlite' },
          schema: null,
          database: null,
          sampleSize: 1000,
          maxRecords: 1000,
          tables: {},
          pool: { max: 10, acquireTimeoutMs: 2000, maxWaiting: 100 },
          timeouts: { connectMs: 2000, statementMs: 5000 },
          breaker: { failures: 5, openMs: 5000 },
          cache: { ttlSeconds: 0 },
        },
      ],
      virtualForeignKeys: [],
      relationsFile: '/etc/junction/junction.relations.json',
      auth: { apiKeyInQuery: true, roles: [], apps: [] },
      limits: DEFAULT_LIMITS,
      cache: {
        store: 'memory',
        redisUrl: null,
        keyPrefix: 'junction',
        maxEntries: 10000,
        maxBytes: 67108864,
        maxEntryBytes: 1048576,
      },
      observability: {
        logs: { level: 'info', format: 'json' },
        metrics: { enabled: true, token: null },
        tracing: { enabled: false, endpoint: null, serviceName: 'junction' },
        queryLog: { enabled: false, bindings: 'redacted' },
      },
      scripts: {
        dir: '/etc/junction/scripts',
        timeoutMs: 5000,
        settings: {},
        events: [],
        services: [],
      },
    });
  });

  it('keeps a postgres url as a url and defaults the schema to public', () => {
    const [service] = parse({
      services: [{ name: 'pg', type: 'postgres', url: 'postgres://u:p@h:5432/db' }],
    }).services;
    expect(service?.connection).toEqual({ kind: 'url', url: 'postgres://u:p@h:5432/db' });
    expect(service?.schema).toBe('public');
  });

  it('turns connection fields into a fields connection with nulls for what is left out', () => {
    const config = parse({
      services: [
        { name: 'my', type: 'mysql', connection: { host: 'db', port: '3306', database: 'chinook' } },
      ],
    });
    expect(config.services[0]?.connection).toEqual({
      kind: 'fields',
      host: 'db',
      port: 3306,
      user: null,
      password: null,
      database: 'chinook',
    });
  });

  it('takes the mongodb database from the service when the connection fields have none', () => {
    const [service] = parse({
      services: [{ name: 'reviews', type: 'mongodb', database: 'reviews', connection: { host: 'mongo' } }],
    }).services;
    expect(service?.connection).toMatchObject({ kind: 'fields', database: 'reviews' });
    expect(service?.database).toBe('reviews');
  });

  it('resolves sqlite urls and filenames against the config directory but leaves :memory: alone', () => {
    const config = parse({
      schemaCache: { dir: '../cache', mode: 'frozen' },
      services: [
        { name: 'a', type: 'sqlite', url: 'sqlite:./data/a.db' },
        { name: 'b', type: 'sqlite', url: 'file:///var/b.db' },
        { name: 'c', type: 'sqlite', filename: ':memory:' },
      ],
    });
    expect(config.schemaCache).toEqual({ dir: '/etc/cache', mode: 'frozen' });
    expect(config.services.map((s) => s.connection)).toEqual([
      { kind: 'file', filename: '/etc/junction/data/a.db' },
      { kind: 'file', filename: '/var/b.db' },
      { kind: 'file', filename: ':memory:' },
    ]);
  });

  it('treats an empty admin token as no admin token', () => {
    expect(parse({ server: { adminToken: '' }, services: [sqlite()] }).server.adminToken).toBeNull();
  });

  it('keeps table naming overrides', () => {
    const tables = { Album: { graphqlType: 'Record', graphqlList: 'records', fields: { Title: 'name' } } };
    expect(parse({ services: [{ ...sqlite(), tables }] }).services[0]?.tables).toEqual(tables);
  });
});

describe('connection rules', () => {
  it('rejects a service with no way to connect', () => {
    expect(problems({ services: [{ name: 'pg', type: 'postgres' }] })).toEqual([
      'services[0]: needs url or connection',
    ]);
  });

  it('rejects a service with both a url and connection fields', () => {
    const service = {
      name: 'pg',
      type: 'postgres',
      url: 'postgres://h/db',
      connection: { host: 'h', database: 'd' },
    };
    expect(problems({ services: [service] })).toEqual(['services[0]: give only one of url or connection']);
  });

  it('rejects a filename on a server database and connection fields on sqlite', () => {
    expect(
      problems({
        services: [
          { name: 'pg', type: 'postgres', filename: 'x.db' },
          { name: 'lite', type: 'sqlite', connection: { host: 'h' } },
        ],
      }),
    ).toEqual([
      'services[0].filename: a postgres service takes url or connection, not filename',
      'services[1].connection: a sqlite service takes filename or url, not connection',
    ]);
  });

  it('rejects a url of the wrong kind without echoing it', () => {
    const lines = problems({ services: [{ name: 'pg', type: 'postgres', url: 'mysql://u:hunter2@h/db' }] });
    expect(lines).toEqual(['services[0].url: a postgres url starts with postgres:// or postgresql://']);
  });

  it('requires a database in postgres and mysql connection fields', () => {
    expect(problems({ services: [{ name: 'pg', type: 'postgres', connection: { host: 'h' } }] })).toEqual([
      'services[0].connection.database: is required',
    ]);
  });

  it('rejects schema on a service that is not postgres', () => {
    expect(problems({ services: [{ ...sqlite(), schema: 'main' }] })).toEqual([
      'services[0].schema: only postgres services have a schema',
    ]);
  });

  it('rejects database on a service that is not mongodb', () => {
    expect(problems({ services: [{ ...sqlite(), database: 'main' }] })).toEqual([
      'services[0].database: only mongodb services take database; use connection.database or the url',
    ]);
  });
});

describe('shape errors', () => {
  it('names the allowed service types', () => {
    expect(problems({ services: [sqlite('a'), sqlite('b'), { ...sqlite('c'), type: 'oracle' }] })).toEqual([
      'services[2].type: expected one of postgres, mysql, sqlite, mongodb',
    ]);
  });

  it('rejects an unknown key with its path and the allowed keys', () => {
    expect(problems({ services: [{ ...sqlite(), maxrecords: 5 }] })).toEqual([
      'services[0].maxrecords: unknown key (expected one of name, type, label, description, url, connection, ' +
        'filename, schema, database, sampleSize, maxRecords, tables, pool, timeouts, breaker, cache)',
    ]);
  });

  it('rejects service names that DreamFactory would not round-trip', () => {
    expect(problems({ services: [sqlite('Chinook'), sqlite('a'.repeat(65))] })).toEqual([
      'services[0].name: must be lowercase: a letter, then letters, digits, _ or - (DreamFactory lower-cases names)',
      'services[1].name: must be at most 64 characters',
    ]);
  });

  it('rejects override names that are not GraphQL names', () => {
    const tables = {
      'dbo.Album': { graphqlType: 'My Album', relations: { Artist_by_ArtistId: '__artist' } },
    };
    const rule = 'must be a GraphQL name: a letter or _, then letters, digits or _ (not starting with __)';
    expect(problems({ services: [{ ...sqlite(), tables }] })).toEqual([
      `services[0].tables["dbo.Album"].graphqlType: ${rule}`,
      `services[0].tables["dbo.Album"].relations.Artist_by_ArtistId: ${rule}`,
    ]);
  });

  it('rejects ports and record caps that are not positive integers', () => {
    expect(
      problems({
        server: { port: 70000 },
        services: [
          { ...sqlite(), maxRecords: 0 },
          { ...sqlite('b'), maxRecords: 'lots' },
        ],
      }),
    ).toEqual([
      'server.port: must be at most 65535',
      'services[0].maxRecords: must be at least 1',
      'services[1].maxRecords: expected an integer',
    ]);
  });

  it('says what is missing and what type was expected', () => {
    expect(problems({ server: [], services: [{ type: 'sqlite', filename: 'x.db' }] })).toEqual([
      'server: expected an object, got a list',
      'services[0].name: is required',
    ]);
  });

  it('rejects an empty document and an empty services list', () => {
    expect(problems(null)).toEqual(['the config is empty; it needs at least a services list']);
    expect(problems({ services: [] })).toEqual(['services: needs at least one service']);
  });

  it('rejects duplicate service names, pointing at the first one', () => {
    expect(problems({ services: [sqlite(), sqlite('other'), sqlite(), sqlite()] })).toEqual([
      "services[2].name: duplicate service name 'chinook' (first at services[0])",
      "services[3].name: duplicate service name 'chinook' (first at services[0])",
    ]);
  });

  it('reports every problem at once, in document order', () => {
    expect(
      problems({
        server: { port: 0, colour: 'blue' },
        services: [
          { name: 'x', type: 'mysql' },
          ...Array.from({ length: 9 }, (_, i) => sqlite(`s${i}`)),
          sqlite('x'),
        ],
        virtualForeignKeys: [{ from: 'x.a.b', to: 'nowhere.c.d' }],
      }),
    ).toEqual([
      'server.colour: unknown key (expected one of host, port, adminToken, workers, shutdownTimeoutMs)',
      'server.port: must be at least 1',
      'services[0]: needs url or connection',
      "services[10].name: duplicate service name 'x' (first at services[0])",
      "virtualForeignKeys[0].to: unknown service 'nowhere' (services: x, s0, s1, s2, s3, s4, s5, s6, s7, s8)",
    ]);
  });
});
