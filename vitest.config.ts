import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Several files load Chinook into their own databases; two workers match the 2-core machines.
          maxWorkers: 2,
          // Unit tests first: they fail fast and need no database.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
