// Seeded PRNG → demo/data/community/community.json: the MongoDB demo database `community` in MongoDB Extended
// JSON (relaxed), loaded by scripts/demo-mongo.ts and by the integration tests. Run once with
// `node --import tsx scripts/generate-community.ts`; the output is committed and never changes between runs,
// so tests may rely on it. track_id points at Chinook tracks 1..3503, customer_id at customers 1..59.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { prng } from './prng.js';

const OUT = fileURLToPath(new URL('../demo/data/community/community.json', import.meta.url));

const rand = prng(20261121);
const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
const chance = (p: number): boolean => rand() < p;
const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
/** ObjectIds with a fixed timestamp and counter, so the file is the same on every run. */
const objectId = (i: number): { $oid: string } => ({ $oid: `65a0c0de${hex(0xc0ffee, 10)}${hex(i, 6)}` });
const date = (day: number): { $date: string } => ({
  $date: new Date(Date.UTC(2024, 0, 1) + day * 86_400_000 + int(0, 86_399) * 1000).toISOString(),
});

const WORDS = ['groove', 'warm', 'crisp', 'muddy', 'soaring', 'tight', 'lush', 'raw', 'dreamy', 'punchy'];
const TAGS = ['live', 'remaster', 'classic', 'deep-cut', 'singalong', 'workout', 'late-night'];
const COUNTRIES = ['Brazil', 'Canada', 'France', 'Germany', 'India', 'Norway', 'USA'];
const GENRES = ['Rock', 'Jazz', 'Metal', 'Latin', 'Blues', 'Classical', 'Pop'];
const NAMES = ['ana', 'ben', 'chloe', 'dev', 'eli', 'fay', 'gus', 'hana', 'ivo', 'jun', 'kai', 'lea'];

const reviews = Array.from({ length: 240 }, (_, i) => {
  const doc: Record<string, unknown> = {
    _id: objectId(i + 1),
    // The first tracks get several reviews each, so per-track lists and aggregates have something to show.
    track_id: i < 120 ? (i % 30) + 1 : int(1, 3503),
    rating: int(1, 5),
    title: `${pick(WORDS)} and ${pick(WORDS)}`,
    body: `${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)}`,
    author: { name: pick(NAMES), country: pick(COUNTRIES) },
    created_at: date(int(0, 300)),
  };
  if (chance(0.7)) doc.tags = Array.from(new Set([pick(TAGS), pick(TAGS)]));
  if (chance(0.5)) doc.customer_id = int(1, 59);
  if (chance(0.3)) doc.helpful = int(0, 40);
  return doc;
});

const preferences = Array.from({ length: 40 }, (_, i) => ({
  _id: objectId(1000 + i),
  customer_id: i + 1,
  theme: pick(['light', 'dark', 'system']),
  favourite_genres: Array.from(new Set([pick(GENRES), pick(GENRES), pick(GENRES)])),
  notifications: { email: chance(0.7), sms: chance(0.2) },
  volume: Math.round(rand() * 100) / 10,
  updated_at: date(int(0, 300)),
}));

// Playlists curated by the community: string `_id`s (slugs) and an array of Chinook track ids.
const mixtapes = Array.from({ length: 12 }, (_, i) => ({
  _id: `mix-${hex(i + 1, 2)}`,
  name: `${pick(WORDS)} ${pick(WORDS)} mix`,
  curator_id: int(1, 59),
  track_ids: Array.from({ length: int(3, 8) }, () => int(1, 200)),
  public: chance(0.6),
}));

writeFileSync(OUT, `${JSON.stringify({ reviews, preferences, mixtapes }, null, 1)}\n`);
console.log(
  `wrote ${OUT}: ${reviews.length} reviews, ${preferences.length} preferences, ${mixtapes.length} mixtapes`,
);
