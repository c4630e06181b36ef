import { describe, expect, it } from 'vitest';
import { hashPassword, SCRYPT_COST, verifyPassword } from '../../../src/auth/passwords.js';

// A cheap cost keeps these tests fast; one test checks the real default.
const FAST = { N: 2 ** 10, r: 8, p: 1 };

describe('password hashing', () => {
  it('stores scrypt$N$r$p$salt$hash with the default cost N = 2^15, r = 8, p = 1 and a 16-byte salt', async () => {
    const stored = await hashPassword('correct horse battery staple');
    const [scheme, n, r, p, salt, hash] = stored.split('$');
    expect([scheme, Number(n), Number(r), Number(p)]).toEqual(['scrypt', SCRYPT_COST.N, 8, 1]);
    expect(Buffer.from(salt ?? '', 'base64')).toHaveLength(16);
    expect(Buffer.from(hash ?? '', 'base64')).toHaveLength(32);
    expect(stored).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
  });

  it('salts every hash, so one password never hashes the same twice', async () => {
    expect(await hashPassword('same password', FAST)).not.toBe(await hashPassword('same password', FAST));
  });

  it('accepts only the exact password', async () => {
    const stored = await hashPassword('Secret-123', FAST);
    expect(await verifyPassword('Secret-123', stored)).toBe(true);
    for (const wrong of ['secret-123', 'Secret-1234', 'Secret-12', '', 'Secret-123 ']) {
      expect(await verifyPassword(wrong, stored)).toBe(false);
    }
  });

  it('treats Unicode forms of one password as the same password (NFC)', async () => {
    const stored = await hashPassword('caf\u00e9-p\u00e4ss', FAST);
    expect(await verifyPassword('cafe\u0301-pa\u0308ss', stored)).toBe(true);
  });

  it('refuses stored values it did not write, and costs that would exhaust memory, instead of throwing', async () => {
    const stored = await hashPassword('pw-pw-pw-pw', FAST);
    const [, , r, p, salt, hash] = stored.split('$');
    for (const bad of [
      '',
      'plain-text-password',
      'bcrypt$2b$10$abc',
      stored.replace(/\$[^$]+$/, '$'),
      `scrypt$${2 ** 24}$${r}$${p}$${salt}$${hash}`,
      `scrypt$1000$${r}$${p}$${salt}$${hash}`,
    ]) {
      expect(await verifyPassword('pw-pw-pw-pw', bad)).toBe(false);
    }
  });
});
