// Config files on disk (YAML, JSON) and the lookup order → JunctionConfig, or errors with line and column.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, resolveConfigPath } from '../../../src/config/index.js';
import { formatProblem } from '../../../src/errors/index.js';
import { rejection } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'junction-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
  return path;
}

describe('resolveConfigPath', () => {
  it('prefers the --config flag, then JUNCTION_CONFIG, resolved against cwd', () => {
    const env = { JUNCTION_CONFIG: 'from-env.yaml' };
    expect(resolveConfigPath({ flag: 'flag.yaml', env, cwd: dir })).toBe(join(dir, 'flag.yaml'));
    expect(resolveConfigPath({ env, cwd: dir })).toBe(join(dir, 'from-env.yaml'));
  });

  it('falls back to junction.yaml, junction.yml, junction.json in cwd, in that order', async () => {
    await write('junction.json', '{}');
    expect(resolveConfigPath({ env: {}, cwd: dir })).toBe(join(dir, 'junction.json'));
    await write('junction.yml', '');
    expect(resolveConfigPath({ env: {}, cwd: dir })).toBe(join(dir, 'junction.yml'));
    await write('junction.yaml', '');
    expect(resolveConfigPath({ env: {}, cwd: dir })).toBe(join(dir, 'junction.yaml'));
  });

  it('returns null when nothing is configured, so the CLI can use the demo', () => {
    expect(resolveConfigPath({ env: {}, cwd: dir })).toBeNull();
  });
});

describe('loadConfig', () => {
  it('reads YAML and resolves relative paths against the config file directory', async () => {
    const path = await write(
      'conf/junction.yaml',
      [
        'server: { port: 9000, adminToken: "${ADMIN}" }',
        'schemaCache: { dir: ./cache }',
        'services:',
        '  - name: chinook',
        '    type: sqlite',
        '    filename: ../data/chinook.sqlite',
      ].join('\n'),
    );
    const config = await loadConfig(path, { ADMIN: 'secret-token' });
    expect(config.source).toBe(path);
    expect(config.server).toEqual({ host: '127.0.0.1', port: 9000, adminToken: 'secret-token' });
    expect(config.schemaCache.dir).toBe(join(dir, 'conf/cache'));
    expect(config.services[0]?.connection).toEqual({
      kind: 'file',
      filename: join(dir, 'data/chinook.sqlite'),
    });
  });

  it('reads JSON by extension', async () => {
    const path = await write(
      'junction.json',
      JSON.stringify({ services: [{ name: 'a', type: 'sqlite', url: 'sqlite:a.db' }] }),
    );
    expect((await loadConfig(path, {})).services[0]?.connection).toEqual({
      kind: 'file',
      filename: join(dir, 'a.db'),
    });
  });

  it('reports a YAML syntax error with its line and column', async () => {
    const path = await write('junction.yaml', 'services:\n  - name: a\n    type: [sqlite\n');
    const error = await rejection(loadConfig(path, {}));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.errors[0]?.path).toMatch(/^line [34], column \d+$/);
    expect(error.errors.map(formatProblem)[0]).toContain('invalid YAML');
  });

  it('reports duplicate YAML keys', async () => {
    const path = await write('junction.yaml', 'services: []\nservices: []\n');
    const error = await rejection(loadConfig(path, {}));
    expect(error.errors.map((e) => e.path)).toEqual(['line 2, column 1']);
  });

  it('reports a JSON syntax error with its line and column', async () => {
    const path = await write('junction.json', '{\n  "services": [],\n}');
    const error = await rejection(loadConfig(path, {}));
    expect(error.errors.map(formatProblem)).toEqual([
      'line 3, column 1: invalid JSON: Expected double-quoted property name',
    ]);
  });

  it('locates a bad JSON token without quoting the file, which may hold a password', async () => {
    const path = await write('junction.json', '{\n  "services": [],\n  "password": hunter2\n}');
    const error = await rejection(loadConfig(path, {}));
    expect(error.errors.map(formatProblem)).toEqual([
      "line 3, column 15: invalid JSON: Unexpected token 'h'",
    ]);
    expect(error.message).not.toContain('hunter2');
  });

  it('reports validation problems after parsing', async () => {
    const path = await write('junction.yaml', 'services:\n  - name: a\n    type: oracle\n');
    const error = await rejection(loadConfig(path, {}));
    expect(error.message).toBe('services[0].type: expected one of postgres, mysql, sqlite, mongodb');
  });

  it('fails with CONFIG_NOT_FOUND for a missing file', async () => {
    await expect(loadConfig(join(dir, 'nope.yaml'))).rejects.toMatchObject({ code: 'CONFIG_NOT_FOUND' });
  });
});
