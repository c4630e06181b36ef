#!/usr/bin/env node
// Runs the compiled CLI; `npm run build` (run by `npm install` and `npm start`) produces dist/.
// A server defaults to production mode: graphql-js then skips its development-only checks on every value.
process.env.NODE_ENV ??= 'production';
await import('../dist/cli/index.js');
