// Lint rules, including the import boundary of DESIGN.md: only adapters and introspection talk to drivers.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const DRIVERS = ['knex', 'pg', 'mysql2', 'mysql2/*', 'better-sqlite3', 'mongodb'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'demo/.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/adapters/**', 'src/introspect/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: DRIVERS,
              message: 'Database drivers and knex belong in src/adapters/ or src/introspect/ (DESIGN.md).',
            },
          ],
        },
      ],
    },
  },
);
