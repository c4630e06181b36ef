// API keys: ≥128 random bits (security.md T19), stored and looked up only as their SHA-256.
import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes as base64url: 43 characters, 256 bits. */
export function generateApiKey(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 of the key's UTF-8 bytes, lower-case hex (64 characters): what the config and lookups hold. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
