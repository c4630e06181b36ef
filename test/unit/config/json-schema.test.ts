// zod config schema → schema/junction.schema.json: the committed file is current and accepts real configs.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA_FILE, renderConfigSchema } from '../../../scripts/write-config-schema.js';

type Schema = Record<string, unknown>;

/** The subset of JSON Schema 2020-12 that z.toJSONSchema emits for this config; returns the failing paths. */
function violations(schema: Schema, value: unknown, path = '$'): string[] {
  const fail = (why: string) => [`${path}: ${why}`];
  if (Array.isArray(schema.anyOf)) {
    const ok = (schema.anyOf as Schema[]).some((branch) => violations(branch, value, path).length === 0);
    if (!ok) return fail('matches no anyOf branch');
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return fail('not in enum');
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') return fail('expected string');
      if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value))
        return fail('pattern');
      if (typeof schema.minLength === 'number' && value.length < schema.minLength) return fail('minLength');
      if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) return fail('maxLength');
      return [];
    case 'integer':
      if (!Number.isInteger(value)) return fail('expected integer');
      if (typeof schema.minimum === 'number' && (value as number) < schema.minimum) return fail('minimum');
      if (typeof schema.maximum === 'number' && (value as number) > schema.maximum) return fail('maximum');
      return [];
    case 'array':
      if (!Array.isArray(value)) return fail('expected array');
      if (typeof schema.minItems === 'number' && value.length < schema.minItems) return fail('minItems');
      return value.flatMap((item, i) => violations(schema.items as Schema, item, `${path}[${i}]`));
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('expected object');
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const record = value as Record<string, unknown>;
      const missing = ((schema.required ?? []) as string[]).filter((key) => !(key in record));
      return [
        ...missing.map((key) => `${path}.${key}: required`),
        ...Object.entries(record).flatMap(([key, item]) => {
          const rule = properties[key] ?? schema.additionalProperties;
          if (rule === false || rule === undefined)
            return rule === false ? [`${path}.${key}: not allowed`] : [];
          return violations(rule as Schema, item, `${path}.${key}`);
        }),
      ];
    }
    default:
      return [];
  }
}

const sample = {
  $schema: '../schema/junction.schema.json',
  server: { host: '0.0.0.0', port: '${PORT:-8080}', adminToken: '${JUNCTION_ADMIN_TOKEN}' },
  schemaCache: { dir: './schema-cache', mode: 'auto' },
  services: [
    {
      name: 'chinook',
      type: 'postgres',
      label: 'Chinook',
      url: 'postgres://user:${PG_PASSWORD}@host:5432/db',
      schema: 'public',
      maxRecords: 500,
      tables: { Album: { graphqlType: 'Record', graphqlList: 'records', fields: { Title: 'name' } } },
    },
    { name: 'reviews', type: 'mongodb', connection: { host: 'mongo', port: 27017, database: 'reviews' } },
    { name: 'local', type: 'sqlite', filename: './data/chinook.sqlite' },
  ],
  virtualForeignKeys: [
    { from: 'reviews.review.track_id', to: 'chinook.Track.TrackId' },
    {
      from: { service: 'local', table: 'a.b', fields: ['x', 'y'] },
      to: { service: 'chinook', table: 'u', fields: ['x', 'y'] },
    },
  ],
  auth: {
    apiKeyInQuery: false,
    roles: [
      {
        name: 'reader',
        description: 'Read-only',
        active: true,
        access: [
          {
            service: 'chinook',
            component: '_table/*',
            verbs: ['GET'],
            filters: [{ field: 'CustomerId', operator: '=', value: '{user.id}' }],
            filterOp: 'AND',
            hiddenFields: ['Email'],
            writableFields: null,
          },
          { service: '*', component: '', verbs: '*' },
          { service: 'reviews', verbMask: 31, writableFields: ['rating'] },
        ],
      },
    ],
    apps: [
      { name: 'web', role: 'reader', apiKeyHash: `sha256:${'ab'.repeat(32)}`, active: true },
      { name: 'mobile', role: 'reader', apiKey: '${MOBILE_API_KEY}' },
    ],
  },
};

describe('schema/junction.schema.json', () => {
  it('equals the output of scripts/write-config-schema.ts (run it after changing src/config/schema.ts)', async () => {
    expect(await readFile(CONFIG_SCHEMA_FILE, 'utf8')).toBe(await renderConfigSchema());
  });

  it('accepts a config that uses every section', async () => {
    const schema = JSON.parse(await readFile(CONFIG_SCHEMA_FILE, 'utf8')) as Schema;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(violations(schema, sample)).toEqual([]);
  });

  it('rejects unknown keys, unknown types and bad names as editors should', async () => {
    const schema = JSON.parse(await readFile(CONFIG_SCHEMA_FILE, 'utf8')) as Schema;
    const bad = { services: [{ name: 'Chinook', type: 'oracle', colour: 'red' }], extra: true };
    expect(violations(schema, bad)).toEqual([
      '$.services[0].name: pattern',
      '$.services[0].type: not in enum',
      '$.services[0].colour: not allowed',
      '$.extra: not allowed',
    ]);
  });

  it('describes the important properties', async () => {
    const schema = JSON.parse(await readFile(CONFIG_SCHEMA_FILE, 'utf8')) as Schema;
    expect(schema.title).toBe('Junction configuration');
    const service = ((schema.properties as Record<string, Schema>).services?.items ?? {}) as Schema;
    const props = service.properties as Record<string, Schema>;
    for (const key of ['name', 'type', 'url', 'connection', 'filename', 'schema', 'maxRecords', 'tables']) {
      expect(props[key]?.description, key).toEqual(expect.any(String));
    }
    const auth = (schema.properties as Record<string, Schema>).auth ?? {};
    const authProps = auth.properties as Record<string, Schema>;
    const app = (authProps.apps?.items ?? {}) as Schema;
    const role = (authProps.roles?.items ?? {}) as Schema;
    const access = ((role.properties as Record<string, Schema>).access?.items ?? {}) as Schema;
    for (const [where, object, keys] of [
      ['auth', auth, ['apiKeyInQuery', 'roles', 'apps']],
      ['app', app, ['name', 'role', 'apiKeyHash', 'apiKey', 'active']],
      ['role', role, ['name', 'active', 'access']],
      [
        'access',
        access,
        ['service', 'component', 'verbs', 'verbMask', 'filters', 'hiddenFields', 'writableFields'],
      ],
    ] as const) {
      const properties = (object as Schema).properties as Record<string, Schema>;
      for (const key of keys)
        expect(properties[key]?.description, `${where}.${key}`).toEqual(expect.any(String));
    }
  });
});
