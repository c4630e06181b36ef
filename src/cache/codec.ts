// A DataSource result (rows, a count) ↔ the bytes a cache store keeps. v8's serialiser keeps what drivers
// return (Date, Buffer, bigint, nested JSON) exactly, and decoding gives fresh objects each time, which the
// executor needs: it attaches relations to the rows it is handed.
import { deserialize, serialize } from 'node:v8';

/** The bytes of `value`, or null when it holds something that would not come back the same (a class instance). */
export function encodeResult(value: unknown): Buffer | null {
  return plain(value) ? serialize(value) : null;
}

export function decodeResult<T>(bytes: Buffer): T {
  return deserialize(bytes) as T;
}

/** Only values that survive a round trip unchanged: primitives, Date, Buffer, arrays and plain objects. */
function plain(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object') {
      if (typeof value === 'function' || typeof value === 'symbol') return false;
      continue;
    }
    if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
      continue;
    }
    if (value instanceof Date || Buffer.isBuffer(value)) continue;
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return false;
    for (const item of Object.values(value)) stack.push(item);
  }
  return true;
}
