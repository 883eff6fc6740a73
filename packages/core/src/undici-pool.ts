/**
 * undici's `Pool` without undici's index (issue 21, memory). `import { Pool } from 'undici'`
 * loads the whole package: every dispatcher, fetch, WebSocket, EventSource, the cache stores and
 * the mock agents, ~22 MB of RSS in a fresh Node 20 against ~12 MB for the pool and its request
 * API alone (measured with `process.memoryUsage()` after import), and that memory stays for the
 * whole export. The source needs one thing of it: a keep-alive Pool whose `request()` it calls.
 *
 * The pinned undici (exact version in package.json) has no `exports` map, so its files are
 * public paths; its index does exactly the two steps below (`require('./lib/dispatcher/pool')`
 * and `Object.assign(Dispatcher.prototype, api)`, which is where `request()` comes from). The
 * assignment is idempotent: a caller's own `import 'undici'` of the same copy repeats it.
 */
import { createRequire } from 'node:module';
import type { Pool as UndiciPool } from 'undici';

const require = createRequire(import.meta.url);

/** undici's Pool class, with `request()` and the rest of the dispatcher API on its prototype. */
export const Pool: typeof UndiciPool = loadPool();

function loadPool(): typeof UndiciPool {
  const dispatcher = require('undici/lib/dispatcher/dispatcher') as { prototype: object };
  Object.assign(dispatcher.prototype, require('undici/lib/api') as object);
  return require('undici/lib/dispatcher/pool') as typeof UndiciPool;
}
