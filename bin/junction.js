#!/usr/bin/env node
// Runs the compiled CLI; `npm run build` (run by `npm install` and `npm start`) produces dist/.
import '../dist/cli/index.js';
