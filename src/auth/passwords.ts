// A password → `scrypt$N$r$p$salt$hash` (node:crypto scrypt, a random 16-byte salt, N = 2^15, r = 8, p = 1;
// base64 salt and hash), and back: a password checked against a stored hash in constant time. Async, so a
// login never blocks the event loop for the ~50 ms scrypt takes.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export const SCRYPT_COST = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_BYTES = 16;
/** Longer passwords are refused before hashing (the hash cost does not depend on length, but bodies do). */
export const MAX_PASSWORD_LENGTH = 1024;
export const MIN_PASSWORD_LENGTH = 8;

function derive(password: string, salt: Buffer, cost: { N: number; r: number; p: number }, length: number) {
  // scrypt needs 128·N·r bytes; Node's default ceiling (32 MiB) is exactly N = 2^15, r = 8, so raise it.
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r };
  return new Promise<Buffer>((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function hashPassword(
  password: string,
  cost: { N: number; r: number; p: number } = SCRYPT_COST,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, cost, KEY_LENGTH);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

const FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

/** False for a wrong password and for a stored value that is not a hash this module wrote. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = FORMAT.exec(stored);
  if (!parts) return false;
  const [, n, r, p, salt, hash] = parts;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  // Bounds keep a tampered row from asking for gigabytes or minutes.
  if (cost.N < 2 || cost.N > 2 ** 20 || (cost.N & (cost.N - 1)) !== 0 || cost.r > 32 || cost.p > 16)
    return false;
  const expected = Buffer.from(hash ?? '', 'base64');
  if (expected.length < 16) return false;
  const actual = await derive(password, Buffer.from(salt ?? '', 'base64'), cost, expected.length);
  return timingSafeEqual(actual, expected);
}

let dummy: Promise<string> | undefined;

/** A hash of nothing in particular, checked when an email is unknown so that the answer takes as long. */
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  return dummy;
}
