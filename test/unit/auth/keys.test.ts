// API keys: random, 256-bit, base64url; stored as SHA-256 hex; `junction key create` prints one with its hash.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { generateApiKey, hashApiKey } from '../../../src/auth/keys.js';
import { parse, sqlite } from '../config/helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('generateApiKey', () => {
  it('makes 43 base64url characters that decode to 32 random bytes', () => {
    const key = generateApiKey();
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key, 'base64url')).toHaveLength(32);
  });

  it('makes a different key every time', () => {
    const keys = new Set(Array.from({ length: 200 }, generateApiKey));
    expect(keys.size).toBe(200);
  });
});

describe('hashApiKey', () => {
  it('is the SHA-256 of the key as lower-case hex', () => {
    expect(hashApiKey('test')).toBe('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08');
    const key = generateApiKey();
    expect(hashApiKey(key)).toBe(createHash('sha256').update(key).digest('hex'));
  });
});

describe('junction key create', () => {
  it('prints a key once, with a config snippet whose apiKeyHash is its hash, and needs no config file', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli/index.ts', 'key', 'create', '--app', 'web'],
      // A config path that does not exist: the command must not try to read it.
      { cwd: ROOT, env: { ...process.env, JUNCTION_CONFIG: '/nonexistent/junction.yaml' }, timeout: 30_000 },
    );
    const key = /^ {2}([A-Za-z0-9_-]{43})$/m.exec(stdout)?.[1] ?? '';
    expect(key).toHaveLength(43);
    expect(stdout.split(key)).toHaveLength(2);
    expect(stdout).toMatch(/not stored anywhere/);

    const snippet = parseYaml(stdout.slice(stdout.indexOf('auth:'))) as {
      auth: { apps: { name: string; role: string; apiKeyHash: string }[] };
    };
    const [app] = snippet.auth.apps;
    expect(app?.name).toBe('web');
    expect(app?.apiKeyHash).toBe(`sha256:${hashApiKey(key)}`);

    // The snippet, with a real role, is a valid auth section.
    const config = parse({
      services: [sqlite()],
      auth: { roles: [{ name: 'reader' }], apps: [{ ...app, role: 'reader' }] },
    });
    expect(config.auth.apps[0]?.apiKeyHash).toBe(hashApiKey(key));
  });
});
