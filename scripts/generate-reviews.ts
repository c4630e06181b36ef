// Seeded PRNG + small word lists → demo/data/reviews/reviews.sql (schema and rows of the demo `reviews` database).
// Run once with `node --import tsx scripts/generate-reviews.ts`; the output is committed and never changes
// between runs, so tests may rely on its rows. Ids point into Chinook: track 1..3503, customer 1..59.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { prng } from './prng.js';

const OUT = fileURLToPath(new URL('../demo/data/reviews/reviews.sql', import.meta.url));
const TRACKS = 3503;
const CUSTOMERS = 59;
const REVIEWERS = 72;
const REVIEWS = 420;

const rand = prng(20240611);
const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
const chance = (p: number): boolean => rand() < p;
/** Fisher-Yates: a sort with a random comparator would depend on the engine's sort algorithm. */
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = int(0, i);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

const ADJ = ['quiet', 'loud', 'velvet', 'electric', 'midnight', 'golden', 'rusty', 'lunar', 'wild', 'blue'];
const NOUN = [
  'bassline',
  'riff',
  'echo',
  'groove',
  'vinyl',
  'chorus',
  'drummer',
  'tempo',
  'anthem',
  'ballad',
];
const TAGS = [
  'guitar',
  'vocals',
  'production',
  'classic',
  'live',
  'nostalgia',
  'workout',
  'study',
  'road-trip',
];
const TITLES: Record<number, readonly string[]> = {
  1: ['Not for me', 'Skipped it', 'Hard to sit through', 'What happened here?'],
  2: ['Disappointing', 'Has its moments', 'Expected more', 'Forgettable'],
  3: ['Decent', 'Solid but safe', 'Grows on you', 'Fine for background'],
  4: ['Really good', 'On repeat this week', 'Great energy', 'A strong track'],
  5: ['Masterpiece', 'Instant classic', 'Could not stop listening', 'Perfect from start to finish'],
};
const PARTS = ['guitar solo', 'chorus', 'drumming', 'bass line', 'intro', 'bridge', 'vocal take', 'mix'];
const GOOD = ['soaring', 'tight', 'gorgeous', 'punchy', 'haunting', 'warm', 'crisp', 'inventive'];
const BAD = ['muddy', 'flat', 'repetitive', 'thin', 'rushed', 'overlong', 'forgettable', 'harsh'];
const SCENES = [
  'on a long drive',
  'while cooking',
  'at the gym',
  'late at night',
  'on headphones',
  'at a party',
];
const PRAISE = [
  "I'll be coming back to this one.",
  'Sounds even better loud.',
  'Worth a listen if you like the album.',
];
const GRIPES = [
  "Doesn't quite match the rest of the record.",
  'My friends disagree, but there it is.',
  'One listen was enough.',
];

/** Two distinct parts of the track judged in line with the rating, sometimes a scene, then a closing remark. */
function sentence(rating: number): string {
  const [first, second] = shuffle([...PARTS]);
  // 4-5: both parts good; 3: good but bad; 1-2: both bad, sometimes a consolation first.
  const firstGood = rating >= 3 || chance(0.3);
  const secondGood = rating >= 4;
  const [w1, w2] =
    firstGood === secondGood ? shuffle([...(firstGood ? GOOD : BAD)]) : [pick(GOOD), pick(BAD)];
  const link = firstGood === secondGood ? ' and' : ', but';
  const scene = chance(0.6) ? ` Heard it ${pick(SCENES)}.` : '';
  return `The ${first} is ${w1}${link} the ${second} is ${w2}.${scene} ${pick(rating >= 3 ? PRAISE : GRIPES)}`;
}

/** `YYYY-MM-DD HH:MM:SS` (UTC), the form SQLite's date functions read. */
const stamp = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const DAY = 86_400_000;
const FIRST = Date.UTC(2021, 0, 1);
const LAST = Date.UTC(2025, 5, 30);

const sql = (v: string | number | null): string =>
  v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`;
const insert = (table: string, row: Record<string, string | number | null>): string =>
  `INSERT INTO ${table} (${Object.keys(row).join(', ')}) VALUES (${Object.values(row).map(sql).join(', ')});`;

// Reviewers: about two thirds are linked to a distinct Chinook customer; the rest have no purchases.
const customers = shuffle(Array.from({ length: CUSTOMERS }, (_, i) => i + 1));
const handles = new Set<string>();
const reviewers: Array<{ id: number; joined: number }> = [];
const lines: string[] = [];
for (let id = 1; id <= REVIEWERS; id++) {
  let handle: string;
  do handle = `${pick(ADJ)}${pick(NOUN)}${int(1, 99)}`;
  while (handles.has(handle));
  handles.add(handle);
  const joined = FIRST + int(0, 1000) * DAY + int(0, DAY - 1);
  reviewers.push({ id, joined });
  lines.push(
    insert('reviewer', {
      reviewer_id: id,
      display_name: handle,
      email: `${handle}@example.com`,
      customer_id: chance(0.7) && customers.length > 0 ? (customers.pop() ?? null) : null,
      joined_at: stamp(joined),
    }),
  );
}

lines.push('');
TAGS.forEach((name, i) => lines.push(insert('tag', { tag_id: i + 1, name })));
lines.push('');

// Reviews: 40% go to a small pool of popular tracks so some tracks have several reviews to list.
const popular = Array.from({ length: 25 }, () => int(1, TRACKS));
const RATING_WEIGHTS = [1, 1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5];
const seen = new Set<string>();
const tagRows: string[] = [];
for (let id = 1; id <= REVIEWS; id++) {
  // Prolific reviewers: raising the draw to a power favours low ids.
  const reviewer = reviewers[Math.floor(rand() ** 1.5 * REVIEWERS)] as (typeof reviewers)[number];
  let track: number;
  do track = chance(0.4) ? pick(popular) : int(1, TRACKS);
  while (seen.has(`${reviewer.id}:${track}`));
  seen.add(`${reviewer.id}:${track}`);
  const rating = pick(RATING_WEIGHTS);
  const created = reviewer.joined + Math.floor(rand() * (LAST - reviewer.joined));
  lines.push(
    insert('review', {
      review_id: id,
      track_id: track,
      reviewer_id: reviewer.id,
      rating,
      title: chance(0.9) ? pick(TITLES[rating] ?? []) : null,
      body: chance(0.85) ? sentence(rating) : null,
      created_at: stamp(created),
    }),
  );
  const tags = new Set(Array.from({ length: int(0, 3) }, () => int(1, TAGS.length)));
  for (const tag of [...tags].sort((a, b) => a - b))
    tagRows.push(insert('review_tag', { review_id: id, tag_id: tag }));
}
lines.push('', ...tagRows);

const SCHEMA = `-- Demo database "reviews": listener reviews of Chinook tracks. Generated by scripts/generate-reviews.ts;
-- edit the generator, not this file. track_id and customer_id point into the separate Chinook database,
-- so they are joined by virtual foreign keys in demo/junction.demo.yaml, not by constraints here.

DROP TABLE IF EXISTS review_tag;
DROP TABLE IF EXISTS tag;
DROP TABLE IF EXISTS review;
DROP TABLE IF EXISTS reviewer;

CREATE TABLE reviewer (
  reviewer_id INTEGER PRIMARY KEY,
  display_name TEXT NOT NULL,
  email TEXT NOT NULL UNIQUE,
  customer_id INTEGER, -- Chinook Customer.CustomerId, NULL when the reviewer never bought anything
  joined_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE review (
  review_id INTEGER PRIMARY KEY,
  track_id INTEGER NOT NULL, -- Chinook Track.TrackId
  reviewer_id INTEGER NOT NULL REFERENCES reviewer (reviewer_id) ON DELETE CASCADE,
  rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
  title TEXT,
  body TEXT,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE (reviewer_id, track_id) -- one review per reviewer and track
);
CREATE INDEX review_track_id_idx ON review (track_id);

CREATE TABLE tag (
  tag_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

-- A pure junction table: GraphQL shows review.tags and tag.reviews (many-to-many).
CREATE TABLE review_tag (
  review_id INTEGER NOT NULL REFERENCES review (review_id) ON DELETE CASCADE,
  tag_id INTEGER NOT NULL REFERENCES tag (tag_id) ON DELETE CASCADE,
  PRIMARY KEY (review_id, tag_id)
);

`;

writeFileSync(OUT, `${SCHEMA}${lines.join('\n')}\n`);
console.log(`wrote ${OUT}: ${REVIEWERS} reviewers, ${REVIEWS} reviews, ${tagRows.length} review tags`);
