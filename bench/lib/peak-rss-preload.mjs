// Preloaded (`node --import`) into a process the bench times from outside: at exit it writes the
// process's peak RSS (VmHWM: every thread's memory) to the file OMNIDIM_BENCH_PEAK_FILE names.
// Plain JavaScript, so measuring the built CLI loads no TypeScript loader into it.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.env.OMNIDIM_BENCH_PEAK_FILE;
if (file) {
  process.on('exit', () => {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) writeFileSync(file, String(Number(match[1]) * 1024));
  });
}
