// A request's principal → its cache directive: results are shared per role (or `open`), never for a request
// whose credentials failed; REST's refresh=true asks for a fresh read.
import { describe, expect, it } from 'vitest';
import { cacheDirective, scopeOf } from '../../../src/cache/scope.js';
import type { AppConfig, Principal, RoleConfig } from '../../../src/auth/types.js';
import { ApiError } from '../../../src/errors/index.js';

const role = (name: string): RoleConfig => ({ name, description: null, active: true, access: [] });
const app = (name: string, roleName: string): AppConfig => ({
  name,
  description: null,
  active: true,
  role: roleName,
  apiKeyHash: '0'.repeat(64),
});

describe('scopeOf', () => {
  it('is the role name, so two apps of one role share and two roles do not', () => {
    const a: Principal = { kind: 'app', app: app('a', 'reader'), role: role('reader') };
    const b: Principal = { kind: 'app', app: app('b', 'reader'), role: role('reader') };
    const c: Principal = { kind: 'app', app: app('c', 'admin'), role: role('admin') };
    expect(scopeOf(a)).toBe('role:reader');
    expect(scopeOf(b)).toBe(scopeOf(a));
    expect(scopeOf(c)).not.toBe(scopeOf(a));
  });

  it('is `open` without access control, and none for refused credentials or no principal', () => {
    expect(scopeOf({ kind: 'open' })).toBe('open');
    expect(scopeOf(new ApiError('UNAUTHORIZED', 'no'))).toBeNull();
    expect(scopeOf(undefined)).toBeNull();
  });
});

describe('cacheDirective', () => {
  const at = (url: string) => new Request(`http://localhost${url}`);

  it('asks for a fresh read on REST refresh=true only', () => {
    expect(cacheDirective(at('/api/v2/db/_table/t?refresh=true'), { kind: 'open' })).toEqual({
      scope: 'open',
      refresh: true,
    });
    expect(cacheDirective(at('/api/v2/db/_table/t?refresh=false'), { kind: 'open' })?.refresh).toBe(false);
    expect(cacheDirective(at('/api/v2/db/_table/t'), { kind: 'open' })?.refresh).toBe(false);
    expect(cacheDirective(at('/graphql?refresh=true'), { kind: 'open' })?.refresh).toBe(false);
  });

  it('leaves a request without a principal uncached', () => {
    expect(cacheDirective(at('/api/v2/db/_table/t'), new ApiError('UNAUTHORIZED', 'no'))).toBeUndefined();
  });
});
