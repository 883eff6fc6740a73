/** Baseline: a case that does nothing, to show the RSS of Node + the tsx loader alone. */
import { runAsCase } from '../lib/case.js';

await runAsCase(async () => ({ wallMs: 0 }));
