/** The machine a run happened on, printed at the top of every report. */
import { cpus, freemem, loadavg, totalmem } from 'node:os';

/**
 * One-paragraph description: CPU model and count, memory, load, Node and V8 versions.
 *
 * @example
 * console.log(machineInfo());
 */
export function machineInfo(): string {
  const list = cpus();
  const model = list[0]?.model.trim() ?? 'unknown CPU';
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return [
    `machine: ${list.length} × ${model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM (${(freemem() / 2 ** 30).toFixed(1)} GiB free)`,
    `load average at start: ${load} (shared machine: other work runs alongside; ratios are taken within one run)`,
    `node ${process.version} (V8 ${process.versions.v8}), ${process.platform}/${process.arch}`,
    `date: ${new Date().toISOString()}`,
  ].join('\n');
}
