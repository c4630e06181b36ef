import { defineConfig } from 'vitest/config';

// Vite would resolve `graphql` in our sources to its ESM build (index.mjs), while graphql-yoga and
// @graphql-tools, loaded by Node, use the CommonJS build: two graphql instances whose types and errors fail
// each other's instanceof checks ("Cannot use GraphQLList from another module or realm"). Node itself loads
// the CommonJS build for everyone, so tests do the same.
/** Fault-injection suites (security.md §4.4 R1–R7): databases killed, frozen, exhausted under load. */
const FAULTS = 'test/integration/fault-*.test.ts';

const resolve = { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] };

export default defineConfig({
  test: {
    projects: [
      {
        resolve,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // Property suites (100,000 cases) and scrypt run for seconds on a loaded 2-core machine: not a
          // speed check (speed is measured in bench/), so the default 5 s would only make them flaky.
          testTimeout: 30_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        resolve,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: [FAULTS],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Several files load Chinook into their own databases; two workers match the 2-core machines.
          maxWorkers: 2,
          // Unit tests first: they fail fast and need no database.
          sequence: { groupOrder: 1 },
        },
      },
      {
        resolve,
        test: {
          name: 'faults',
          include: [FAULTS],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // The fault goals are absolute latencies (/health p99 < 50 ms, answers within 2.5 s): each file runs
          // alone, after everything else, so it measures Junction and not the file next to it.
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
