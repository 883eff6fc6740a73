#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `pnpm build` (run by the repo's `prepare`).
import { run } from '../dist/bin.js';

run(process.argv.slice(2));
