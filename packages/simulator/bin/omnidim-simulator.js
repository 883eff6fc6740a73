#!/usr/bin/env node
// Thin launcher: the simulator is compiled to dist/ by `pnpm build` (run by the repo's `prepare`).
import { runSimulatorCli } from '../dist/cli.js';

runSimulatorCli(process.argv.slice(2));
