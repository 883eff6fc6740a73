// Preloaded (`node --import`) into the CLI process bench/latency.ts times: records a timeline of
// the run (ms since the process started: performance.now() counts from the time origin) and
// writes it as JSON lines to the file OMNIDIM_BENCH_TIMELINE_FILE names, at exit. Marks: each
// list request sent / answered / body read (undici's diagnostics channels), the first file opened
// under the output dir, fsyncs and renames (the commit), worker threads started, exit.
// Plain JavaScript, so the built CLI loads no TypeScript loader; a bench aid, not product code.
import { subscribe } from 'node:diagnostics_channel';
import fs, { writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import workerThreads from 'node:worker_threads';

const file = process.env.OMNIDIM_BENCH_TIMELINE_FILE;
if (file) {
  const marks = [];
  const mark = (what, detail) => marks.push({ t: Math.round(performance.now() * 10) / 10, what, detail });
  mark('preload');
  const pageOf = (request) => /pageno=(\d+)/.exec(request.path ?? '')?.[1] ?? request.path;
  subscribe('undici:request:create', ({ request }) => mark('request', pageOf(request)));
  subscribe('undici:request:headers', ({ request }) => mark('response', pageOf(request)));
  subscribe('undici:request:trailers', ({ request }) => mark('body', pageOf(request)));
  const outAt = process.argv.indexOf('--out');
  const out = outAt > 0 ? process.argv[outAt + 1] : undefined;
  let opened = 0;
  const wrap = (owner, name, label, when = () => true) => {
    const original = owner[name];
    owner[name] = function (...args) {
      if (when(args)) mark(label, typeof args[0] === 'string' ? args[0].slice(-60) : undefined);
      return original.apply(this, args);
    };
  };
  // The first two files opened under --out: the lock, then the first part file (first rows).
  const underOut = (args) => {
    if (opened >= 2 || !out || typeof args[0] !== 'string' || !args[0].includes(out)) return false;
    opened += 1;
    return true;
  };
  wrap(fs.promises, 'open', 'opened under --out', underOut);
  wrap(fs, 'open', 'opened under --out', underOut);
  wrap(fs.promises, 'rename', 'rename');
  wrap(fs, 'fsync', 'fsync');
  wrap(fs, 'fsyncSync', 'fsync');
  const OriginalWorker = workerThreads.Worker;
  workerThreads.Worker = class extends OriginalWorker {
    constructor(...args) {
      mark('worker started');
      super(...args);
    }
  };
  syncBuiltinESMExports();
  process.on('beforeExit', () => mark('beforeExit'));
  process.on('exit', () => {
    mark('exit');
    writeFileSync(file, marks.map((m) => JSON.stringify(m)).join('\n'));
  });
}
