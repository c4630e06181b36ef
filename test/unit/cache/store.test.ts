// The memory store and the codec: entries live under a generation, an invalidation makes them unreachable and
// frees them, a read that began before a write cannot store its result afterwards, TTL and size bounds hold.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { decodeResult, encodeResult } from '../../../src/cache/codec.js';
import { createMemoryStore } from '../../../src/cache/memory-store.js';

const bounds = { maxEntries: 100, maxBytes: 1024 * 1024, maxEntryBytes: 64 * 1024 };
const bytes = (text: string) => Buffer.from(text);

describe('memory store', () => {
  it('finds an entry stored under the current generation', async () => {
    const store = createMemoryStore(bounds);
    const { generation } = (await store.get('a', 'h'))!;
    await store.set('a', 'h', generation, bytes('rows'), 60_000);
    expect((await store.get('a', 'h'))?.value?.toString()).toBe('rows');
  });

  it('loses every entry of a service, and only of that service, on invalidation', async () => {
    const store = createMemoryStore(bounds);
    for (const service of ['a', 'b']) {
      const { generation } = (await store.get(service, 'h'))!;
      await store.set(service, 'h', generation, bytes(service), 60_000);
    }
    await store.invalidate('a');
    expect((await store.get('a', 'h'))?.value).toBeNull();
    expect((await store.get('b', 'h'))?.value?.toString()).toBe('b');
  });

  it('does not store a result read before an invalidation that happened meanwhile', async () => {
    const store = createMemoryStore(bounds);
    const before = (await store.get('a', 'h'))!.generation;
    await store.invalidate('a'); // a write commits while the read is running
    await store.set('a', 'h', before, bytes('old rows'), 60_000);
    expect((await store.get('a', 'h'))?.value).toBeNull();
  });

  it('forgets an entry after its TTL', async () => {
    const store = createMemoryStore(bounds);
    const { generation } = (await store.get('a', 'h'))!;
    await store.set('a', 'h', generation, bytes('rows'), 40);
    expect((await store.get('a', 'h'))?.value).not.toBeNull();
    await sleep(80);
    expect((await store.get('a', 'h'))?.value).toBeNull();
  });

  it('keeps at most maxEntries entries, dropping the least recently used', async () => {
    const store = createMemoryStore({ ...bounds, maxEntries: 3 });
    for (const h of ['1', '2', '3']) await store.set('a', h, 0, bytes(h), 60_000);
    await store.get('a', '1');
    await store.set('a', '4', 0, bytes('4'), 60_000);
    const present = [];
    for (const h of ['1', '2', '3', '4']) if ((await store.get('a', h))?.value) present.push(h);
    expect(present).toEqual(['1', '3', '4']);
  });

  it('keeps its bytes under maxBytes and refuses entries over maxEntryBytes', async () => {
    const store = createMemoryStore({ maxEntries: 1000, maxBytes: 10_000, maxEntryBytes: 3_000 });
    for (let i = 0; i < 20; i++) await store.set('a', String(i), 0, Buffer.alloc(2_000), 60_000);
    let kept = 0;
    for (let i = 0; i < 20; i++) if ((await store.get('a', String(i)))?.value) kept++;
    expect(kept).toBeGreaterThan(0);
    expect(kept * 2_000).toBeLessThanOrEqual(10_000);
    await store.set('a', 'big', 0, Buffer.alloc(50_000), 60_000);
    expect((await store.get('a', 'big'))?.value).toBeNull();
  });
});

describe('codec', () => {
  it('round-trips what drivers return, as fresh objects', () => {
    const rows = [
      { id: 1, name: 'A', at: new Date('2024-01-02T03:04:05Z'), blob: Buffer.from([0, 255]), big: 2n ** 70n },
      { id: 2, json: { nested: [1, 'x', null, { deep: true }] }, none: null },
    ];
    const encoded = encodeResult(rows)!;
    const first = decodeResult<typeof rows>(encoded);
    expect(first).toEqual(rows);
    expect(first[0]!.at).toBeInstanceOf(Date);
    expect(Buffer.isBuffer(first[0]!.blob)).toBe(true);
    const second = decodeResult<typeof rows>(encoded);
    expect(second[0]).not.toBe(first[0]);
    expect(decodeResult(encodeResult(42)!)).toBe(42);
  });

  it('refuses values that would not come back the same (class instances)', () => {
    class ObjectId {
      constructor(readonly hex: string) {}
    }
    expect(encodeResult([{ _id: new ObjectId('abc') }])).toBeNull();
    expect(encodeResult([{ nested: { list: [new Map()] } }])).toBeNull();
  });
});
